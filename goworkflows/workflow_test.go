package goworkflows_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	vm "github.com/VictoriaMetrics/metrics"
	"github.com/cschleiden/go-workflows/backend"
	"github.com/cschleiden/go-workflows/backend/sqlite"
	"github.com/cschleiden/go-workflows/client"
	"github.com/cschleiden/go-workflows/worker"
	"github.com/cschleiden/go-workflows/workflow"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/faults"
	"github.com/provobs/provobs/goworkflows"
	"github.com/provobs/provobs/metrics"
	"github.com/provobs/provobs/retry"
	"github.com/provobs/provobs/slogprov"
	"github.com/provobs/provobs/tracing"
)

// syncBuffer is a bytes.Buffer safe for the concurrent writes of a logger.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) records(t *testing.T) []map[string]any {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(b.buf.Bytes()))
	for sc.Scan() {
		var r map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &r), sc.Text())
		out = append(out, r)
	}
	return out
}

// callCounter counts the calls that reach its place in the chain, by op.
type callCounter struct{ n [provobs.NumOps]atomic.Int64 }

func (cc *callCounter) Intercept(ctx context.Context, c *provobs.Call) error {
	cc.n[c.Op()].Add(1)
	return c.Invoke(ctx)
}

func greet(_ context.Context, name string) (string, error) { return "hello " + name, nil }

// greeting runs an activity, waits on a timer, waits for a signal, and
// runs the activity again with the signal's value.
func greeting(ctx workflow.Context, name string) (string, error) {
	first, err := workflow.ExecuteActivity[string](ctx, workflow.DefaultActivityOptions, greet, name).Get(ctx)
	if err != nil {
		return "", err
	}
	if _, err := workflow.ScheduleTimer(ctx, 50*time.Millisecond).Get(ctx); err != nil {
		return "", err
	}
	who, _ := workflow.NewSignalChannel[string](ctx, "who").Receive(ctx)
	second, err := workflow.ExecuteActivity[string](ctx, workflow.DefaultActivityOptions, greet, who).Get(ctx)
	if err != nil {
		return "", err
	}
	return first + "; " + second, nil
}

// TestWorkflowThroughWrap drives a real workflow (activities, a timer, a
// signal) through a wrapped SQLite backend with the full chain and a fault,
// and checks the records, spans, histograms and error counts.
func TestWorkflowThroughWrap(t *testing.T) {
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	var logs syncBuffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	m := metrics.New()
	counted := &callCounter{}
	in := faults.New(faults.Config{Rules: []faults.Rule{
		faults.OnCall(provobs.OpAckWorker, provobs.TypeLockTimeout, 1), // the first CompleteActivityTask fails, retryably
	}})

	raw := sqlite.NewInMemoryBackend(sqlite.WithBackendOptions(
		backend.WithTracerProvider(tp), // go-workflows' own spans, same recorder
		backend.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))),
		backend.WithStickyTimeout(0),
	))
	b := goworkflows.Wrap(raw,
		tracing.Interceptor(tp),
		retry.Interceptor(retry.Config{OnRetry: m.RetryHook()}),
		slogprov.Interceptor(logger, slogprov.WithEmptyPollSampling(1)),
		counted,
		m.Interceptor(),
		in.Interceptor(),
	)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	w := worker.New(b, nil)
	require.NoError(t, w.RegisterWorkflow(greeting))
	require.NoError(t, w.RegisterActivity(greet))
	wctx, stop := context.WithCancel(ctx)
	require.NoError(t, w.Start(wctx))

	c := client.New(b)
	id := uuid.NewString()
	inst, err := c.CreateWorkflowInstance(ctx, client.WorkflowInstanceOptions{InstanceID: id}, greeting, "ada")
	require.NoError(t, err)
	require.Eventually(t, func() bool { // the activity ran and the workflow waits for its signal
		return counted.n[provobs.OpAckWorker].Load() >= 1 && in.Injected(provobs.OpAckWorker, provobs.TypeLockTimeout) == 1
	}, 30*time.Second, 10*time.Millisecond)
	require.NoError(t, c.SignalWorkflow(ctx, id, "who", "grace"))
	got, err := client.GetWorkflowResult[string](ctx, c, inst, 30*time.Second)
	require.NoError(t, err)
	assert.Equal(t, "hello ada; hello grace", got)

	stop()
	require.NoError(t, w.WaitForCompletion())
	require.NoError(t, b.Close())

	// One record per storage call, with the specification's attributes.
	recs := logs.records(t)
	perOp := map[string]int{}
	for _, r := range recs {
		op, _ := r[provobs.KeyOperation].(string)
		require.NotEmpty(t, op, "record without operation: %v", r)
		perOp[op]++
		assert.Contains(t, r, provobs.KeyDurationMS)
		assert.Contains(t, r, provobs.KeyMethod)
		if iid, ok := r[provobs.KeyInstanceID]; ok {
			assert.Equal(t, id, iid, "instance_id of %v", r)
		}
		if _, failed := r[provobs.KeyError]; failed {
			assert.Contains(t, r, provobs.KeyErrorType)
		}
		if r[provobs.KeyMethod] == "CompleteWorkflowTask" || r[provobs.KeyMethod] == "CompleteActivityTask" ||
			r[provobs.KeyMethod] == "CreateWorkflowInstance" || r[provobs.KeyMethod] == "SignalWorkflow" {
			assert.Equal(t, id, r[provobs.KeyInstanceID], "instance_id of %v", r)
		}
	}
	for _, op := range provobs.Ops() {
		assert.Equal(t, int(counted.n[op].Load()), perOp[op.String()], "records of %s", op)
	}
	for _, op := range []provobs.Op{provobs.OpFetch, provobs.OpAckOrch, provobs.OpDequeue, provobs.OpAckWorker, provobs.OpEnqueue, provobs.OpReadHistory} {
		assert.Positive(t, perOp[op.String()], "records of %s", op)
	}

	// The injected fault: one WARN record, counted under its type, retried.
	var warned int
	for _, r := range recs {
		if r[provobs.KeyErrorType] == provobs.TypeLockTimeout.String() {
			warned++
			assert.Equal(t, slog.LevelWarn.String(), r[slog.LevelKey])
			assert.Equal(t, provobs.OpAckWorker.String(), r[provobs.KeyOperation])
		}
	}
	assert.Equal(t, 1, warned)
	exp := exposition(m)
	assert.Equal(t, 1.0, exp[fmt.Sprintf(`%s{%s=%q,%s=%q}`, provobs.MetricInfrastructureErrors,
		provobs.LabelOperation, provobs.OpAckWorker.String(), provobs.LabelErrorType, provobs.TypeLockTimeout.String())])
	assert.Equal(t, 1.0, exp[fmt.Sprintf(`%s{%s=%q}`, provobs.MetricRetries, provobs.LabelOperation, provobs.OpAckWorker.String())])

	// The five histograms of the specification are populated, and count every call.
	for _, op := range []provobs.Op{provobs.OpFetch, provobs.OpAckOrch, provobs.OpAckWorker, provobs.OpEnqueue, provobs.OpDequeue} {
		assert.Equal(t, float64(counted.n[op].Load()), exp[op.MetricName()+"_count"], op.MetricName())
		assert.Positive(t, exp[op.MetricName()+"_count"], op.MetricName())
	}

	// Spans: one per call, the client's calls nested under go-workflows'
	// own spans of the same name.
	ended := spans.Ended()
	byID := map[string]sdktrace.ReadOnlySpan{}
	var ours []sdktrace.ReadOnlySpan
	for _, s := range ended {
		byID[s.SpanContext().SpanID().String()] = s
		if s.InstrumentationScope().Name == tracing.ScopeName {
			ours = append(ours, s)
		}
	}
	var total int64
	for _, op := range provobs.Ops() {
		total += counted.n[op].Load()
	}
	// tracing is outside retry: the retried ack is one span, two attempts.
	assert.Equal(t, int(total)-1, len(ours), "one span per storage call")
	nested := 0
	for _, s := range ours {
		method := spanAttr(s, string(semconv.DBOperationNameKey))
		require.NotEmpty(t, method, s.Name())
		assert.Equal(t, method, s.Name(), "in-memory SQLite: no target, the method alone")
		assert.Equal(t, provobs.SystemSQLite, spanAttr(s, string(semconv.DBSystemNameKey)))
		if method != "CreateWorkflowInstance" && method != "SignalWorkflow" {
			continue
		}
		parent, ok := byID[s.Parent().SpanID().String()]
		require.True(t, ok, "parent of %s/%s recorded", s.Name(), method)
		assert.Equal(t, method, parent.Name(), "go-workflows' span")
		assert.Equal(t, parent.SpanContext().TraceID(), s.SpanContext().TraceID())
		assert.Equal(t, id, spanAttr(s, provobs.KeyInstanceID))
		nested++
	}
	assert.Equal(t, 2, nested)
}

func spanAttr(s sdktrace.ReadOnlySpan, key string) string {
	for _, kv := range s.Attributes() {
		if string(kv.Key) == key {
			return kv.Value.Emit()
		}
	}
	return ""
}

// exposition returns every sample of m's exposition by series.
func exposition(m *metrics.Metrics) map[string]float64 {
	var buf bytes.Buffer
	m.WritePrometheus(&buf)
	return parseExposition(buf.String())
}

// setExposition returns every sample of set's exposition by series.
func setExposition(set *vm.Set) map[string]float64 {
	var buf bytes.Buffer
	set.WritePrometheus(&buf)
	return parseExposition(buf.String())
}

func parseExposition(text string) map[string]float64 {
	out := map[string]float64{}
	for line := range strings.SplitSeq(text, "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err == nil {
			out[line[:i]] = v
		}
	}
	return out
}
