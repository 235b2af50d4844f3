package sqlite

import (
	"testing"
	"time"

	"github.com/provobs/provobs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func dequeue(t *testing.T, p *Provider, s *provobs.SessionConfig) *provobs.WorkerItem {
	t.Helper()
	w, err := p.DequeueWorker(bgctx, provobs.FetchOptions{LockTimeout: time.Minute}, s)
	require.NoError(t, err)
	return w
}

// TestWorkerQueue: FIFO, peek-lock, attempt counts, ack with completion,
// abandon, renew, and expiry (fake clock).
func TestWorkerQueue(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	p := openMem(t, WithClock(clk.Now))
	for c := uint64(1); c <= 3; c++ {
		require.NoError(t, p.EnqueueWorker(bgctx, activity("a", c, "")))
	}
	w1 := dequeue(t, p, nil)
	require.NotNil(t, w1)
	assert.Equal(t, uint64(1), w1.Item.CorrelationID)
	assert.Equal(t, 1, w1.AttemptCount)
	w2 := dequeue(t, p, nil)
	assert.Equal(t, uint64(2), w2.Item.CorrelationID)

	done := provobs.WorkItem{Kind: provobs.KindActivityCompleted, InstanceID: "a", ExecutionID: 1, CorrelationID: 1}
	require.NoError(t, p.AckWorker(bgctx, w1.LockToken, &done))
	it := mustFetch(t, p)
	assert.Equal(t, provobs.KindActivityCompleted, it.Messages[0].Kind)
	requireType(t, provobs.TypeLockLost, p.AckWorker(bgctx, w1.LockToken, nil))

	require.NoError(t, p.AbandonWorker(bgctx, w2.LockToken, provobs.AbandonOptions{IgnoreAttempt: true}))
	again := dequeue(t, p, nil)
	assert.Equal(t, uint64(2), again.Item.CorrelationID, "abandoned item is first again")
	assert.Equal(t, 1, again.AttemptCount)

	clk.Advance(50 * time.Second)
	require.NoError(t, p.RenewWorkerLock(bgctx, again.LockToken, time.Minute))
	clk.Advance(50 * time.Second)
	w3 := dequeue(t, p, nil)
	assert.Equal(t, uint64(3), w3.Item.CorrelationID, "renewed item still locked")
	clk.Advance(time.Minute)
	expired := dequeue(t, p, nil)
	assert.Equal(t, uint64(2), expired.Item.CorrelationID)
	assert.Equal(t, 2, expired.AttemptCount)
	requireType(t, provobs.TypeLockLost, p.RenewWorkerLock(bgctx, again.LockToken, time.Minute))
}

// TestCancelledActivities: an ack deletes cancelled activities, locked ones
// too (the worker's renew then fails with lock-lost), and scheduling and
// cancelling in one ack is a no-op.
func TestCancelledActivities(t *testing.T) {
	stores(t, func(t *testing.T, open func(...Option) *Provider) {
		p := open()
		require.NoError(t, p.EnqueueOrchestrator(bgctx, start("a"), 0))
		it := mustFetch(t, p)
		require.NoError(t, p.AckOrchestrationItem(bgctx, it.LockToken, provobs.OrchestrationAck{
			ExecutionID: 1,
			WorkerItems: []provobs.WorkItem{activity("a", 1, ""), activity("a", 2, ""), activity("a", 3, "")},
			// 3 is scheduled and cancelled in the same turn.
			CancelledActivities: []uint64{3},
		}))
		locked := dequeue(t, p, nil)
		require.Equal(t, uint64(1), locked.Item.CorrelationID)

		require.NoError(t, p.EnqueueOrchestrator(bgctx, provobs.WorkItem{Kind: provobs.KindCancelInstance, InstanceID: "a"}, 0))
		it = mustFetch(t, p)
		require.NoError(t, p.AckOrchestrationItem(bgctx, it.LockToken, provobs.OrchestrationAck{
			ExecutionID: 1, CancelledActivities: []uint64{1, 2},
		}))
		requireType(t, provobs.TypeLockLost, p.RenewWorkerLock(bgctx, locked.LockToken, time.Minute))
		requireType(t, provobs.TypeLockLost, p.AckWorker(bgctx, locked.LockToken, nil))
		assert.Nil(t, dequeue(t, p, nil))
	})
}

// TestSessions (fake clock): affinity, takeover after lease expiry, renew
// skips idle sessions and never revives an expired one, cleanup keeps
// sessions that still have items.
func TestSessions(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	p := openMem(t, WithClock(clk.Now))
	a := &provobs.SessionConfig{OwnerID: "A", LockTimeout: time.Minute}
	b := &provobs.SessionConfig{OwnerID: "B", LockTimeout: time.Minute}
	require.NoError(t, p.EnqueueWorker(bgctx, activity("i", 1, "s1")))
	require.NoError(t, p.EnqueueWorker(bgctx, activity("i", 2, "s1")))

	assert.Nil(t, dequeue(t, p, nil), "session items need a session config")
	w := dequeue(t, p, a)
	require.NotNil(t, w)
	assert.Equal(t, "s1", w.Item.SessionID)
	assert.Nil(t, dequeue(t, p, b), "s1 belongs to A")
	w2 := dequeue(t, p, a)
	require.NotNil(t, w2, "A keeps its session")
	require.NoError(t, p.AckWorker(bgctx, w.LockToken, nil))

	// Renew keeps an active session; idle ones are skipped.
	clk.Advance(30 * time.Second)
	n, err := p.RenewSessionLock(bgctx, []string{"A"}, time.Minute, 20*time.Second)
	require.NoError(t, err)
	assert.Zero(t, n, "idle for 30s > 20s")
	require.NoError(t, p.RenewWorkerLock(bgctx, w2.LockToken, time.Minute)) // touches s1
	n, err = p.RenewSessionLock(bgctx, []string{"A", "nobody"}, time.Minute, 20*time.Second)
	require.NoError(t, err)
	assert.Equal(t, 1, n)

	// The lease expires; B takes over (after w2's lock expires too).
	require.NoError(t, p.AbandonWorker(bgctx, w2.LockToken, provobs.AbandonOptions{}))
	clk.Advance(61 * time.Second)
	n, err = p.RenewSessionLock(bgctx, []string{"A"}, time.Minute, 0)
	require.NoError(t, err)
	assert.Zero(t, n, "an expired lease is never renewed")
	n, err = p.CleanupOrphanedSessions(bgctx, 0)
	require.NoError(t, err)
	assert.Zero(t, n, "s1 still has an item")
	wb := dequeue(t, p, b)
	require.NotNil(t, wb, "B takes over the expired session")
	assert.Nil(t, dequeue(t, p, a))
	require.NoError(t, p.AckWorker(bgctx, wb.LockToken, nil))

	clk.Advance(61 * time.Second)
	n, err = p.CleanupOrphanedSessions(bgctx, 0)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
}

// TestAdmin: queue depths by the lock rule, and instance listing.
func TestAdmin(t *testing.T) {
	stores(t, func(t *testing.T, open func(...Option) *Provider) {
		p := open()
		for _, id := range []string{"c", "a", "b"} {
			require.NoError(t, p.EnqueueOrchestrator(bgctx, start(id), 0))
		}
		require.NoError(t, p.EnqueueOrchestrator(bgctx, start("later"), time.Hour))
		require.NoError(t, p.EnqueueWorker(bgctx, activity("a", 1, "")))
		d, err := p.QueueDepths(bgctx)
		require.NoError(t, err)
		assert.Equal(t, provobs.QueueDepths{Orchestrator: 3, Worker: 1, Timer: 1}, d)

		for i := range 3 {
			it := mustFetch(t, p)
			st := provobs.StatusRunning
			if i == 0 {
				st = provobs.StatusCompleted
			}
			require.NoError(t, p.AckOrchestrationItem(bgctx, it.LockToken, provobs.OrchestrationAck{
				ExecutionID: 1, Metadata: provobs.InstanceMetadata{Name: "wf", Version: "v1", Status: st, Output: []byte("out")},
			}))
		}
		_ = dequeue(t, p, nil)
		d, err = p.QueueDepths(bgctx)
		require.NoError(t, err)
		assert.Equal(t, provobs.QueueDepths{Timer: 1}, d)

		all, err := p.ListInstances(bgctx, provobs.ListOptions{})
		require.NoError(t, err)
		require.Len(t, all, 3)
		assert.Equal(t, []string{"a", "b", "c"}, []string{all[0].InstanceID, all[1].InstanceID, all[2].InstanceID})
		assert.Equal(t, []byte("out"), all[0].Output)
		assert.Equal(t, "v1", all[0].Version)
		assert.False(t, all[0].CreatedAt.IsZero())

		page, err := p.ListInstances(bgctx, provobs.ListOptions{After: "a", Limit: 1})
		require.NoError(t, err)
		require.Len(t, page, 1)
		assert.Equal(t, "b", page[0].InstanceID)

		done, err := p.ListInstances(bgctx, provobs.ListOptions{Status: provobs.StatusCompleted})
		require.NoError(t, err)
		require.Len(t, done, 1)
		assert.Equal(t, "c", done[0].InstanceID, "c was enqueued first, so fetched and completed first")

		none, err := p.InstanceInfo(bgctx, "zz")
		require.NoError(t, err)
		assert.Nil(t, none)
	})
}
