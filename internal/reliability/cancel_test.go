package reliability_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/sqlite"
)

// A context cancelled mid-operation: calls race their own deadlines (random,
// 0 to 3ms), so some are cancelled before the writer takes them, some while
// their batch runs and some not at all. Each call must either fail with
// TypeDeadlineExceeded (its deadline passed) and have changed nothing, or
// succeed and have taken effect:
// the store ends up with exactly the effects of the calls that returned nil.

const cancelCalls = 120

// racing returns a context that ends after a random 0 to 3ms, or, one
// call in three, 0 to 200ms, so that on a loaded machine (where a commit's
// fsync takes longer than 3ms) some calls still outlive their deadline.
func racing(rng *rand.Rand, mu *sync.Mutex) (context.Context, context.CancelFunc) {
	mu.Lock()
	limit := 3 * time.Millisecond
	if rng.IntN(3) == 0 {
		limit = 200 * time.Millisecond
	}
	d := time.Duration(rng.Int64N(int64(limit)))
	mu.Unlock()
	return context.WithTimeout(context.Background(), d)
}

// outcome sorts a call's result: nil or deadline_exceeded, anything else
// fails the test. It runs on the calls' goroutines, so it asserts, never
// requires.
func outcome(t *testing.T, err error, what string) bool {
	t.Helper()
	if err == nil {
		return true
	}
	assert.Equal(t, provobs.TypeDeadlineExceeded, provobs.TypeOf(err), "%s: %v", what, err)
	return false
}

// bothOutcomes fails the test unless some of n calls succeeded and some were
// cancelled: with only one outcome the racing deadlines tested nothing.
func bothOutcomes(t *testing.T, succeeded, n int) {
	t.Helper()
	require.Positive(t, succeeded, "no call succeeded: every deadline ended before its call ran")
	require.Less(t, succeeded, n, "no call was cancelled: every deadline outlived its call")
}

func TestCancelMidOperation(t *testing.T) {
	t.Parallel()
	seed := uint64(time.Now().UnixNano())
	t.Logf("deadline seed %d", seed)
	var rngMu sync.Mutex
	rng := rand.New(rand.NewPCG(seed, 1))
	bg := context.Background()

	open := func(t *testing.T) (*sqlite.Provider, string) {
		path := filepath.Join(t.TempDir(), "cancel.db")
		return openFile(t, path), path
	}

	t.Run("enqueue", func(t *testing.T) {
		t.Parallel()
		p, path := open(t)
		var mu sync.Mutex
		var ok []string
		var wg sync.WaitGroup
		for i := range cancelCalls {
			wg.Go(func() {
				ctx, cancel := racing(rng, &rngMu)
				defer cancel()
				id := fmt.Sprintf("e%03d", i)
				if outcome(t, p.EnqueueOrchestrator(ctx, start(id), 0), id) {
					mu.Lock()
					ok = append(ok, id)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		slices.Sort(ok)
		t.Logf("%d of %d enqueues went through", len(ok), cancelCalls)
		bothOutcomes(t, len(ok), cancelCalls)
		stored := column(t, rawDB(t, path), "SELECT instance_id FROM orchestrator_queue ORDER BY instance_id")
		assert.Equal(t, ok, stored, "stored exactly the enqueues that returned nil")
	})

	t.Run("ack_worker", func(t *testing.T) {
		t.Parallel()
		p, path := open(t)
		items := make([]*provobs.WorkerItem, cancelCalls)
		for i := range items {
			require.NoError(t, p.EnqueueWorker(bg, activity("w", uint64(i+1))))
			w, err := p.DequeueWorker(bg, provobs.FetchOptions{LockTimeout: time.Hour}, nil)
			require.NoError(t, err)
			items[i] = w
		}
		acked := make([]bool, len(items))
		var wg sync.WaitGroup
		for i, w := range items {
			wg.Go(func() {
				ctx, cancel := racing(rng, &rngMu)
				defer cancel()
				acked[i] = outcome(t, p.AckWorker(ctx, w.LockToken, completion("w", w.Item.CorrelationID)), "ack_worker")
			})
		}
		wg.Wait()
		raw := rawDB(t, path)
		n := 0
		for i, w := range items {
			corr := w.Item.CorrelationID
			rows := count(t, raw, "SELECT count(*) FROM worker_queue WHERE correlation_id = ?", corr)
			completions := count(t, raw, "SELECT count(*) FROM orchestrator_queue WHERE correlation_id = ?", corr)
			if acked[i] {
				n++
				assert.Equal(t, [2]int{0, 1}, [2]int{rows, completions}, "acked item %d: deleted, completion enqueued", corr)
				continue
			}
			assert.Equal(t, [2]int{1, 0}, [2]int{rows, completions}, "cancelled ack %d: item kept, nothing enqueued", corr)
			// The item is still locked by the same token: the ack can be
			// retried.
			require.NoError(t, p.AckWorker(bg, w.LockToken, completion("w", corr)), "retry of cancelled ack %d", corr)
		}
		t.Logf("%d of %d worker acks went through", n, len(items))
		bothOutcomes(t, n, len(items))
		assert.Equal(t, len(items), count(t, raw, "SELECT count(*) FROM orchestrator_queue"), "one completion per item")
		assert.Zero(t, count(t, raw, "SELECT count(*) FROM worker_queue"))
	})

	t.Run("ack_orch", func(t *testing.T) {
		t.Parallel()
		p, path := open(t)
		for i := range cancelCalls {
			require.NoError(t, p.EnqueueOrchestrator(bg, start(fmt.Sprintf("o%03d", i)), 0))
		}
		var items []*provobs.OrchestrationItem
		for range cancelCalls {
			it, err := p.FetchOrchestrationItem(bg, provobs.FetchOptions{LockTimeout: time.Hour})
			require.NoError(t, err)
			require.NotNil(t, it)
			items = append(items, it)
		}
		ack := provobs.OrchestrationAck{
			ExecutionID: 1, HistoryDelta: []provobs.Event{{ID: 1, Kind: provobs.EventOrchestrationStarted}},
			Metadata: provobs.InstanceMetadata{Status: provobs.StatusRunning},
		}
		acked := make([]bool, len(items))
		var wg sync.WaitGroup
		for i, it := range items {
			wg.Go(func() {
				ctx, cancel := racing(rng, &rngMu)
				defer cancel()
				acked[i] = outcome(t, p.AckOrchestrationItem(ctx, it.LockToken, ack), "ack_orch")
			})
		}
		wg.Wait()
		raw := rawDB(t, path)
		n := 0
		for i, it := range items {
			id := it.InstanceID
			state := [3]int{
				count(t, raw, "SELECT count(*) FROM history WHERE instance_id = ?", id),
				count(t, raw, "SELECT count(*) FROM orchestrator_queue WHERE instance_id = ?", id),
				count(t, raw, "SELECT count(*) FROM instance_locks WHERE instance_id = ?", id),
			}
			if acked[i] {
				n++
				assert.Equal(t, [3]int{1, 0, 0}, state, "acked %s: history, batch deleted, lock released", id)
				continue
			}
			assert.Equal(t, [3]int{0, 1, 1}, state, "cancelled ack of %s: nothing appended, batch and lock kept", id)
			require.NoError(t, p.AckOrchestrationItem(bg, it.LockToken, ack), "retry of the cancelled ack of %s", id)
		}
		t.Logf("%d of %d orchestration acks went through", n, len(items))
		bothOutcomes(t, n, len(items))
		assert.Equal(t, len(items), count(t, raw, "SELECT count(*) FROM history"))
	})

	// A fetch or dequeue cancelled while its batch runs has taken a lock its
	// caller never sees; the provider must release it, or the work would
	// wait a whole lock timeout (the default, 30s, here). Every item must
	// be handed out exactly once, well before that.
	t.Run("fetch_and_dequeue", func(t *testing.T) {
		t.Parallel()
		p, path := open(t)
		for i := range cancelCalls / 2 {
			require.NoError(t, p.EnqueueOrchestrator(bg, start(fmt.Sprintf("f%03d", i)), 0))
			require.NoError(t, p.EnqueueWorker(bg, activity("d", uint64(i+1))))
		}
		var mu sync.Mutex
		fetched, dequeued := map[string]int{}, map[uint64]int{}
		var canceledCalls int
		deadline := time.Now().Add(10 * time.Second) // far below the 30s lock
		var wg sync.WaitGroup
		for range 6 {
			wg.Go(func() {
				for time.Now().Before(deadline) {
					mu.Lock()
					done := len(fetched) == cancelCalls/2 && len(dequeued) == cancelCalls/2
					mu.Unlock()
					if done {
						return
					}
					ctx, cancel := racing(rng, &rngMu)
					it, ferr := p.FetchOrchestrationItem(ctx, provobs.FetchOptions{})
					w, derr := p.DequeueWorker(ctx, provobs.FetchOptions{}, nil)
					cancel()
					// Both outcomes are checked: no || that would skip the
					// dequeue's when the fetch was cancelled.
					fok, dok := outcome(t, ferr, "fetch"), outcome(t, derr, "dequeue")
					mu.Lock()
					if !fok {
						canceledCalls++
					}
					if !dok {
						canceledCalls++
					}
					mu.Unlock()
					if it != nil {
						assert.NoError(t, p.AckOrchestrationItem(bg, it.LockToken, provobs.OrchestrationAck{ExecutionID: 1}))
						mu.Lock()
						fetched[it.InstanceID]++
						mu.Unlock()
					}
					if w != nil {
						assert.NoError(t, p.AckWorker(bg, w.LockToken, nil))
						mu.Lock()
						dequeued[w.Item.CorrelationID]++
						mu.Unlock()
					}
				}
			})
		}
		wg.Wait()
		t.Logf("%d cancelled fetch/dequeue calls", canceledCalls)
		require.Positive(t, canceledCalls, "no fetch or dequeue was cancelled: the release of a lock nobody took was not exercised")
		require.Len(t, fetched, cancelCalls/2, "every instance fetched before its lost lock could have expired")
		require.Len(t, dequeued, cancelCalls/2, "every item dequeued before its lost lock could have expired")
		for id, n := range fetched {
			assert.Equal(t, 1, n, id)
		}
		for id, n := range dequeued {
			assert.Equal(t, 1, n, id)
		}
		raw := rawDB(t, path)
		for _, table := range []string{"orchestrator_queue", "worker_queue", "instance_locks"} {
			assert.Zero(t, count(t, raw, "SELECT count(*) FROM "+table), table)
		}
	})
}
