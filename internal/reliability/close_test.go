package reliability_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/sqlite"
)

// Close stops pollers and waiters: every long poll blocked in a fetch or a
// dequeue (with and without a session) returns TypeClosed at once, not at
// the end of its poll, and leaves no goroutine behind (TestMain runs
// goleak).
func TestCloseReleasesEveryWaiter(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"memory", "file"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			path := sqlite.MemoryPath
			if mode == "file" {
				path = filepath.Join(t.TempDir(), "close.db")
			}
			p, err := sqlite.Open(context.Background(), path)
			require.NoError(t, err)

			poll := provobs.FetchOptions{PollTimeout: time.Hour}
			waiters := []func() error{
				func() error { _, err := p.FetchOrchestrationItem(context.Background(), poll); return err },
				func() error { _, err := p.FetchOrchestrationItem(context.Background(), poll); return err },
				func() error { _, err := p.DequeueWorker(context.Background(), poll, nil); return err },
				func() error { _, err := p.DequeueWorker(context.Background(), poll, nil); return err },
				func() error {
					_, err := p.DequeueWorker(context.Background(), poll, &provobs.SessionConfig{OwnerID: "o"})
					return err
				},
			}
			errs := make(chan error, len(waiters))
			var started sync.WaitGroup
			for _, w := range waiters {
				started.Add(1)
				go func() {
					started.Done()
					errs <- w()
				}()
			}
			started.Wait()
			time.Sleep(20 * time.Millisecond) // let them reach their wait; any that has not will still meet Close
			require.NoError(t, p.Close())
			limit := time.After(10 * time.Second) // a generous bound: the polls would run an hour
			for range waiters {
				select {
				case err := <-errs:
					requireType(t, provobs.TypeClosed, err, "a waiter released by Close")
				case <-limit:
					t.Fatal("a long poll outlived Close")
				}
			}
		})
	}
}

// Close racing writes: every call returns nil or TypeClosed, never
// anything else, and after reopening the store holds exactly the writes
// that returned nil.
func TestCloseDuringWrites(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "close.db")
	p, err := sqlite.Open(ctx, path)
	require.NoError(t, err)

	var mu sync.Mutex
	var ok []string
	var n atomic.Int64
	var wg sync.WaitGroup
	for w := range 6 {
		wg.Go(func() {
			for i := 0; ; i++ {
				id := fmt.Sprintf("w%d-%05d", w, i)
				err := p.EnqueueOrchestrator(ctx, start(id), 0)
				if err != nil {
					assert.Equal(t, provobs.TypeClosed, provobs.TypeOf(err), "%s: %v", id, err)
					return
				}
				mu.Lock()
				ok = append(ok, id)
				mu.Unlock()
				n.Add(1)
				// Reads race Close too.
				if _, err := p.QueueDepths(ctx); err != nil {
					assert.Equal(t, provobs.TypeClosed, provobs.TypeOf(err), "read: %v", err)
					return
				}
			}
		})
	}
	for n.Load() < 200 {
		time.Sleep(time.Millisecond)
	}
	require.NoError(t, p.Close())
	wg.Wait()

	slices.Sort(ok)
	stored := column(t, rawDB(t, path), "SELECT instance_id FROM orchestrator_queue ORDER BY instance_id")
	assert.Equal(t, ok, stored, "every acknowledged write, and only those, survived Close")
}
