package goworkflows_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	vm "github.com/VictoriaMetrics/metrics"
	"github.com/cschleiden/go-workflows/backend"
	gwmetrics "github.com/cschleiden/go-workflows/backend/metrics"
	"github.com/cschleiden/go-workflows/backend/sqlite"
	"github.com/cschleiden/go-workflows/client"
	"github.com/cschleiden/go-workflows/worker"
	"github.com/cschleiden/go-workflows/workflow"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/goworkflows"
	"github.com/provobs/provobs/metrics"
)

func oneActivity(ctx workflow.Context) (string, error) {
	return workflow.ExecuteActivity[string](ctx, workflow.DefaultActivityOptions, greet, "x").Get(ctx)
}

// TestMetricsClient runs workflows with go-workflows' metrics going to a
// MetricsClient on the Set of a provobs Metrics, and reads them back from
// the one exposition.
func TestMetricsClient(t *testing.T) {
	m := metrics.New()
	mc := goworkflows.NewMetricsClient(m.Set())
	raw := sqlite.NewInMemoryBackend(sqlite.WithBackendOptions(
		backend.WithMetrics(mc),
		backend.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))),
		backend.WithStickyTimeout(0),
	))
	b := goworkflows.Wrap(raw, m.Interceptor())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	w := worker.New(b, nil)
	require.NoError(t, w.RegisterWorkflow(oneActivity))
	require.NoError(t, w.RegisterActivity(greet))
	wctx, stop := context.WithCancel(ctx)
	require.NoError(t, w.Start(wctx))
	c := client.New(b)
	const n = 3
	for range n {
		inst, err := c.CreateWorkflowInstance(ctx, client.WorkflowInstanceOptions{InstanceID: uuid.NewString()}, oneActivity)
		require.NoError(t, err)
		_, err = client.GetWorkflowResult[string](ctx, c, inst, 30*time.Second)
		require.NoError(t, err)
	}
	stop()
	require.NoError(t, w.WaitForCompletion())
	require.NoError(t, b.Close())

	exp := exposition(m)
	assert.Equal(t, float64(n), exp[`workflows_workflow_created_total{backend="sqlite"}`])
	assert.Equal(t, float64(n), exp[`workflows_activity_task_scheduled_total{backend="sqlite"}`])
	var delays float64
	for series, v := range exp {
		if len(series) > len("workflows_activity_task_time_in_queue_count") &&
			series[:len("workflows_activity_task_time_in_queue_count")] == "workflows_activity_task_time_in_queue_count" {
			delays += v
		}
	}
	assert.Equal(t, float64(n), delays, "activity time_in_queue distribution")
	assert.Equal(t, float64(n), exp[provobs.OpEnqueue.MetricName()+"_count"], "provobs histogram in the same exposition")
}

// TestMetricsClientNames checks sanitizing, tag merging and type clashes.
func TestMetricsClientNames(t *testing.T) {
	set := vm.NewSet()
	c := goworkflows.NewMetricsClient(set)
	c.WithTags(gwmetrics.Tags{"backend": "x", "a.b": "q\"\\\n"}).Counter("workflows.a-b.c", gwmetrics.Tags{"backend": "y"}, 2)
	c.Gauge("1bad name", nil, 5)
	c.Timing("workflows.t", nil, 1500*time.Microsecond)
	c.Counter("workflows.neg", nil, -1)
	c.Gauge("clash_total", nil, 1)
	c.Counter("clash", nil, 1) // clash_total is a gauge: dropped, no panic
	names := set.ListMetricNames()
	assert.Contains(t, names, `workflows_a_b_c_total{a_b="q\"\\\n",backend="y"}`)
	assert.Contains(t, names, `_bad_name`)
	assert.Contains(t, names, `workflows_t`)
	assert.NotContains(t, names, `workflows_neg_total`)
	exp := setExposition(set)
	assert.Equal(t, 1.0, exp["workflows_t_count"])
	assert.Equal(t, 1.5, exp["workflows_t_sum"])
	assert.Equal(t, 1.0, exp["clash_total"])
}

// TestPollStats polls a backend with pending workflow tasks and no worker.
func TestPollStats(t *testing.T) {
	m := metrics.New()
	raw := sqlite.NewInMemoryBackend(sqlite.WithBackendOptions(backend.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))))
	b := goworkflows.Wrap(raw, m.Interceptor())
	defer b.Close()
	ctx, cancel := context.WithCancel(context.Background())
	c := client.New(b)
	for range 2 {
		_, err := c.CreateWorkflowInstance(ctx, client.WorkflowInstanceOptions{InstanceID: uuid.NewString()}, oneActivity)
		require.NoError(t, err)
	}
	done := make(chan struct{})
	go func() { defer close(done); goworkflows.PollStats(ctx, b, m, 10*time.Millisecond, nil) }()
	require.Eventually(t, func() bool {
		exp := exposition(m)
		return exp[goworkflows.MetricPendingWorkflowTasks+`{queue="default"}`] == 2 &&
			exp[provobs.MetricOrchestratorQueueDepth] == 2 &&
			exp[provobs.OpQueueDepths.MetricName()+"_count"] >= 1
	}, 10*time.Second, 10*time.Millisecond)
	cancel()
	<-done
	assert.Equal(t, 0.0, exposition(m)[goworkflows.MetricStatsPollErrors])
}
