package stress_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/sqlite/sqlitetest"
	"github.com/provobs/provobs/stress"
)

// A run cut short by its context leaves orchestrations in flight (some of
// their work still locked); a resumed run on the same store finishes
// exactly those, launches nothing and leaves nothing queued.
func TestResumeFinishesWhatARunLeft(t *testing.T) {
	t.Parallel()
	store := sqlitetest.New(t)
	cfg := stress.Config{
		Duration:      time.Hour,
		MaxConcurrent: 6,
		ActivityDelay: 20 * time.Millisecond,
		LockTimeout:   300 * time.Millisecond,
		PollTimeout:   20 * time.Millisecond,
	}
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	first, err := stress.Run(ctx, store, cfg)
	require.NoError(t, err)
	require.Positive(t, first.Launched)
	require.Positive(t, first.FailedByCause[stress.CauseCanceled], "the first run left work behind")

	cfg.Resume = true
	cfg.DrainTimeout = 20 * time.Second
	res, err := stress.Run(context.Background(), store, cfg)
	require.NoError(t, err)
	assert.Zero(t, res.Launched, "a resumed run launches nothing")
	assert.Zero(t, res.Failed, "%v", res.FailedByCause)
	assert.Equal(t, first.Launched, first.Completed+res.Completed, "each orchestration completes once, in one run or the other")
	assert.Zero(t, res.Latency.Count, "start times belong to the first run")

	bg := context.Background()
	list, err := store.ListInstances(bg, provobs.ListOptions{Limit: 1000})
	require.NoError(t, err)
	assert.Len(t, list, int(first.Launched))
	for _, info := range list {
		assert.Equal(t, provobs.StatusCompleted, info.Status, info.InstanceID)
	}
	d, err := store.QueueDepths(bg)
	require.NoError(t, err)
	assert.Equal(t, provobs.QueueDepths{}, d)
}

// Resuming an empty store ends once the lock timeout has passed, with
// nothing done.
func TestResumeEmptyStore(t *testing.T) {
	t.Parallel()
	res, err := stress.Run(context.Background(), sqlitetest.New(t), stress.Config{
		Resume: true, LockTimeout: 50 * time.Millisecond, PollTimeout: 10 * time.Millisecond,
	})
	require.NoError(t, err)
	assert.Zero(t, res.Completed+res.Failed+res.Activities)
	assert.GreaterOrEqual(t, res.Elapsed, 50*time.Millisecond, "a dead process's locks could hide work until then")
}

// An instance that cannot finish (it has no work queued) is charged to the
// timeout when the drain ends.
func TestResumeTimesOutOnStuckInstance(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := sqlitetest.New(t)
	require.NoError(t, store.EnqueueOrchestrator(ctx, provobs.WorkItem{Kind: provobs.KindStartOrchestration, InstanceID: "stuck"}, 0))
	it, err := store.FetchOrchestrationItem(ctx, provobs.FetchOptions{})
	require.NoError(t, err)
	require.NoError(t, store.AckOrchestrationItem(ctx, it.LockToken, provobs.OrchestrationAck{
		ExecutionID: 1, Metadata: provobs.InstanceMetadata{Status: provobs.StatusRunning},
		HistoryDelta: []provobs.Event{{ID: 1, Kind: provobs.EventOrchestrationStarted}},
	}))

	res, err := stress.Run(ctx, store, stress.Config{
		Resume: true, LockTimeout: 10 * time.Millisecond, PollTimeout: 10 * time.Millisecond,
		DrainTimeout: 100 * time.Millisecond,
	})
	require.NoError(t, err)
	assert.Equal(t, map[string]int64{stress.CauseTimeout: 1}, res.FailedByCause)
}

func TestResumeNeedsAdmin(t *testing.T) {
	t.Parallel()
	noAdmin := struct{ provobs.Provider }{sqlitetest.New(t)}
	_, err := stress.Run(context.Background(), noAdmin, stress.Config{Resume: true})
	assert.Error(t, err)
}
