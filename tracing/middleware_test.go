package tracing_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/contrib/bridges/otelslog"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/obstest"
	"github.com/provobs/provobs/slogprov"
	"github.com/provobs/provobs/sqlite/sqlitetest"
	"github.com/provobs/provobs/tracing"
)

// harness is a chain store → tracing → slogprov whose spans and log records
// land in memory.
type harness struct {
	spans *tracetest.InMemoryExporter
	logs  *obstest.LogExporter
	calls *obstest.Calls
	p     provobs.Provider
}

func newHarness(t *testing.T, store provobs.Provider, inner ...provobs.Middleware) *harness {
	t.Helper()
	h := &harness{spans: tracetest.NewInMemoryExporter(), logs: &obstest.LogExporter{}, calls: &obstest.Calls{}}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(h.spans))
	lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(sdklog.NewSimpleProcessor(h.logs)))
	t.Cleanup(func() {
		_ = tp.Shutdown(context.Background())
		_ = lp.Shutdown(context.Background())
	})
	logger := slog.New(otelslog.NewHandler("tracing_test", otelslog.WithLoggerProvider(lp)))
	mws := []provobs.Middleware{h.calls.Middleware(), tracing.Middleware(tp), slogprov.Middleware(logger)}
	h.p = provobs.Chain(store, append(mws, inner...)...)
	return h
}

func attrs(kvs []attribute.KeyValue) map[string]attribute.Value {
	m := make(map[string]attribute.Value, len(kvs))
	for _, kv := range kvs {
		m[string(kv.Key)] = kv.Value
	}
	return m
}

func TestMiddlewareSpanPerOperation(t *testing.T) {
	t.Parallel()
	h := newHarness(t, sqlitetest.New(t))
	require.NoError(t, obstest.Exercise(context.Background(), h.p))

	spans := h.spans.GetSpans()
	byOp := map[string][]tracetest.SpanStub{}
	for _, s := range spans {
		a := attrs(s.Attributes)
		byOp[a[provobs.KeyOperation].AsString()] = append(byOp[a[provobs.KeyOperation].AsString()], s)
	}
	for _, op := range provobs.MethodOps() {
		t.Run(op.String(), func(t *testing.T) {
			ss := byOp[op.String()]
			require.NotZero(t, h.calls.Count(op))
			require.Len(t, ss, h.calls.Count(op), "one span per call")
			for _, s := range ss {
				assert.Equal(t, op.Method(), s.Name, "in-memory SQLite: no namespace, the method alone")
				assert.Equal(t, trace.SpanKindInternal, s.SpanKind, "in-memory SQLite")
				assert.Equal(t, codes.Unset, s.Status.Code)
				assert.Equal(t, tracing.ScopeName, s.InstrumentationScope.Name)
				a := attrs(s.Attributes)
				if k := op.SizeKey(); k != "" {
					assert.Equal(t, attribute.INT64, a[k].Type(), k)
				}
				_, ok := a[string(semconv.ErrorTypeKey)]
				assert.False(t, ok)
			}
		})
	}
	// A fetch learns its instance from its result.
	fetch := byOp["fetch"][0]
	assert.Equal(t, obstest.ExerciseInstance, attrs(fetch.Attributes)[provobs.KeyInstanceID].AsString())
}

func TestMiddlewareLogTraceCorrelation(t *testing.T) {
	t.Parallel()
	h := newHarness(t, sqlitetest.New(t))
	require.NoError(t, obstest.Exercise(context.Background(), h.p))
	require.Error(t, h.p.AckWorker(context.Background(), "bad-token", nil))

	spans := map[trace.SpanID]tracetest.SpanStub{}
	for _, s := range h.spans.GetSpans() {
		spans[s.SpanContext.SpanID()] = s
	}
	logs := h.logs.Records()
	require.Len(t, logs, len(spans), "one log record per span")
	for _, r := range logs {
		s, ok := spans[r.SpanID()]
		require.True(t, ok, "log record's span id %s is an operation span", r.SpanID())
		assert.Equal(t, s.SpanContext.TraceID(), r.TraceID())
		var op string
		r.WalkAttributes(func(kv attribute.KeyValue) bool {
			if kv.Key == provobs.KeyOperation {
				op = kv.Value.AsString()
			}
			return true
		})
		assert.Equal(t, op, attrs(s.Attributes)[provobs.KeyOperation].AsString())
	}
}

func TestMiddlewareFailure(t *testing.T) {
	t.Parallel()
	h := newHarness(t, sqlitetest.New(t))
	ctx := provobs.WithInstance(context.Background(), "inst-7")
	err := h.p.AckOrchestrationItem(ctx, "bad-token", provobs.OrchestrationAck{ExecutionID: 1})
	require.Error(t, err)

	spans := h.spans.GetSpans()
	require.Len(t, spans, 1)
	s := spans[0]
	assert.Equal(t, "AckOrchestrationItem", s.Name)
	assert.Equal(t, codes.Error, s.Status.Code)
	assert.Equal(t, err.Error(), s.Status.Description)
	a := attrs(s.Attributes)
	assert.Equal(t, "lock_lost", a[string(semconv.ErrorTypeKey)].AsString())
	assert.Equal(t, "inst-7", a[provobs.KeyInstanceID].AsString())
	_, ok := a[provobs.OpAckOrch.SizeKey()]
	assert.False(t, ok, "no size on failure")
	require.Len(t, s.Events, 1)
	assert.Equal(t, "exception", s.Events[0].Name)
}

func TestMiddlewareParentAndOptions(t *testing.T) {
	t.Parallel()
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	p := provobs.Chain(sqlitetest.New(t), tracing.Middleware(tp,
		tracing.WithSpanKind(trace.SpanKindClient),
		tracing.WithAttributes(attribute.String("peer.service", "store"))))

	ctx, parent := tp.Tracer("app").Start(context.Background(), "turn")
	_, err := p.ReadHistory(ctx, "inst-3", 0)
	require.NoError(t, err)
	parent.End()

	spans := exp.GetSpans()
	require.Len(t, spans, 2)
	child := spans[0]
	assert.Equal(t, "ReadHistory", child.Name)
	assert.Equal(t, parent.SpanContext().SpanID(), child.Parent.SpanID())
	assert.Equal(t, trace.SpanKindClient, child.SpanKind, "WithSpanKind overrides the store's INTERNAL")
	a := attrs(child.Attributes)
	assert.Equal(t, "store", a["peer.service"].AsString())
	assert.Equal(t, "sqlite", a[string(semconv.DBSystemNameKey)].AsString())
	assert.Equal(t, "inst-3", a[provobs.KeyInstanceID].AsString())
	assert.Equal(t, attribute.INT64, a[provobs.SizeEvents].Type(), "an unknown instance has no events")
	assert.Zero(t, a[provobs.SizeEvents].AsInt64())
}

// A sampled-out span records nothing and changes nothing: the operation
// still runs with its result, inner layers see an unsampled span, and no
// span reaches the exporter; the global no-op provider behaves the same.
func TestMiddlewareNotRecording(t *testing.T) {
	t.Parallel()
	spans := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.NeverSample()), sdktrace.WithSyncer(spans))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	var inner []trace.SpanContext
	seeCtx := provobs.Observe(func(ctx context.Context, _ *provobs.Call, _ error, _ time.Duration) {
		inner = append(inner, trace.SpanContextFromContext(ctx))
	})
	ctx := context.Background()
	store := sqlitetest.New(t)
	require.NoError(t, store.EnqueueOrchestrator(ctx, provobs.WorkItem{Kind: provobs.KindStartOrchestration, InstanceID: "i"}, 0))
	p := provobs.Chain(store, tracing.Middleware(tp), seeCtx)
	item, err := p.FetchOrchestrationItem(ctx, provobs.FetchOptions{})
	require.NoError(t, err)
	require.NotNil(t, item, "the operation ran")
	assert.Equal(t, "i", item.InstanceID)
	require.Len(t, inner, 1)
	assert.False(t, inner[0].IsSampled(), "the inner layers see a sampled-out span")
	assert.Empty(t, spans.GetSpans(), "nothing is exported")

	p = provobs.Chain(sqlitetest.New(t), tracing.Middleware(nil), seeCtx) // the global, no-op by default
	require.NoError(t, p.EnqueueWorker(ctx, provobs.WorkItem{Kind: provobs.KindActivityExecute, InstanceID: "i"}))
	require.Len(t, inner, 2)
	assert.False(t, inner[1].IsSampled())
	assert.Empty(t, spans.GetSpans())
}

// Under a valid, unsampled parent the interceptor starts no span: the
// operation runs under the parent's context, nothing is exported, and the
// call allocates no more than without the interceptor. With
// WithSpansUnderUnsampledParents the sampler decides (here AlwaysSample).
func TestUnsampledParentStartsNoSpan(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp), sdktrace.WithSampler(sdktrace.AlwaysSample()))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	ctx := unsampledParent()
	parent := trace.SpanContextFromContext(ctx)
	var inner trace.SpanContext
	body := func(ctx context.Context, c *provobs.Call) error {
		inner = trace.SpanContextFromContext(ctx)
		c.SetSize(1)
		return nil
	}
	traced := provobs.NewStack(tracing.Interceptor(tp))
	require.NoError(t, traced.Run(ctx, provobs.OpFetch, "", "", body))
	assert.Equal(t, parent, inner, "the operation runs under the parent's context")
	assert.Empty(t, exp.GetSpans())

	bare := provobs.NewStack()
	base := testing.AllocsPerRun(100, func() { _ = bare.Run(ctx, provobs.OpFetch, "", "", body) })
	got := testing.AllocsPerRun(100, func() { _ = traced.Run(ctx, provobs.OpFetch, "GetWorkflowTask", "", body) })
	assert.Equal(t, base, got, "the interceptor adds no allocation under an unsampled parent")

	always := provobs.NewStack(tracing.Interceptor(tp, tracing.WithSpansUnderUnsampledParents(true)))
	require.NoError(t, always.Run(ctx, provobs.OpFetch, "", "", body))
	require.Len(t, exp.GetSpans(), 1, "the provider's sampler decided")
	assert.Equal(t, parent.TraceID(), exp.GetSpans()[0].SpanContext.TraceID())
}
