package provobs_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace/noop"
	"golang.org/x/sync/errgroup"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/faults"
	"github.com/provobs/provobs/metrics"
	"github.com/provobs/provobs/metrics/metricstest"
	"github.com/provobs/provobs/obstest"
	"github.com/provobs/provobs/retry"
	"github.com/provobs/provobs/slogprov"
	"github.com/provobs/provobs/sqlite/sqlitetest"
	"github.com/provobs/provobs/tracing"
)

// fullChain is every middleware of the module around a store, each layer's
// view kept in memory: spans, log records, metrics, injected faults, retries
// and, innermost, what the provider call itself returned.
type fullChain struct {
	p       provobs.Provider
	spans   *tracetest.InMemoryExporter
	logs    *obstest.Handler
	m       *metrics.Metrics
	faults  *faults.Injector
	retries map[provobs.Op]int
	inner   []seen
}

func newFullChain(t *testing.T, store provobs.Provider, rules ...faults.Rule) *fullChain {
	t.Helper()
	c := &fullChain{spans: tracetest.NewInMemoryExporter(), logs: obstest.NewHandler(nil), m: metrics.New(), retries: map[provobs.Op]int{}}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(c.spans))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	c.faults = faults.New(faults.Config{Rules: rules})
	c.p = provobs.Chain(store,
		tracing.Middleware(tp),
		retry.Middleware(retry.Config{BaseDelay: time.Microsecond, OnRetry: func(_ context.Context, op provobs.Op, _ int, _ error) { c.retries[op]++ }}),
		slogprov.Middleware(slog.New(c.logs)),
		c.m.Middleware(),
		c.faults.Middleware(),
		recorder(&c.inner),
	)
	return c
}

// counts reads the latency histogram count of op and the error counter of
// (op, t) from the metrics exposition.
func (c *fullChain) counts(t *testing.T, op provobs.Op, et provobs.ErrorType) (calls, errs float64) {
	t.Helper()
	snap := metricstest.Snapshot(t, c.m)
	return float64(snap.Count(op)), float64(snap.Errors(op, et))
}

// TestEveryMethodThroughEveryMiddleware calls every Provider and Admin
// method through a chain of every middleware, once succeeding and once
// failing, and checks what each layer saw: op, instance, size, error type
// and record count. A method missing from the catalogue, the wrapper or the
// table of calls fails it.
func TestEveryMethodThroughEveryMiddleware(t *testing.T) {
	t.Parallel()
	require.Len(t, calls, len(provobs.MethodOps()), "one call per method")
	for _, op := range provobs.MethodOps() {
		t.Run(op.String(), func(t *testing.T) {
			t.Parallel()
			require.Contains(t, calls, op)
			ctx := provobs.WithInstance(context.Background(), "ctx")
			stub := newStub()
			// The second call of op fails with a permanent injected fault.
			c := newFullChain(t, stub, faults.OnCall(op, provobs.TypeConflict, 2))

			_, err := calls[op](ctx, c.p, "tok")
			require.NoError(t, err)
			_, err = calls[op](ctx, c.p, "tok")
			require.Equal(t, provobs.TypeConflict, provobs.TypeOf(err))
			assert.Equal(t, 1, stub.Runs(op), "the fault kept the second call from the store")
			assert.Equal(t, 1, stub.TotalRuns())

			// Innermost: the provider call as the wrapper saw it.
			require.Len(t, c.inner, 1)
			assert.Equal(t, seen{op, want[op].instance, want[op].size, nil}, c.inner[0])

			// faults: both calls passed through.
			assert.EqualValues(t, 2, c.faults.Calls(op))
			assert.EqualValues(t, 1, c.faults.Injected(op, provobs.TypeConflict))

			// metrics: two latencies, one error under its type.
			n, errs := c.counts(t, op, provobs.TypeConflict)
			assert.EqualValues(t, 2, n)
			assert.EqualValues(t, 1, errs)

			// A failed fetch or dequeue has no result to name its instance.
			instances := []string{want[op].instance, want[op].instance}
			if op.Polls() {
				instances[1] = "ctx"
			}

			// slogprov: one record per call.
			recs := c.logs.Records()
			require.Len(t, recs, 2)
			for i, r := range recs {
				o, _ := r.Attr(provobs.KeyOperation)
				assert.Equal(t, op.String(), o.String())
				id, _ := r.Attr(provobs.KeyInstanceID)
				assert.Equal(t, instances[i], id.String(), "record %d", i)
				_, hasTrace := r.Attr(provobs.KeyTraceID)
				assert.True(t, hasTrace, "record %d is in a span", i)
			}
			if k := op.SizeKey(); k != "" {
				sz, ok := recs[0].Attr(k)
				require.True(t, ok)
				assert.EqualValues(t, want[op].size, sz.Int64())
			}
			et, _ := recs[1].Attr(provobs.KeyErrorType)
			assert.Equal(t, provobs.TypeConflict.String(), et.String())
			assert.Equal(t, slog.LevelError, recs[1].Level)

			// tracing: one span per call.
			spans := c.spans.GetSpans()
			require.Len(t, spans, 2)
			for i, s := range spans {
				assert.Equal(t, tracing.SpanName(provobs.DescribeStore(stub), op.Method()), s.Name)
				assert.Equal(t, op.Method(), s.Name, "a store that does not describe itself: no target")
				a := attrMap(s.Attributes)
				assert.Equal(t, op.String(), a[provobs.KeyOperation].AsString())
				assert.Equal(t, instances[i], a[provobs.KeyInstanceID].AsString(), "span %d", i)
				assert.Equal(t, spans[i].SpanContext.TraceID().String(), attrOf(recs[i], provobs.KeyTraceID))
				assert.Equal(t, spans[i].SpanContext.SpanID().String(), attrOf(recs[i], provobs.KeySpanID))
			}
			assert.Equal(t, provobs.TypeConflict.String(), attrMap(spans[1].Attributes)[provobs.KeyOTelErrorType].AsString())

			// retry: a permanent fault is not retried.
			assert.Zero(t, c.retries[op])
		})
	}
}

// A retryable fault on an ack is retried by the retry layer, seen once by
// the layers outside it and once per attempt by those inside.
func TestRetryThroughEveryMiddleware(t *testing.T) {
	t.Parallel()
	for _, op := range retry.DefaultOps() {
		t.Run(op.String(), func(t *testing.T) {
			t.Parallel()
			stub := newStub()
			c := newFullChain(t, stub, faults.OnCall(op, provobs.TypeTransactionFailed, 1))
			_, err := calls[op](context.Background(), c.p, "tok")
			require.NoError(t, err)
			assert.Equal(t, 1, stub.Runs(op), "acked exactly once")
			assert.Equal(t, 1, c.retries[op])
			assert.Len(t, c.spans.GetSpans(), 1, "tracing is outside retry")
			assert.Len(t, c.logs.Records(), 2, "slogprov is inside retry: the failed attempt and the success")
			n, errs := c.counts(t, op, provobs.TypeTransactionFailed)
			assert.EqualValues(t, 2, n)
			assert.EqualValues(t, 1, errs)
		})
	}
}

// Around SQLite, the by-token calls carry the instance that issued their
// token in every record and span, with no WithInstance; a JSON record
// written inside the span carries the span's ids.
func TestInstanceFromTokenAroundSQLite(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := newFullChain(t, sqlitetest.New(t))
	lease := provobs.FetchOptions{LockTimeout: time.Minute}
	for _, id := range []string{"order-1", "order-2"} {
		require.NoError(t, c.p.EnqueueOrchestrator(ctx, provobs.WorkItem{Kind: provobs.KindStartOrchestration, InstanceID: id}, 0))
	}
	a, err := c.p.FetchOrchestrationItem(ctx, lease)
	require.NoError(t, err)
	require.NoError(t, c.p.RenewOrchestrationItemLock(ctx, a.LockToken, time.Minute))
	require.NoError(t, c.p.AbandonOrchestrationItem(ctx, a.LockToken, provobs.AbandonOptions{}))
	b, err := c.p.FetchOrchestrationItem(ctx, lease)
	require.NoError(t, err)
	require.NoError(t, c.p.AckOrchestrationItem(ctx, b.LockToken, provobs.OrchestrationAck{
		ExecutionID:  1,
		HistoryDelta: []provobs.Event{{ID: 1, Kind: provobs.EventOrchestrationStarted}},
		WorkerItems:  []provobs.WorkItem{{Kind: provobs.KindActivityExecute, InstanceID: b.InstanceID, ExecutionID: 1, CorrelationID: 1}},
	}))
	w, err := c.p.DequeueWorker(ctx, lease, nil)
	require.NoError(t, err)
	require.NoError(t, c.p.RenewWorkerLock(ctx, w.LockToken, time.Minute))
	require.NoError(t, c.p.AckWorker(ctx, w.LockToken, nil))

	byOp := map[provobs.Op][]string{}
	for _, r := range c.logs.Records() {
		o, _ := r.Attr(provobs.KeyOperation)
		op, ok := provobs.ParseOp(o.String())
		require.True(t, ok)
		byOp[op] = append(byOp[op], attrOf(r, provobs.KeyInstanceID))
	}
	assert.Equal(t, []string{a.InstanceID}, byOp[provobs.OpRenewOrch])
	assert.Equal(t, []string{a.InstanceID}, byOp[provobs.OpAbandonOrch])
	assert.Equal(t, []string{b.InstanceID}, byOp[provobs.OpAckOrch])
	assert.Equal(t, []string{b.InstanceID}, byOp[provobs.OpRenewWorker])
	assert.Equal(t, []string{b.InstanceID}, byOp[provobs.OpAckWorker])
	for _, s := range c.spans.GetSpans() {
		assert.NotEmpty(t, attrMap(s.Attributes)[provobs.KeyInstanceID].AsString(), s.Name)
	}
	assert.Zero(t, provobs.RememberedTokens(c.p), "every lock ended, every token forgotten")
}

// 10,000 fetches never acked, through slogprov, metrics and tracing around
// SQLite, keep the remembered tokens at the cap. The records and spans are
// not kept (INFO, no-op tracer): the test is about the memory of the chain.
func TestTokenMemoryCapAroundSQLite(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := sqlitetest.New(t)
	p := provobs.Chain(store,
		tracing.Middleware(noop.NewTracerProvider()),
		slogprov.Middleware(slog.New(slog.DiscardHandler)),
		metrics.New().Middleware(),
	)
	const n, workers = 10_000, 8
	var g errgroup.Group
	for w := range workers {
		g.Go(func() error {
			for i := w; i < n; i += workers {
				item := provobs.WorkItem{Kind: provobs.KindStartOrchestration, InstanceID: fmt.Sprintf("bulk-%05d", i)}
				if err := store.EnqueueOrchestrator(ctx, item, 0); err != nil {
					return err
				}
			}
			return nil
		})
	}
	require.NoError(t, g.Wait())
	var fetched atomic.Int64
	for range workers {
		g.Go(func() error {
			for {
				it, err := p.FetchOrchestrationItem(ctx, provobs.FetchOptions{LockTimeout: time.Hour})
				if err != nil || it == nil {
					return err
				}
				fetched.Add(1)
			}
		})
	}
	require.NoError(t, g.Wait())
	require.EqualValues(t, n, fetched.Load())
	assert.Equal(t, provobs.MaxRememberedTokens, provobs.RememberedTokens(p))
}

// A JSON record written by slogprov inside a traced operation carries the
// span's trace and span ids.
func TestJSONRecordCarriesSpanIDs(t *testing.T) {
	t.Parallel()
	spans := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	var buf obstest.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	p := provobs.Chain(newStub(), tracing.Middleware(tp), slogprov.Middleware(logger))
	_, err := p.FetchOrchestrationItem(context.Background(), provobs.FetchOptions{})
	require.NoError(t, err)

	var rec map[string]any
	require.NoError(t, json.Unmarshal(buf.Bytes(), &rec))
	got := spans.GetSpans()
	require.Len(t, got, 1)
	assert.Equal(t, got[0].SpanContext.TraceID().String(), rec[provobs.KeyTraceID])
	assert.Equal(t, got[0].SpanContext.SpanID().String(), rec[provobs.KeySpanID])

	// Outside a span there are no ids.
	var plain obstest.Buffer
	logger = slog.New(slog.NewJSONHandler(&plain, &slog.HandlerOptions{Level: slog.LevelDebug}))
	_, err = provobs.Chain(newStub(), slogprov.Middleware(logger)).FetchOrchestrationItem(context.Background(), provobs.FetchOptions{})
	require.NoError(t, err)
	rec = nil
	require.NoError(t, json.Unmarshal(plain.Bytes(), &rec))
	assert.NotContains(t, rec, provobs.KeyTraceID)
}

func attrMap(kvs []attribute.KeyValue) map[string]attribute.Value {
	m := make(map[string]attribute.Value, len(kvs))
	for _, kv := range kvs {
		m[string(kv.Key)] = kv.Value
	}
	return m
}

func attrOf(r obstest.Record, key string) string {
	v, _ := r.Attr(key)
	return v.String()
}
