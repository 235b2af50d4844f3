package stress_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/sqlite/sqlitetest"
	"github.com/provobs/provobs/stress"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestRunCompletesEveryOrchestration(t *testing.T) {
	t.Parallel()
	store := sqlitetest.New(t)
	res, err := stress.Run(context.Background(), store, stress.Config{
		Instances:        30,
		MaxConcurrent:    8,
		TasksPerInstance: 3,
		NoActivityDelay:  true,
		PollTimeout:      20 * time.Millisecond,
	})
	require.NoError(t, err)
	assert.EqualValues(t, 30, res.Launched)
	assert.EqualValues(t, 30, res.Completed)
	assert.Zero(t, res.Failed, "%v", res.FailedByCause)
	assert.EqualValues(t, 90, res.Activities)
	assert.Equal(t, 30, res.Latency.Count)
	assert.Positive(t, res.Latency.P50)
	assert.LessOrEqual(t, res.Latency.P50, res.Latency.P95)
	assert.LessOrEqual(t, res.Latency.P95, res.Latency.P99)
	assert.LessOrEqual(t, res.Latency.P99, res.Latency.Max)
	assert.Positive(t, res.OrchestrationsPerSec)

	// The store agrees: every instance completed, with a gapless history.
	ctx := context.Background()
	list, err := store.ListInstances(ctx, provobs.ListOptions{Limit: 100})
	require.NoError(t, err)
	require.Len(t, list, 30)
	for _, info := range list {
		assert.Equal(t, provobs.StatusCompleted, info.Status, info.InstanceID)
		h, err := store.ReadHistory(ctx, info.InstanceID, 0)
		require.NoError(t, err)
		require.Len(t, h, 1+3+3+1, info.InstanceID)
		for i, e := range h {
			assert.EqualValues(t, i+1, e.ID, "history ids are 1..n without gaps")
		}
		assert.Equal(t, provobs.EventOrchestrationCompleted, h[len(h)-1].Kind)
	}
	d, err := store.QueueDepths(ctx)
	require.NoError(t, err)
	assert.Equal(t, provobs.QueueDepths{}, d, "nothing left queued")
}

func TestRunForDurationDrains(t *testing.T) {
	t.Parallel()
	var progress atomic.Int64
	res, err := stress.Run(context.Background(), sqlitetest.New(t), stress.Config{
		Duration:         300 * time.Millisecond,
		MaxConcurrent:    4,
		TasksPerInstance: 2,
		ActivityDelay:    time.Millisecond,
		Progress:         func(stress.Progress) { progress.Add(1) },
		ProgressInterval: 50 * time.Millisecond,
	})
	require.NoError(t, err)
	assert.Positive(t, res.Launched)
	assert.Equal(t, res.Launched, res.Completed, "the drain completes what was launched")
	assert.Equal(t, int(res.Completed), res.Latency.Count)
	assert.Positive(t, progress.Load(), "progress was reported")
	assert.GreaterOrEqual(t, res.ActivityTime, time.Duration(res.Activities)*time.Millisecond, "every activity worked at least its delay")
	assert.Positive(t, res.WorkerUtilization)
	assert.LessOrEqual(t, res.WorkerUtilization, 1.0)
}

// An activity whose ack keeps failing is redelivered until it passes
// MaxAttempts; then the orchestration fails as poison instead of retrying
// forever.
func TestRunPoisonsRepeatedFailures(t *testing.T) {
	t.Parallel()
	var failed atomic.Int64
	failFirstAcks := provobs.Intercept(provobs.InterceptorFunc(func(ctx context.Context, c *provobs.Call) error {
		if c.Op() == provobs.OpAckWorker && failed.Add(1) <= 2 {
			return provobs.NewError(c.Op(), provobs.TypeLockTimeout, nil)
		}
		return c.Invoke(ctx)
	}))
	store := sqlitetest.New(t)
	res, err := stress.Run(context.Background(), provobs.Chain(store, failFirstAcks), stress.Config{
		Instances:        1,
		TasksPerInstance: 1,
		NoActivityDelay:  true,
		MaxAttempts:      2,
		AbandonDelay:     time.Millisecond,
		PollTimeout:      20 * time.Millisecond,
	})
	require.NoError(t, err)
	assert.EqualValues(t, 1, res.Failed)
	assert.EqualValues(t, map[string]int64{stress.CausePoison: 1}, res.FailedByCause)
	assert.EqualValues(t, 2, res.Abandons)
	info, err := store.InstanceInfo(context.Background(), stress.DefaultInstancePrefix+"0")
	require.NoError(t, err)
	require.NotNil(t, info)
	assert.Equal(t, provobs.StatusFailed, info.Status)
}

func TestRunStopsWithContext(t *testing.T) {
	t.Parallel()
	// The store first: opening it can take longer than the run's 200ms
	// under -race on a loaded machine, and a run given an expired context
	// launches nothing.
	store := sqlitetest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	res, err := stress.Run(ctx, store, stress.Config{
		Duration:      time.Hour,
		ActivityDelay: 50 * time.Millisecond,
	})
	require.NoError(t, err)
	assert.Positive(t, res.Launched)
	assert.Equal(t, res.Launched, res.Completed+res.Failed)
	assert.Positive(t, res.FailedByCause[stress.CauseCanceled])
}

func TestRunRejectsNilProvider(t *testing.T) {
	t.Parallel()
	_, err := stress.Run(context.Background(), nil, stress.Config{})
	assert.Error(t, err)
}
