package otelmetrics_test

import (
	"context"
	"io"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/obstest"
	"github.com/provobs/provobs/otelmetrics"
)

// BenchmarkRecord measures recording one call through the OpenTelemetry
// metrics interceptor, with the SDK's default reader configuration (a
// ManualReader: cumulative temporality; the default trace-based exemplar
// filter keeps no exemplar for a context without a sampled span):
//
//	go test -run='^$' -bench=BenchmarkRecord -benchmem ./otelmetrics/
//
// bare-provider is the nop provider called directly; empty-observe adds
// provobs.Observe with an empty observer (the chain, its Call and two clock
// reads); the otel cases add the interceptor bound to a described store:
// a success (one histogram record), a failure (a histogram record and an
// error count), a cancellation (a histogram record and a cancellation
// count), and a call that names its storage method, as the go-workflows
// decorator does (a lookup in the method cache first); sampled-span is a
// success inside a sampled span, where the SDK's default exemplar filter
// keeps exemplars. The interceptor's
// own cost is a case minus empty-observe. BENCHMARKS.md has the figures.
func BenchmarkRecord(b *testing.B) {
	ctx := context.Background()
	item := provobs.WorkItem{Kind: provobs.KindActivityExecute, InstanceID: "i", ExecutionID: 1, CorrelationID: 1}
	newM := func(b *testing.B) *otelmetrics.Metrics {
		mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
		b.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
		m, err := otelmetrics.New(mp)
		if err != nil {
			b.Fatal(err)
		}
		return m
	}
	described := func(err error) provobs.Provider {
		return describedStub{Stub: &obstest.Stub{Err: err}, info: networkStore}
	}

	b.Run("bare-provider", func(b *testing.B) {
		p := described(nil)
		enqueueLoop(b, p, ctx, item)
	})
	b.Run("empty-observe", func(b *testing.B) {
		p := provobs.Chain(described(nil), provobs.Observe(func(context.Context, *provobs.Call, error, time.Duration) {}))
		enqueueLoop(b, p, ctx, item)
	})
	b.Run("otel-success", func(b *testing.B) {
		p := provobs.Chain(described(nil), newM(b).Middleware())
		enqueueLoop(b, p, ctx, item)
	})
	b.Run("otel-success-sampled-span", func(b *testing.B) {
		// A context with a sampled span, as inside a tracing middleware:
		// the default trace-based exemplar filter offers each measurement
		// to the exemplar reservoir.
		sctx := trace.ContextWithSpanContext(ctx, trace.NewSpanContext(trace.SpanContextConfig{
			TraceID: trace.TraceID{1}, SpanID: trace.SpanID{1}, TraceFlags: trace.FlagsSampled}))
		p := provobs.Chain(described(nil), newM(b).Middleware())
		enqueueLoop(b, p, sctx, item)
	})
	b.Run("otel-failure", func(b *testing.B) {
		p := provobs.Chain(described(provobs.NewError(provobs.OpEnqueueWorker, provobs.TypeLockTimeout, io.EOF)), newM(b).Middleware())
		enqueueLoop(b, p, ctx, item)
	})
	b.Run("otel-canceled", func(b *testing.B) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		p := provobs.Chain(described(provobs.ContextError(provobs.OpEnqueueWorker, context.Canceled)), newM(b).Middleware())
		enqueueLoop(b, p, cctx, item)
	})
	b.Run("otel-named-method", func(b *testing.B) {
		s := provobs.NewStack(newM(b).Interceptor()).ForStore(networkStore)
		fn := func(context.Context, *provobs.Call) error { return nil }
		runLoop(b, s, ctx, "GetActivityTask", fn)
	})
	b.Run("empty-observe-named-method", func(b *testing.B) {
		s := provobs.NewStack(provobs.Observer(func(context.Context, *provobs.Call, error, time.Duration) {}))
		fn := func(context.Context, *provobs.Call) error { return nil }
		runLoop(b, s, ctx, "GetActivityTask", fn)
	})
	// The SDK alone: one Record with a precomputed set of the attributes
	// the interceptor records for a success on networkStore (6), and with
	// one attribute, for reference.
	b.Run("sdk-record-6-attributes", func(b *testing.B) {
		h := newHistogram(b)
		opts := []metric.RecordOption{metric.WithAttributeSet(attribute.NewSet(
			semconv.DBSystemNameKey.String(networkStore.System), semconv.DBNamespace(networkStore.Namespace),
			semconv.ServerAddress(networkStore.ServerAddress), semconv.ServerPort(networkStore.ServerPort),
			semconv.DBOperationName("EnqueueWorker"), attribute.String(provobs.KeyOperation, provobs.OpEnqueueWorker.String())))}
		recordLoop(b, h, ctx, opts)
	})
	b.Run("sdk-record-1-attribute", func(b *testing.B) {
		h := newHistogram(b)
		opts := []metric.RecordOption{metric.WithAttributeSet(attribute.NewSet(semconv.DBSystemNameKey.String(networkStore.System)))}
		recordLoop(b, h, ctx, opts)
	})
	b.Run("otel-success-parallel", func(b *testing.B) {
		p := provobs.Chain(described(nil), newM(b).Middleware())
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				_ = p.EnqueueWorker(ctx, item)
			}
		})
	})
}

// The loops are functions of their own, so that callgrind can count the
// instructions inside them alone (--toggle-collect; BENCHMARKS.md).

//go:noinline
func enqueueLoop(b *testing.B, p provobs.Provider, ctx context.Context, item provobs.WorkItem) {
	b.ReportAllocs()
	for b.Loop() {
		_ = p.EnqueueWorker(ctx, item)
	}
}

//go:noinline
func runLoop(b *testing.B, s provobs.Stack, ctx context.Context, method string, fn provobs.Func) {
	b.ReportAllocs()
	for b.Loop() {
		_ = s.Run(ctx, provobs.OpDequeue, method, "", fn)
	}
}

//go:noinline
func recordLoop(b *testing.B, h metric.Float64Histogram, ctx context.Context, opts []metric.RecordOption) {
	b.ReportAllocs()
	for b.Loop() {
		h.Record(ctx, 0.0042, opts...)
	}
}

// newHistogram returns a histogram like db.client.operation.duration's on
// a MeterProvider with a ManualReader.
func newHistogram(b *testing.B) metric.Float64Histogram {
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	b.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
	h, err := mp.Meter(otelmetrics.ScopeName).Float64Histogram("h", metric.WithUnit("s"),
		metric.WithExplicitBucketBoundaries(otelmetrics.DefaultBuckets()...))
	if err != nil {
		b.Fatal(err)
	}
	return h
}
