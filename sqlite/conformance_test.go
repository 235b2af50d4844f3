package sqlite

import (
	"path/filepath"
	"testing"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/providertest"
)

// TestConformance runs the providertest suite against an in-memory store and
// a file store.
func TestConformance(t *testing.T) {
	t.Run("memory", func(t *testing.T) {
		providertest.Run(t, func(t *testing.T) provobs.Provider {
			return openMem(t)
		})
	})
	t.Run("file", func(t *testing.T) {
		providertest.Run(t, func(t *testing.T) provobs.Provider {
			p, err := Open(t.Context(), filepath.Join(t.TempDir(), "store.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = p.Close() })
			return p
		})
	})
}
