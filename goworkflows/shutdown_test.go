package goworkflows_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cschleiden/go-workflows/backend"
	"github.com/cschleiden/go-workflows/backend/history"
	"github.com/cschleiden/go-workflows/backend/postgres"
	"github.com/cschleiden/go-workflows/backend/sqlite"
	"github.com/cschleiden/go-workflows/client"
	"github.com/cschleiden/go-workflows/core"
	"github.com/cschleiden/go-workflows/worker"
	"github.com/cschleiden/go-workflows/workflow"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/goworkflows"
	"github.com/provobs/provobs/metrics"
	"github.com/provobs/provobs/metrics/metricstest"
	"github.com/provobs/provobs/slogprov"
	"github.com/provobs/provobs/tracing"
)

// observed is a full chain whose records, spans and metrics are kept.
type observed struct {
	logs  syncBuffer
	spans *tracetest.SpanRecorder
	m     *metrics.Metrics
	tp    *sdktrace.TracerProvider
}

func newObserved(t *testing.T) *observed {
	t.Helper()
	o := &observed{spans: tracetest.NewSpanRecorder(), m: metrics.New()}
	o.tp = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(o.spans))
	t.Cleanup(func() { _ = o.tp.Shutdown(context.Background()) })
	return o
}

func (o *observed) wrap(b backend.Backend) backend.Backend {
	logger := slog.New(slog.NewJSONHandler(&o.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return goworkflows.Wrap(b, tracing.Interceptor(o.tp), slogprov.Interceptor(logger), o.m.Interceptor())
}

// assertQuiet checks that nothing the chain wrote looks like a failure: no
// WARN or ERROR record, no infrastructure error, no span with status Error.
// It returns the cancelled calls counted.
func (o *observed) assertQuiet(t *testing.T) uint64 {
	t.Helper()
	for _, r := range o.logs.records(t) {
		lvl, _ := r[slog.LevelKey].(string)
		assert.Equal(t, slog.LevelDebug.String(), lvl, "record %v", r)
		if r[provobs.KeyErrorType] != nil {
			assert.Equal(t, provobs.TypeCanceled.String(), r[provobs.KeyErrorType], "record %v", r)
			assert.Equal(t, provobs.MessageCanceled, r[slog.MessageKey], "record %v", r)
		}
	}
	snap := metricstest.Snapshot(t, o.m)
	assert.Empty(t, snap.ErrorCounts(), "infrastructure errors")
	for _, s := range o.spans.Ended() {
		assert.NotEqual(t, codes.Error, s.Status().Code, "span %s: %s", s.Name(), s.Status().Description)
		assert.Empty(t, s.Events(), "span %s records no exception", s.Name())
	}
	return snap.TotalCanceled()
}

// quietBackend returns a new go-workflows backend of kind be
// (sqlite-memory or postgres on a fresh schema) with a discarding logger.
func quietBackend(t *testing.T, be string) backend.Backend {
	t.Helper()
	opts := []backend.BackendOption{backend.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))}
	switch be {
	case "sqlite-memory":
		b := sqlite.NewInMemoryBackend(sqlite.WithBackendOptions(opts...))
		t.Cleanup(func() { _ = b.Close() })
		return b
	case "postgres":
		requirePG(t)
		db, name, err := newPGDatabase(t)
		require.NoError(t, err)
		b := postgres.NewPostgresBackendWithDB(db, postgres.WithApplyMigrations(true), postgres.WithBackendOptions(opts...))
		t.Cleanup(func() { _ = b.Close(); dropPGDatabase(db, name) })
		return b
	}
	t.Fatalf("unknown backend %q", be)
	return nil
}

// requirePG skips the test when PostgreSQL is unreachable, and fails it
// under CI.
func requirePG(t *testing.T) {
	t.Helper()
	if err := pgReachable(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("PostgreSQL unreachable under CI: %v", err)
		}
		t.Skipf("PostgreSQL unreachable (%v): start it or set %s", err, envPostgresDSN)
	}
}

// TestCancelledContextIsQuiet calls a wrapped backend with an already
// cancelled context: every call that fails is a DEBUG record with
// error_type=canceled, a count in provider_canceled_total and a span with
// status unset, never a WARN, an ERROR or an infrastructure error.
func TestCancelledContextIsQuiet(t *testing.T) {
	t.Parallel()
	for _, be := range []string{"sqlite-memory", "postgres"} {
		t.Run(be, func(t *testing.T) {
			t.Parallel()
			o := newObserved(t)
			b := o.wrap(quietBackend(t, be))
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			inst := core.NewWorkflowInstance(uuid.NewString(), uuid.NewString())
			q := []workflow.Queue{workflow.QueueDefault}
			ev := history.NewHistoryEvent(1, time.Now(), history.EventType_WorkflowExecutionStarted,
				&history.ExecutionStartedAttributes{Queue: workflow.QueueDefault})
			calls := []func() error{
				func() error { return b.CreateWorkflowInstance(ctx, inst, ev) },
				func() error { return b.SignalWorkflow(ctx, inst.InstanceID, ev) },
				func() error { _, err := b.GetWorkflowTask(ctx, q); return err },
				func() error { _, err := b.GetActivityTask(ctx, q); return err },
				func() error { _, err := b.GetStats(ctx); return err },
				func() error { _, err := b.GetWorkflowInstanceHistory(ctx, inst, nil); return err },
				func() error { _, err := b.GetWorkflowInstanceState(ctx, inst); return err },
			}
			var failed uint64
			for _, call := range calls {
				if call() != nil {
					failed++
				}
			}
			require.Positive(t, failed, "a cancelled context fails calls")
			assert.Equal(t, failed, o.assertQuiet(t), "each failed call is one cancellation")
			var canceledSpans uint64
			for _, s := range o.spans.Ended() {
				if spanAttr(s, string(semconv.ErrorTypeKey)) == provobs.TypeCanceled.String() {
					canceledSpans++
				}
			}
			assert.Equal(t, failed, canceledSpans, "each cancellation's span keeps error.type=canceled")
		})
	}
}

func slowGreet(ctx context.Context, name string) (string, error) {
	time.Sleep(20 * time.Millisecond)
	return "hello " + name, nil
}

func greetTwice(ctx workflow.Context, name string) (string, error) {
	a, err := workflow.ExecuteActivity[string](ctx, workflow.DefaultActivityOptions, slowGreet, name).Get(ctx)
	if err != nil {
		return "", err
	}
	b, err := workflow.ExecuteActivity[string](ctx, workflow.DefaultActivityOptions, slowGreet, name).Get(ctx)
	return a + b, err
}

// TestWorkerStopIsQuiet stops a go-workflows worker on a wrapped backend
// mid-work (workflows and activities in flight, pollers polling every
// millisecond) the way a deploy does, by cancelling its context: nothing
// the chain wrote looks like a failure.
func TestWorkerStopIsQuiet(t *testing.T) {
	t.Parallel()
	for _, be := range []string{"sqlite-memory", "postgres"} {
		t.Run(be, func(t *testing.T) {
			t.Parallel()
			o := newObserved(t)
			b := o.wrap(quietBackend(t, be))
			var acks atomic.Int64
			counting := goworkflows.Wrap(b, provobs.Observer(func(_ context.Context, c *provobs.Call, err error, _ time.Duration) {
				if c.Op() == provobs.OpAckWorker && err == nil {
					acks.Add(1)
				}
			}))
			opts := worker.DefaultOptions
			opts.WorkflowPollingInterval = time.Millisecond
			opts.ActivityPollingInterval = time.Millisecond
			w := worker.New(counting, &opts)
			require.NoError(t, w.RegisterWorkflow(greetTwice))
			require.NoError(t, w.RegisterActivity(slowGreet))
			wctx, stop := context.WithCancel(context.Background())
			defer stop()
			require.NoError(t, w.Start(wctx))

			c := client.New(counting)
			for i := range 6 {
				_, err := c.CreateWorkflowInstance(context.Background(), client.WorkflowInstanceOptions{InstanceID: uuid.NewString()}, greetTwice, fmt.Sprint(i))
				require.NoError(t, err)
			}
			require.Eventually(t, func() bool { return acks.Load() >= 2 }, 30*time.Second, time.Millisecond, "work in progress")
			stop()
			require.NoError(t, w.WaitForCompletion())

			canceled := o.assertQuiet(t)
			t.Logf("%s: %d calls cancelled by the stop, %d activities completed", be, canceled, acks.Load())
			var recs int
			for _, r := range o.logs.records(t) {
				if strings.Contains(fmt.Sprint(r[provobs.KeyMethod]), "Task") {
					recs++
				}
			}
			assert.Positive(t, recs, "the chain saw the worker's calls")
		})
	}
}

// TestPollDeadlineIsAnEmptyPoll: go-workflows' worker gives each poll a
// deadline and reads its expiry as no task. A poll that ends so is an
// empty poll for the interceptors (no record, no error, size 0) and the
// caller still gets the backend's error; a passed deadline on any other
// call is a failure (WARN, deadline_exceeded).
func TestPollDeadlineIsAnEmptyPoll(t *testing.T) {
	t.Parallel()
	o := newObserved(t)
	rec := &recorder{}
	b := goworkflows.Wrap(o.wrap(&fakeBackend{block: true}), rec)
	q := []workflow.Queue{workflow.QueueDefault}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
	defer cancel()
	task, err := b.GetWorkflowTask(ctx, q)
	assert.Nil(t, task)
	assert.ErrorIs(t, err, context.DeadlineExceeded, "the caller gets the backend's error")
	_, err = b.GetActivityTask(ctx, q)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	calls := rec.all()
	require.Len(t, calls, 2)
	for _, c := range calls {
		assert.NoError(t, c.err, "%s: an expired poll is an empty poll", c.method)
		assert.Zero(t, c.size)
	}
	assert.Empty(t, o.logs.records(t), "empty polls are suppressed")
	assert.Zero(t, o.assertQuiet(t))

	// A passed deadline elsewhere is a failure.
	err = b.ExtendWorkflowTask(ctx, &backend.WorkflowTask{ID: "t", WorkflowInstance: core.NewWorkflowInstance("i", "e")})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	recs := o.logs.records(t)
	require.Len(t, recs, 1)
	assert.Equal(t, slog.LevelWarn.String(), recs[0][slog.LevelKey])
	assert.Equal(t, provobs.TypeDeadlineExceeded.String(), recs[0][provobs.KeyErrorType])
	assert.Equal(t, uint64(1), metricstest.Snapshot(t, o.m).Errors(provobs.OpRenewOrch, provobs.TypeDeadlineExceeded))
}

// pgConfig is the PostgreSQL server of the tests, parsed.
func pgConfig(t *testing.T) *pgx.ConnConfig {
	t.Helper()
	cfg, err := pgx.ParseConfig(pgDSN())
	require.NoError(t, err)
	return cfg
}
