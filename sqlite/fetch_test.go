package sqlite

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/provobs/provobs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var bgctx = context.Background()

// TestFetchBatchesAnInstanceAndKeepsLateMessages: a fetch takes every
// visible message of one instance; a message that arrives under the lock
// waits for the next fetch and the ack deletes only the batch.
func TestFetchBatchesAnInstanceAndKeepsLateMessages(t *testing.T) {
	stores(t, func(t *testing.T, open func(...Option) *Provider) {
		p := open()
		require.NoError(t, p.EnqueueOrchestrator(bgctx, start("a"), 0))
		require.NoError(t, p.EnqueueOrchestrator(bgctx, start("b"), 0))
		require.NoError(t, p.EnqueueOrchestrator(bgctx, provobs.WorkItem{Kind: provobs.KindExternalRaised, InstanceID: "a", Payload: []byte{}}, 0))

		it := mustFetch(t, p)
		assert.Equal(t, "a", it.InstanceID)
		require.Len(t, it.Messages, 2)
		assert.Equal(t, provobs.KindStartOrchestration, it.Messages[0].Kind)
		assert.Equal(t, []byte("in:a"), it.Messages[0].Payload)
		assert.NotNil(t, it.Messages[1].Payload, "an empty payload reads back empty, not nil")
		assert.Empty(t, it.Messages[1].Payload)
		assert.Zero(t, it.ExecutionID)
		assert.Empty(t, it.History)

		require.NoError(t, p.EnqueueOrchestrator(bgctx, provobs.WorkItem{Kind: provobs.KindExternalRaised, InstanceID: "a"}, 0))
		assert.Equal(t, "b", mustFetch(t, p).InstanceID, "a is locked")
		require.NoError(t, p.AckOrchestrationItem(bgctx, it.LockToken, provobs.OrchestrationAck{
			ExecutionID:  1,
			HistoryDelta: []provobs.Event{ev(1, provobs.EventOrchestrationStarted)},
		}))
		late := mustFetch(t, p)
		assert.Equal(t, "a", late.InstanceID)
		require.Len(t, late.Messages, 1)
		assert.Nil(t, late.Messages[0].Payload, "a nil payload reads back nil")
		assert.Equal(t, uint64(1), late.ExecutionID)
		assert.Len(t, late.History, 1)
		assert.Equal(t, 1, late.AttemptCount)
	})
}

// TestLockExpiryAndRenew uses a fake clock: an expired lock is refetched with
// a new token and a higher attempt count; the old token is lock-lost for
// ack, renew and abandon; a renewed lock does not expire.
func TestLockExpiryAndRenew(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	p := openMem(t, WithClock(clk.Now))
	require.NoError(t, p.EnqueueOrchestrator(bgctx, start("a"), 0))
	lock := provobs.FetchOptions{LockTimeout: time.Minute}
	first := mustFetch(t, p, lock)

	clk.Advance(50 * time.Second)
	require.NoError(t, p.RenewOrchestrationItemLock(bgctx, first.LockToken, time.Minute))
	clk.Advance(50 * time.Second)
	it, err := p.FetchOrchestrationItem(bgctx, lock)
	require.NoError(t, err)
	assert.Nil(t, it, "renewed lock still held")

	clk.Advance(11 * time.Second)
	second := mustFetch(t, p, lock)
	assert.NotEqual(t, first.LockToken, second.LockToken)
	assert.Equal(t, 2, second.AttemptCount)
	requireType(t, provobs.TypeLockLost, p.AckOrchestrationItem(bgctx, first.LockToken, provobs.OrchestrationAck{ExecutionID: 1}))
	requireType(t, provobs.TypeLockLost, p.RenewOrchestrationItemLock(bgctx, first.LockToken, time.Minute))
	requireType(t, provobs.TypeLockLost, p.AbandonOrchestrationItem(bgctx, first.LockToken, provobs.AbandonOptions{}))
	require.NoError(t, p.AckOrchestrationItem(bgctx, second.LockToken, provobs.OrchestrationAck{ExecutionID: 1}))
	requireType(t, provobs.TypeLockLost, p.AckOrchestrationItem(bgctx, second.LockToken, provobs.OrchestrationAck{ExecutionID: 1}))
}

// TestAbandonDelayAndIgnoreAttempt: an abandon with a delay hides the batch
// until then (counted as a timer); IgnoreAttempt gives the attempt back.
func TestAbandonDelayAndIgnoreAttempt(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	p := openMem(t, WithClock(clk.Now))
	require.NoError(t, p.EnqueueOrchestrator(bgctx, start("a"), 0))
	it := mustFetch(t, p)
	require.NoError(t, p.AbandonOrchestrationItem(bgctx, it.LockToken, provobs.AbandonOptions{Delay: time.Minute, IgnoreAttempt: true}))
	d, err := p.QueueDepths(bgctx)
	require.NoError(t, err)
	assert.Equal(t, provobs.QueueDepths{Timer: 1}, d)
	none, err := p.FetchOrchestrationItem(bgctx, provobs.FetchOptions{})
	require.NoError(t, err)
	assert.Nil(t, none)
	clk.Advance(time.Minute)
	it = mustFetch(t, p)
	assert.Equal(t, 1, it.AttemptCount)
	require.NoError(t, p.AbandonOrchestrationItem(bgctx, it.LockToken, provobs.AbandonOptions{}))
	assert.Equal(t, 2, mustFetch(t, p).AttemptCount)
}

// TestTimerFiresAtFireAt: a TimerFired item in an ack becomes visible at its
// FireAt, and FireAt round-trips.
func TestTimerFiresAtFireAt(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	p := openMem(t, WithClock(clk.Now))
	require.NoError(t, p.EnqueueOrchestrator(bgctx, start("a"), 0))
	it := mustFetch(t, p)
	fire := clk.Now().Add(time.Hour)
	require.NoError(t, p.AckOrchestrationItem(bgctx, it.LockToken, provobs.OrchestrationAck{
		ExecutionID:       1,
		HistoryDelta:      []provobs.Event{ev(1, provobs.EventOrchestrationStarted), ev(2, provobs.EventTimerCreated)},
		OrchestratorItems: []provobs.WorkItem{{Kind: provobs.KindTimerFired, InstanceID: "a", ExecutionID: 1, CorrelationID: 2, FireAt: fire}},
	}))
	d, err := p.QueueDepths(bgctx)
	require.NoError(t, err)
	assert.Equal(t, provobs.QueueDepths{Timer: 1}, d)
	clk.Advance(time.Hour - time.Nanosecond)
	none, err := p.FetchOrchestrationItem(bgctx, provobs.FetchOptions{})
	require.NoError(t, err)
	assert.Nil(t, none)
	clk.Advance(time.Nanosecond)
	it = mustFetch(t, p)
	require.Len(t, it.Messages, 1)
	assert.True(t, fire.Equal(it.Messages[0].FireAt))
	assert.Equal(t, uint64(2), it.Messages[0].CorrelationID)
}

// TestContinueAsNew: an ack with a new execution id makes it current;
// ReadHistory(0) reads it and each execution keeps its own history.
func TestContinueAsNew(t *testing.T) {
	stores(t, func(t *testing.T, open func(...Option) *Provider) {
		p := open()
		require.NoError(t, p.EnqueueOrchestrator(bgctx, start("a"), 0))
		it := mustFetch(t, p)
		require.NoError(t, p.AckOrchestrationItem(bgctx, it.LockToken, provobs.OrchestrationAck{
			ExecutionID:       1,
			HistoryDelta:      []provobs.Event{ev(1, provobs.EventOrchestrationStarted), ev(2, provobs.EventContinuedAsNew)},
			Metadata:          provobs.InstanceMetadata{Name: "wf", Status: provobs.StatusContinuedAsNew, Output: []byte("o1")},
			OrchestratorItems: []provobs.WorkItem{{Kind: provobs.KindContinueAsNew, InstanceID: "a", ExecutionID: 2}},
		}))
		it = mustFetch(t, p)
		assert.Equal(t, uint64(1), it.ExecutionID)
		require.NoError(t, p.AckOrchestrationItem(bgctx, it.LockToken, provobs.OrchestrationAck{
			ExecutionID:  2,
			HistoryDelta: []provobs.Event{ev(1, provobs.EventOrchestrationStarted)},
			Metadata:     provobs.InstanceMetadata{Status: provobs.StatusRunning},
		}))
		latest, err := p.ReadHistory(bgctx, "a", 0)
		require.NoError(t, err)
		assert.Len(t, latest, 1)
		first, err := p.ReadHistory(bgctx, "a", 1)
		require.NoError(t, err)
		assert.Len(t, first, 2)
		unknown, err := p.ReadHistory(bgctx, "zz", 0)
		require.NoError(t, err)
		assert.NotNil(t, unknown)
		assert.Empty(t, unknown)
		info, err := p.InstanceInfo(bgctx, "a")
		require.NoError(t, err)
		assert.Equal(t, uint64(2), info.ExecutionID)
		assert.Equal(t, provobs.StatusRunning, info.Status)
		assert.Equal(t, "wf", info.Name)
		assert.Nil(t, info.Output, "execution 2 has no output yet")
	})
}

// TestConcurrentFetchersGetDistinctInstances: N fetchers racing get N
// different instances.
func TestConcurrentFetchersGetDistinctInstances(t *testing.T) {
	stores(t, func(t *testing.T, open func(...Option) *Provider) {
		p := open()
		const n = 16
		for i := range n {
			require.NoError(t, p.EnqueueOrchestrator(bgctx, start(fmt.Sprintf("i%02d", i)), 0))
		}
		var mu sync.Mutex
		seen := map[string]bool{}
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() {
				it, err := p.FetchOrchestrationItem(bgctx, provobs.FetchOptions{})
				if assert.NoError(t, err) && assert.NotNil(t, it) {
					mu.Lock()
					assert.False(t, seen[it.InstanceID], it.InstanceID)
					seen[it.InstanceID] = true
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		assert.Len(t, seen, n)
	})
}

// TestInvalidArguments: bad input is TypeInvalidArgument and changes nothing.
func TestInvalidArguments(t *testing.T) {
	t.Parallel()
	p := openMem(t)
	cases := map[string]error{
		"empty instance":   p.EnqueueOrchestrator(bgctx, provobs.WorkItem{Kind: provobs.KindStartOrchestration}, 0),
		"zero kind":        p.EnqueueOrchestrator(bgctx, provobs.WorkItem{InstanceID: "a"}, 0),
		"activity on orch": p.EnqueueOrchestrator(bgctx, activity("a", 1, ""), 0),
		"negative delay":   p.EnqueueOrchestrator(bgctx, start("a"), -time.Second),
		"start on worker":  p.EnqueueWorker(bgctx, start("a")),
		"ack execution 0":  p.AckOrchestrationItem(bgctx, "t", provobs.OrchestrationAck{}),
		"negative renew":   p.RenewOrchestrationItemLock(bgctx, "t", -time.Second),
		"bad completion":   p.AckWorker(bgctx, "t", &provobs.WorkItem{Kind: provobs.KindActivityExecute, InstanceID: "a"}),
		"negative abandon": p.AbandonWorker(bgctx, "t", provobs.AbandonOptions{Delay: -1}),
		"negative cleanup": func() error { _, err := p.CleanupOrphanedSessions(bgctx, -1); return err }(),
		"empty owner": func() error {
			_, err := p.DequeueWorker(bgctx, provobs.FetchOptions{}, &provobs.SessionConfig{})
			return err
		}(),
		"negative poll": func() error {
			_, err := p.FetchOrchestrationItem(bgctx, provobs.FetchOptions{PollTimeout: -1})
			return err
		}(),
		"bad worker in ack": p.AckOrchestrationItem(bgctx, "t", provobs.OrchestrationAck{ExecutionID: 1, WorkerItems: []provobs.WorkItem{start("a")}}),
	}
	for name, err := range cases {
		assert.Equal(t, provobs.TypeInvalidArgument, provobs.TypeOf(err), name)
	}
	d, err := p.QueueDepths(bgctx)
	require.NoError(t, err)
	assert.Equal(t, provobs.QueueDepths{}, d)
	requireType(t, provobs.TypeLockLost, p.AckOrchestrationItem(bgctx, "", provobs.OrchestrationAck{ExecutionID: 1}))
	requireType(t, provobs.TypeLockLost, p.AckWorker(bgctx, "nope", nil))
}
