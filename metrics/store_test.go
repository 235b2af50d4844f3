package metrics_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/sqlite"
)

// store is what the tests drive: a provider with the Admin capability.
type store interface {
	provobs.Provider
	provobs.Admin
}

// newStore opens an isolated in-memory SQLite provider, closed when the
// test ends.
func newStore(t *testing.T, opts ...sqlite.Option) store {
	t.Helper()
	p, err := sqlite.Open(context.Background(), sqlite.MemoryPath, opts...)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, p.Close()) })
	return p
}
