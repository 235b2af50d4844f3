package sqlite

import (
	"path/filepath"
	"testing"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/providertest"
)

// TestConformance runs the providertest suite against an in-memory store and
// a file store; the file store gives the suite its storage, so the cases
// that close and reopen it, or open it twice, run too.
func TestConformance(t *testing.T) {
	t.Run("memory", func(t *testing.T) {
		providertest.Run(t, func(t *testing.T) provobs.Provider {
			return openMem(t)
		})
	})
	t.Run("file", func(t *testing.T) {
		providertest.Run(t, func(t *testing.T) provobs.Provider {
			return openPath(t, filepath.Join(t.TempDir(), "store.db"))
		}, providertest.WithStorage(fileStorage))
	})
}

// fileStorage reaches the file behind a store the conformance factory
// opened.
var fileStorage = providertest.Storage{
	Close: func(p provobs.Provider) error { return p.(*Provider).Close() },
	Open: func(t *testing.T, p provobs.Provider) provobs.Provider {
		return openPath(t, p.(*Provider).path)
	},
}

// openPath opens a file store at path, closed at the end of the test.
func openPath(t *testing.T, path string) *Provider {
	t.Helper()
	p, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p
}
