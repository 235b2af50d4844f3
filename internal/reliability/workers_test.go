package reliability_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/faults"
	"github.com/provobs/provobs/sqlite"
	"github.com/provobs/provobs/stress"
)

// Workers that die: an item whose worker stops without acking comes back
// after its lock timeout, to another process, with a higher attempt count;
// the dead worker's token is worthless; an item delivered more than the
// maximum attempts is poisoned and fails its orchestration once, with cause
// "poison".

// waitDequeue polls until an item is dequeued or the limit passes.
func waitDequeue(t *testing.T, p provobs.Provider, opts provobs.FetchOptions, limit time.Duration) *provobs.WorkerItem {
	t.Helper()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		w, err := p.DequeueWorker(context.Background(), opts, nil)
		require.NoError(t, err)
		if w != nil {
			return w
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no item within %v", limit)
	return nil
}

// Two providers on one file stand for two worker processes. The first
// dequeues and dies (closed without acking); the second gets the item only
// after the lock expires, with attempt 2, and its ack alone counts.
func TestDeadWorkerItemGoesToNextProcess(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "workers.db")
	const lock = 300 * time.Millisecond

	a, err := sqlite.Open(ctx, path)
	require.NoError(t, err)
	require.NoError(t, a.EnqueueWorker(ctx, activity("i", 7)))
	// No later than the store's own clock read for the lock: taken after
	// DequeueWorker returns, a loaded machine's delay would count as lock
	// time and the redelivery would look early.
	lockedAt := time.Now()
	first, err := a.DequeueWorker(ctx, provobs.FetchOptions{LockTimeout: lock}, nil)
	require.NoError(t, err)
	require.NotNil(t, first)
	assert.Equal(t, 1, first.AttemptCount)
	require.NoError(t, a.Close()) // the worker process dies holding the item

	b := openFile(t, path)
	w, err := b.DequeueWorker(ctx, provobs.FetchOptions{}, nil)
	require.NoError(t, err)
	if time.Since(lockedAt) < lock {
		assert.Nil(t, w, "the dead worker's lock still holds")
	}
	w = waitDequeue(t, b, provobs.FetchOptions{LockTimeout: time.Minute}, 10*time.Second)
	assert.GreaterOrEqual(t, time.Since(lockedAt), lock, "redelivered only after the lock expired")
	assert.Equal(t, activity("i", 7), w.Item)
	assert.Equal(t, 2, w.AttemptCount, "the redelivery counts as a new attempt")
	assert.NotEqual(t, first.LockToken, w.LockToken)

	// The dead worker's token (say, from a process that was only paused)
	// is worthless: its ack fails and enqueues nothing.
	requireType(t, provobs.TypeLockLost, b.AckWorker(ctx, first.LockToken, completion("i", 7)), "ack with the dead worker's token")
	requireType(t, provobs.TypeLockLost, b.RenewWorkerLock(ctx, first.LockToken, time.Minute), "renew with the dead worker's token")
	require.NoError(t, b.AckWorker(ctx, w.LockToken, completion("i", 7)))
	it, err := b.FetchOrchestrationItem(ctx, provobs.FetchOptions{})
	require.NoError(t, err)
	require.NotNil(t, it)
	assert.Equal(t, []provobs.WorkItem{*completion("i", 7)}, it.Messages, "exactly one completion")
}

// dies is a fault rule under which the dequeue or fetch of instance id takes
// its lock but never reaches the harness, max times: a dispatcher that dies
// holding the work.
func dies(op provobs.Op, id string, max int) faults.Rule {
	return faults.Rule{
		Ops: []provobs.Op{op}, Rate: 1, Max: max, After: true, Type: provobs.TypeUnknown,
		Match: func(c *provobs.Call) bool { return c.Instance() == id },
	}
}

func TestDeadDispatchersUnderStress(t *testing.T) {
	const maxAttempts = 3
	victim := stress.DefaultInstancePrefix + "1"
	cases := []struct {
		name       string
		rule       faults.Rule
		wantFailed bool
		// wantHistory is the victim's event kinds.
		wantHistory []provobs.EventKind
	}{
		{
			name: "activity_redelivered_until_done",
			rule: dies(provobs.OpDequeue, victim, maxAttempts-1),
			wantHistory: []provobs.EventKind{provobs.EventOrchestrationStarted, provobs.EventActivityScheduled,
				provobs.EventActivityCompleted, provobs.EventOrchestrationCompleted},
		},
		{
			name:       "activity_poisoned",
			rule:       dies(provobs.OpDequeue, victim, maxAttempts),
			wantFailed: true,
			wantHistory: []provobs.EventKind{provobs.EventOrchestrationStarted, provobs.EventActivityScheduled,
				provobs.EventOrchestrationFailed},
		},
		{
			name:        "orchestration_batch_poisoned",
			rule:        dies(provobs.OpFetch, victim, maxAttempts),
			wantFailed:  true,
			wantHistory: []provobs.EventKind{provobs.EventOrchestrationFailed},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			store := openFile(t, filepath.Join(t.TempDir(), "dead.db"), sqlite.WithSynchronous(sqlite.SynchronousNormal))
			in := faults.New(faults.Config{Rules: []faults.Rule{tc.rule}})
			res, err := stress.Run(ctx, provobs.Chain(store, in.Middleware()), stress.Config{
				Instances:        3,
				TasksPerInstance: 1,
				NoActivityDelay:  true,
				MaxAttempts:      maxAttempts,
				LockTimeout:      150 * time.Millisecond,
				PollTimeout:      20 * time.Millisecond,
				AbandonDelay:     5 * time.Millisecond,
				DrainTimeout:     20 * time.Second,
			})
			require.NoError(t, err)
			assert.EqualValues(t, tc.rule.Max, in.Total(), "each death was injected")
			// The harness never saw the dead deliveries, so it abandoned
			// nothing: every attempt past the first came from a lock expiry.
			assert.Zero(t, res.Abandons)
			if tc.wantFailed {
				assert.EqualValues(t, 2, res.Completed)
				assert.Equal(t, map[string]int64{stress.CausePoison: 1}, res.FailedByCause, "failed as poison, not retried forever")
			} else {
				assert.EqualValues(t, 3, res.Completed)
				assert.Zero(t, res.Failed)
			}

			info, err := store.InstanceInfo(ctx, victim)
			require.NoError(t, err)
			require.NotNil(t, info)
			h, err := store.ReadHistory(ctx, victim, 0)
			require.NoError(t, err)
			var kinds []provobs.EventKind
			for _, e := range h {
				kinds = append(kinds, e.Kind)
			}
			assert.Equal(t, tc.wantHistory, kinds)
			if tc.wantFailed {
				assert.Equal(t, provobs.StatusFailed, info.Status)
				assert.Equal(t, stress.CausePoison, string(info.Output), "the reason is recorded")
				assert.Equal(t, stress.CausePoison, string(h[len(h)-1].Payload))
			} else {
				assert.Equal(t, provobs.StatusCompleted, info.Status)
			}
			d, err := store.QueueDepths(ctx)
			require.NoError(t, err)
			assert.Equal(t, provobs.QueueDepths{}, d, "a poisoned item is not left to retry forever")
		})
	}
}
