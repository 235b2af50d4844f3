package metrics_test

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/metrics"
	"github.com/provobs/provobs/obstest"
)

// depths reads the three queue-depth gauges and the poll error counter.
func depths(t *testing.T, m *metrics.Metrics) (orch, worker, timer, pollErrs float64) {
	fams := scrape(t, m)
	none := map[string]string{}
	return value(t, fams, provobs.MetricOrchestratorQueueDepth, none),
		value(t, fams, provobs.MetricWorkerQueueDepth, none),
		value(t, fams, provobs.MetricTimerQueueDepth, none),
		value(t, fams, provobs.MetricQueueDepthPollErrors, none)
}

// startPoller runs PollQueueDepths until the test ends.
func startPoller(t *testing.T, m *metrics.Metrics, admin provobs.Admin, logger *slog.Logger) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { m.PollQueueDepths(ctx, admin, 10*time.Millisecond, logger) })
	t.Cleanup(func() { cancel(); wg.Wait() })
}

func TestPollQueueDepthsFollowsTheStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := metrics.New()
	p := provobs.Chain(newStore(t), m.Middleware())
	startPoller(t, m, p.(provobs.Admin), nil)

	const n = 3
	for i := range n {
		id := string(rune('a' + i))
		require.NoError(t, p.EnqueueOrchestrator(ctx, provobs.WorkItem{Kind: provobs.KindStartOrchestration, InstanceID: id}, 0))
		require.NoError(t, p.EnqueueWorker(ctx, provobs.WorkItem{Kind: provobs.KindActivityExecute, InstanceID: id, ExecutionID: 1, CorrelationID: 1}))
	}
	require.NoError(t, p.EnqueueOrchestrator(ctx, provobs.WorkItem{Kind: provobs.KindTimerFired, InstanceID: "a", ExecutionID: 1}, time.Hour))

	requireDepths := func(wo, ww, wt float64) {
		t.Helper()
		require.EventuallyWithT(t, func(c *assert.CollectT) {
			o, w, tm, _ := depths(t, m)
			assert.Equal(c, []float64{wo, ww, wt}, []float64{o, w, tm})
		}, 5*time.Second, 10*time.Millisecond)
	}
	requireDepths(n, n, 1)

	item, err := p.FetchOrchestrationItem(ctx, provobs.FetchOptions{})
	require.NoError(t, err)
	require.NotNil(t, item)
	w, err := p.DequeueWorker(ctx, provobs.FetchOptions{}, nil)
	require.NoError(t, err)
	require.NotNil(t, w)
	requireDepths(n-1, n-1, 1)

	// The polls go through the chain, so they are observed too.
	assert.Positive(t, histogram(t, scrape(t, m), provobs.OpQueueDepths.MetricName()).GetSampleCount())
	_, _, _, pollErrs := depths(t, m)
	assert.Zero(t, pollErrs)
}

// failingAdmin answers QueueDepths with canned depths until fail is set.
type failingAdmin struct {
	provobs.Admin
	mu   sync.Mutex
	fail bool
}

func (f *failingAdmin) QueueDepths(context.Context) (provobs.QueueDepths, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail {
		return provobs.QueueDepths{}, provobs.NewError(provobs.OpQueueDepths, provobs.TypeLockTimeout, errors.New("busy"))
	}
	return provobs.QueueDepths{Orchestrator: 7, Worker: 8, Timer: 9}, nil
}

func TestPollQueueDepthsCountsAndLogsErrors(t *testing.T) {
	t.Parallel()
	m := metrics.New()
	admin := &failingAdmin{}
	var logs obstest.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	startPoller(t, m, admin, logger)

	require.EventuallyWithT(t, func(c *assert.CollectT) {
		o, w, tm, _ := depths(t, m)
		assert.Equal(c, []float64{7, 8, 9}, []float64{o, w, tm})
	}, 5*time.Second, 10*time.Millisecond)

	admin.mu.Lock()
	admin.fail = true
	admin.mu.Unlock()
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		_, _, _, errs := depths(t, m)
		assert.GreaterOrEqual(c, errs, 2.0)
	}, 5*time.Second, 10*time.Millisecond)

	o, w, tm, _ := depths(t, m)
	assert.Equal(t, []float64{7, 8, 9}, []float64{o, w, tm}, "a failed poll keeps the last values")
	out := logs.String()
	assert.Contains(t, out, "level=WARN")
	assert.Contains(t, out, "operation=queue_depths")
	assert.Contains(t, out, "error_type=lock_timeout")
}

func TestPollQueueDepthsStopsWithItsContext(t *testing.T) {
	t.Parallel()
	m := metrics.New()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		m.PollQueueDepths(ctx, &failingAdmin{}, time.Hour, nil)
	}()
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("PollQueueDepths did not return after its context was cancelled")
	}
}
