package metrics_test

import (
	"context"
	"sync"
	"testing"
	"time"

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

// clock is a manual clock for sqlite.WithClock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Now()} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
