package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/provobs/provobs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// blockWriter submits a request that holds the writer inside its batch until
// the returned release func is called.
func blockWriter(t *testing.T, p *Provider) (release func()) {
	t.Helper()
	entered := make(chan struct{})
	gate := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- p.submit(context.Background(), provobs.OpEnqueue, func(*wtx) error {
			close(entered)
			<-gate
			return nil
		}, nil)
	}()
	<-entered
	var once sync.Once
	release = func() {
		once.Do(func() {
			close(gate)
			require.NoError(t, <-done)
		})
	}
	t.Cleanup(release)
	return release
}

// TestGroupCommitSavepointIsolation drives concurrent acks into one batch;
// the one with a duplicate event id fails alone, keeps its lock, and the
// others commit.
func TestGroupCommitSavepointIsolation(t *testing.T) {
	t.Parallel()
	p := openFile(t)
	ctx := context.Background()
	const n = 8
	tokens := make([]string, n)
	for i := range n {
		require.NoError(t, p.EnqueueOrchestrator(ctx, start(fmt.Sprintf("i%d", i)), 0))
		it := mustFetch(t, p)
		require.NoError(t, p.AckOrchestrationItem(ctx, it.LockToken, provobs.OrchestrationAck{
			ExecutionID: 1, HistoryDelta: []provobs.Event{ev(1, provobs.EventOrchestrationStarted)},
		}))
	}
	for i := range n {
		require.NoError(t, p.EnqueueOrchestrator(ctx, provobs.WorkItem{Kind: provobs.KindExternalRaised, InstanceID: fmt.Sprintf("i%d", i)}, 0))
	}
	for range n {
		it := mustFetch(t, p)
		var i int
		_, err := fmt.Sscanf(it.InstanceID, "i%d", &i)
		require.NoError(t, err)
		tokens[i] = it.LockToken
	}

	var maxBatch atomic.Int64
	p.w.onCommit = func(k int) {
		if int64(k) > maxBatch.Load() {
			maxBatch.Store(int64(k))
		}
	}
	release := blockWriter(t, p)
	const bad = 3
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			id := uint64(2)
			if i == bad {
				id = 1 // duplicate
			}
			errs[i] = p.AckOrchestrationItem(ctx, tokens[i], provobs.OrchestrationAck{
				ExecutionID:  1,
				HistoryDelta: []provobs.Event{ev(id, provobs.EventExternalRaised)},
				WorkerItems:  []provobs.WorkItem{activity(fmt.Sprintf("i%d", i), 7, "")},
			})
		})
	}
	time.Sleep(100 * time.Millisecond) // let every ack reach the writer's channel
	release()
	wg.Wait()

	assert.Equal(t, int64(n), maxBatch.Load(), "the acks should share one transaction")
	for i := range n {
		h, err := p.ReadHistory(ctx, fmt.Sprintf("i%d", i), 0)
		require.NoError(t, err)
		if i == bad {
			requireType(t, provobs.TypeConflict, errs[i])
			assert.Len(t, h, 1)
			continue
		}
		require.NoError(t, errs[i])
		assert.Len(t, h, 2)
	}
	d, err := p.QueueDepths(ctx)
	require.NoError(t, err)
	assert.Equal(t, int64(n-1), d.Worker, "only the good acks enqueued their activity")
	// The failed ack left its lock: the same token acks correctly now.
	require.NoError(t, p.AckOrchestrationItem(ctx, tokens[bad], provobs.OrchestrationAck{
		ExecutionID: 1, HistoryDelta: []provobs.Event{ev(2, provobs.EventExternalRaised)},
	}))
}

// TestAbortedTransactionFailsBatch: when the transaction dies under a batch,
// every request in it fails with a retryable TypeTransactionFailed and
// nothing of the batch is stored.
func TestAbortedTransactionFailsBatch(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	p := openMem(t, WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))))
	ctx := context.Background()
	release := make(chan struct{})
	var once sync.Once
	p.w.beforeDrain = func() { once.Do(func() { <-release }) }
	var wg sync.WaitGroup
	var enqErr, poisonErr error
	wg.Go(func() { enqErr = p.EnqueueOrchestrator(ctx, start("a"), 0) })
	time.Sleep(50 * time.Millisecond) // the enqueue is the batch's first request
	wg.Go(func() {
		poisonErr = p.submit(ctx, provobs.OpAckOrch, func(t *wtx) error {
			_, err := t.w.conn.ExecContext(bg, "ROLLBACK") // kill the transaction
			return err
		}, nil)
	})
	time.Sleep(50 * time.Millisecond)
	close(release)
	wg.Wait()
	requireType(t, provobs.TypeTransactionFailed, enqErr)
	assert.True(t, provobs.IsRetryable(enqErr))
	requireType(t, provobs.TypeTransactionFailed, poisonErr)
	assert.Contains(t, logs.String(), `"msg":"sqlite: transaction aborted; batch rolled back"`)
	assert.Contains(t, logs.String(), `"error_type":"transaction_failed"`)
	assert.Contains(t, logs.String(), `"operation":"enqueue"`)
	assert.NotContains(t, logs.String(), "in:a", "payloads are never logged")
	d, err := p.QueueDepths(ctx)
	require.NoError(t, err)
	assert.Zero(t, d.Orchestrator)
	// The writer carries on.
	require.NoError(t, p.EnqueueOrchestrator(ctx, start("b"), 0))
	assert.Equal(t, "b", mustFetch(t, p).InstanceID)
}

// TestCancelQueuedRequest: a request cancelled while it waits in a batch is
// skipped: the caller gets TypeCanceled and nothing changes.
func TestCancelQueuedRequest(t *testing.T) {
	t.Parallel()
	p := openMem(t)
	release := make(chan struct{})
	var once sync.Once
	p.w.beforeDrain = func() { once.Do(func() { <-release }) }
	var wg sync.WaitGroup
	wg.Go(func() {
		_ = p.submit(context.Background(), provobs.OpEnqueue, func(*wtx) error { return nil }, nil)
	})
	time.Sleep(20 * time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	var err error
	wg.Go(func() { err = p.EnqueueOrchestrator(ctx, start("a"), 0) })
	time.Sleep(50 * time.Millisecond) // the enqueue is in the writer's channel
	close(release)                    // the writer drains the enqueue into the batch ...
	cancel()                          // ... which may or may not have started it
	wg.Wait()
	d, derr := p.QueueDepths(context.Background())
	require.NoError(t, derr)
	if err == nil {
		assert.Equal(t, int64(1), d.Orchestrator, "told it ran: it must have run")
	} else {
		requireType(t, provobs.TypeCanceled, err)
		assert.ErrorIs(t, err, context.Canceled)
		assert.Zero(t, d.Orchestrator, "told it was cancelled: it must not have run")
	}
}

// TestCancelBeforeRun: a request whose context ends before the writer starts
// it is answered TypeCanceled and does nothing.
func TestCancelBeforeRun(t *testing.T) {
	t.Parallel()
	p := openMem(t)
	release := blockWriter(t, p)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- p.EnqueueOrchestrator(ctx, start("a"), 0) }()
	time.Sleep(20 * time.Millisecond)
	cancel()
	select {
	case err := <-errc:
		requireType(t, provobs.TypeCanceled, err)
	case <-time.After(5 * time.Second):
		t.Fatal("a cancelled caller did not return while the writer was busy")
	}
	release()
	d, err := p.QueueDepths(context.Background())
	require.NoError(t, err)
	assert.Zero(t, d.Orchestrator)
}

// TestCancelRunningMutationReportsOutcome: a mutation the writer already
// started is reported as it happened, even if its context ends meanwhile.
func TestCancelRunningMutationReportsOutcome(t *testing.T) {
	t.Parallel()
	p := openMem(t)
	ctx, cancel := context.WithCancel(context.Background())
	p.w.afterRun = func(r *request) {
		if r.op == provobs.OpEnqueue {
			cancel()
		}
	}
	require.NoError(t, p.EnqueueOrchestrator(ctx, start("a"), 0))
	d, err := p.QueueDepths(context.Background())
	require.NoError(t, err)
	assert.Equal(t, int64(1), d.Orchestrator)
}

// TestCancelRunningFetchReleasesLock: a fetch whose caller gives up while
// the writer runs it returns TypeCanceled, and the writer releases the lock
// it took (giving the attempt back), so no lock is left behind.
func TestCancelRunningFetchReleasesLock(t *testing.T) {
	stores(t, func(t *testing.T, open func(...Option) *Provider) {
		p := open()
		require.NoError(t, p.EnqueueOrchestrator(context.Background(), start("a"), 0))
		require.NoError(t, p.EnqueueWorker(context.Background(), activity("a", 1, "")))
		var mu sync.Mutex
		cancels := map[provobs.Op]context.CancelFunc{}
		p.w.afterRun = func(r *request) {
			mu.Lock()
			cancel := cancels[r.op]
			delete(cancels, r.op)
			mu.Unlock()
			if cancel == nil {
				return
			}
			cancel()
			for r.state.Load() != reqAbandoned {
				time.Sleep(time.Millisecond)
			}
		}
		for _, op := range []provobs.Op{provobs.OpFetch, provobs.OpDequeue} {
			ctx, cancel := context.WithCancel(context.Background())
			mu.Lock()
			cancels[op] = cancel
			mu.Unlock()
			var err error
			if op == provobs.OpFetch {
				_, err = p.FetchOrchestrationItem(ctx, provobs.FetchOptions{LockTimeout: time.Hour})
			} else {
				_, err = p.DequeueWorker(ctx, provobs.FetchOptions{LockTimeout: time.Hour}, nil)
			}
			requireType(t, provobs.TypeCanceled, err)
		}
		// The release runs in the writer's next batch, just after the
		// caller was told; wait for it.
		var it *provobs.OrchestrationItem
		require.Eventually(t, func() bool {
			var err error
			it, err = p.FetchOrchestrationItem(context.Background(), provobs.FetchOptions{})
			return err == nil && it != nil
		}, 5*time.Second, 5*time.Millisecond)
		assert.Equal(t, 1, it.AttemptCount, "the abandoned fetch gave its attempt back")
		var w *provobs.WorkerItem
		require.Eventually(t, func() bool {
			var err error
			w, err = p.DequeueWorker(context.Background(), provobs.FetchOptions{}, nil)
			return err == nil && w != nil
		}, 5*time.Second, 5*time.Millisecond)
		assert.Equal(t, 1, w.AttemptCount)
	})
}

// TestLongPollWakeup: an enqueue, ack or abandon in the same process wakes a
// waiting fetch or dequeue at once.
func TestLongPollWakeup(t *testing.T) {
	stores(t, func(t *testing.T, open func(...Option) *Provider) {
		p := open()
		ctx := context.Background()
		poll := provobs.FetchOptions{PollTimeout: 10 * time.Second}

		type res struct {
			it  *provobs.OrchestrationItem
			err error
			d   time.Duration
		}
		fc := make(chan res, 1)
		go func() {
			t0 := time.Now()
			it, err := p.FetchOrchestrationItem(ctx, poll)
			fc <- res{it, err, time.Since(t0)}
		}()
		time.Sleep(50 * time.Millisecond)
		require.NoError(t, p.EnqueueOrchestrator(ctx, start("a"), 0))
		r := <-fc
		require.NoError(t, r.err)
		require.NotNil(t, r.it)
		assert.Less(t, r.d, 2*time.Second)

		wc := make(chan res, 1)
		go func() {
			t0 := time.Now()
			w, err := p.DequeueWorker(ctx, poll, nil)
			if w == nil && err == nil {
				err = fmt.Errorf("no item")
			}
			wc <- res{nil, err, time.Since(t0)}
		}()
		time.Sleep(50 * time.Millisecond)
		// The ack enqueues the activity and wakes the dequeue.
		require.NoError(t, p.AckOrchestrationItem(ctx, r.it.LockToken, provobs.OrchestrationAck{
			ExecutionID: 1, WorkerItems: []provobs.WorkItem{activity("a", 1, "")},
		}))
		w := <-wc
		require.NoError(t, w.err)
		assert.Less(t, w.d, 2*time.Second)
	})
}

// TestLongPollTimeout: with no work a poll returns (nil, nil) after about
// PollTimeout; a future message wakes it when it becomes visible.
func TestLongPollTimeout(t *testing.T) {
	stores(t, func(t *testing.T, open func(...Option) *Provider) {
		p := open()
		ctx := context.Background()
		t0 := time.Now()
		it, err := p.FetchOrchestrationItem(ctx, provobs.FetchOptions{PollTimeout: 100 * time.Millisecond})
		require.NoError(t, err)
		assert.Nil(t, it)
		assert.GreaterOrEqual(t, time.Since(t0), 100*time.Millisecond)

		require.NoError(t, p.EnqueueOrchestrator(ctx, start("a"), 150*time.Millisecond))
		t0 = time.Now()
		it, err = p.FetchOrchestrationItem(ctx, provobs.FetchOptions{PollTimeout: 10 * time.Second})
		require.NoError(t, err)
		require.NotNil(t, it)
		assert.Less(t, time.Since(t0), 2*time.Second, "woken at the message's visibility, not at PollTimeout")
	})
}

// TestCloseWakesPollAndFailsLaterCalls: Close ends a long poll with
// TypeClosed, every later call fails with TypeClosed, Close is idempotent.
func TestCloseWakesPollAndFailsLaterCalls(t *testing.T) {
	stores(t, func(t *testing.T, open func(...Option) *Provider) {
		p := open()
		ctx := context.Background()
		errc := make(chan error, 1)
		go func() {
			_, err := p.FetchOrchestrationItem(ctx, provobs.FetchOptions{PollTimeout: time.Minute})
			errc <- err
		}()
		time.Sleep(50 * time.Millisecond)
		require.NoError(t, p.Close())
		requireType(t, provobs.TypeClosed, <-errc)
		require.NoError(t, p.Close())

		calls := map[string]error{}
		_, calls["fetch"] = p.FetchOrchestrationItem(ctx, provobs.FetchOptions{})
		calls["ack"] = p.AckOrchestrationItem(ctx, "x", provobs.OrchestrationAck{ExecutionID: 1})
		calls["abandon"] = p.AbandonOrchestrationItem(ctx, "x", provobs.AbandonOptions{})
		calls["renew"] = p.RenewOrchestrationItemLock(ctx, "x", time.Second)
		calls["enqueue"] = p.EnqueueOrchestrator(ctx, start("a"), 0)
		calls["enqueue_worker"] = p.EnqueueWorker(ctx, activity("a", 1, ""))
		_, calls["dequeue"] = p.DequeueWorker(ctx, provobs.FetchOptions{}, nil)
		calls["ack_worker"] = p.AckWorker(ctx, "x", nil)
		calls["abandon_worker"] = p.AbandonWorker(ctx, "x", provobs.AbandonOptions{})
		calls["renew_worker"] = p.RenewWorkerLock(ctx, "x", time.Second)
		_, calls["renew_session"] = p.RenewSessionLock(ctx, []string{"o"}, time.Second, 0)
		_, calls["cleanup"] = p.CleanupOrphanedSessions(ctx, 0)
		_, calls["history"] = p.ReadHistory(ctx, "a", 0)
		_, calls["depths"] = p.QueueDepths(ctx)
		_, calls["list"] = p.ListInstances(ctx, provobs.ListOptions{})
		_, calls["info"] = p.InstanceInfo(ctx, "a")
		for name, err := range calls {
			assert.Equal(t, provobs.TypeClosed, provobs.TypeOf(err), name)
		}
	})
}

// TestBusyIsLockTimeout: a write lock held by another connection (another
// process, say) makes a write wait the busy timeout, then fail with a
// retryable TypeLockTimeout; once the lock is free, writes go through.
func TestBusyIsLockTimeout(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "busy.db")
	p, err := Open(context.Background(), path, WithBusyTimeout(50*time.Millisecond))
	require.NoError(t, err)
	defer p.Close()

	other, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	defer other.Close()
	conn, err := other.Conn(context.Background())
	require.NoError(t, err)
	defer conn.Close()
	_, err = conn.ExecContext(context.Background(), "BEGIN IMMEDIATE")
	require.NoError(t, err)

	err = p.EnqueueOrchestrator(context.Background(), start("a"), 0)
	requireType(t, provobs.TypeLockTimeout, err)
	assert.True(t, provobs.IsRetryable(err))

	_, err = conn.ExecContext(context.Background(), "COMMIT")
	require.NoError(t, err)
	require.NoError(t, p.EnqueueOrchestrator(context.Background(), start("a"), 0))
}

// TestTwoProvidersShareAFile: two providers (as two processes would) on one
// file see each other's work, and every instance is fetched exactly once.
func TestTwoProvidersShareAFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "shared.db")
	ctx := context.Background()
	a, err := Open(ctx, path)
	require.NoError(t, err)
	defer a.Close()
	b, err := Open(ctx, path)
	require.NoError(t, err)
	defer b.Close()

	const n = 40
	var wg sync.WaitGroup
	for i := range n {
		p := a
		if i%2 == 1 {
			p = b
		}
		wg.Go(func() { assert.NoError(t, p.EnqueueOrchestrator(ctx, start(fmt.Sprintf("i%02d", i)), 0)) })
	}
	wg.Wait()
	var mu sync.Mutex
	seen := map[string]int{}
	for _, p := range []*Provider{a, b} {
		wg.Go(func() {
			for {
				it, err := p.FetchOrchestrationItem(ctx, provobs.FetchOptions{})
				if !assert.NoError(t, err) || it == nil {
					return
				}
				mu.Lock()
				seen[it.InstanceID]++
				mu.Unlock()
				assert.NoError(t, p.AckOrchestrationItem(ctx, it.LockToken, provobs.OrchestrationAck{ExecutionID: 1}))
			}
		})
	}
	wg.Wait()
	assert.Len(t, seen, n)
	for id, c := range seen {
		assert.Equal(t, 1, c, id)
	}
}

// TestLockOnlyBatchesSkipFsync: at synchronous=FULL a batch of only fetches,
// dequeues or renews commits at NORMAL (no fsync); any other batch at FULL.
// A store opened at NORMAL never switches.
func TestLockOnlyBatchesSkipFsync(t *testing.T) {
	t.Parallel()
	level := func(p *Provider) int {
		var v int
		require.NoError(t, p.w.conn.QueryRowContext(bgctx, "PRAGMA synchronous").Scan(&v))
		return v
	}
	p := openFile(t)
	require.NoError(t, p.EnqueueOrchestrator(bgctx, start("a"), 0))
	assert.Equal(t, 2, level(p), "FULL after an enqueue")
	it := mustFetch(t, p)
	assert.Equal(t, 1, level(p), "NORMAL after a fetch-only batch")
	require.NoError(t, p.RenewOrchestrationItemLock(bgctx, it.LockToken, time.Minute))
	assert.Equal(t, 1, level(p))
	require.NoError(t, p.AckOrchestrationItem(bgctx, it.LockToken, provobs.OrchestrationAck{ExecutionID: 1}))
	assert.Equal(t, 2, level(p), "FULL again for the ack")

	n := openFile(t, WithSynchronous(SynchronousNormal))
	require.NoError(t, n.EnqueueOrchestrator(bgctx, start("a"), 0))
	assert.Equal(t, 1, level(n))
}
