// Package sqlitetest gives tests the reference store: an isolated, empty
// in-memory SQLite provider closed when the test ends. It lives beside
// sqlite so that the light test helpers of obstest do not compile SQLite.
package sqlitetest

import (
	"context"
	"testing"

	"github.com/provobs/provobs/sqlite"
)

// New opens an isolated, empty in-memory SQLite provider (the reference
// provider) and closes it when the test ends; a failed Open or Close fails
// the test. Tests of middlewares use it as the real store under the chain.
func New(t testing.TB) *sqlite.Provider {
	t.Helper()
	p, err := sqlite.Open(context.Background(), sqlite.MemoryPath)
	if err != nil {
		t.Fatalf("sqlite.Open: %v", err)
	}
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Errorf("sqlite Close: %v", err)
		}
	})
	return p
}
