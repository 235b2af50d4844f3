package bench

import (
	"context"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/provobs/provobs"
)

// BenchmarkChain measures one provider call on a no-op provider, bare and
// through the full chain (FullChain: retry, slogprov over redact over JSON
// to io.Discard, metrics), with DEBUG disabled (the chain at INFO: success
// records are not built) and enabled (every call writes a JSON record), and
// through the full chain with tracing.Middleware outermost (TracedChain, the
// order of cmd/provobs) on the real OpenTelemetry SDK:
//
//   - full+trace=unsampled: sampler ParentBased(AlwaysSample) and an
//     unsampled parent span context in the caller's context, so no span is
//     recorded; compare with full/debug=disabled (same chain, no tracing).
//   - full+trace=sampled: AlwaysSample, spans recorded and handed to a
//     BatchSpanProcessor (default options: a full queue drops spans) over an
//     exporter that discards them. spans/op is the number of spans the
//     exporter received per call (1 when the processor kept up, less when
//     it dropped some); every call starts and ends exactly one span, so
//     allocs/op is also the allocations per span.
//
// Both at DEBUG disabled. Run:
//
//	cd bench && go test -run='^$' -bench=BenchmarkChain -benchmem -count=10 . | tee chain.txt
//	go run golang.org/x/perf/cmd/benchstat@latest chain.txt
//
// Each sub-benchmark is one operation: fetch (a batch of one message for a
// known instance), ack_orch (a retried op: the retry layer is active) and
// enqueue. Budgets: full/debug=disabled ≤ 200 ns and ≤ 1 allocation;
// full+trace=unsampled ≤ 50 ns over full/debug=disabled and 0 allocations.
// callgrind.sh counts the instructions per call of any of them.
func BenchmarkChain(b *testing.B) {
	fetchOpts := provobs.FetchOptions{LockTimeout: time.Minute}
	ack := provobs.OrchestrationAck{ExecutionID: 1, HistoryDelta: []provobs.Event{{ID: 1, Kind: provobs.EventOrchestrationStarted}}}
	item := provobs.WorkItem{Kind: provobs.KindStartOrchestration, InstanceID: "instance-1"}
	calls := []struct {
		op   string
		call func(ctx context.Context, p provobs.Provider) error
	}{
		{"fetch", func(ctx context.Context, p provobs.Provider) error {
			_, err := p.FetchOrchestrationItem(ctx, fetchOpts)
			return err
		}},
		{"ack_orch", func(ctx context.Context, p provobs.Provider) error { return p.AckOrchestrationItem(ctx, "token", ack) }},
		{"enqueue", func(ctx context.Context, p provobs.Provider) error { return p.EnqueueOrchestrator(ctx, item, 0) }},
	}
	chains := []struct {
		name string
		// p returns the provider and the context of each call.
		p func(b *testing.B) (provobs.Provider, context.Context)
	}{
		{"bare", func(*testing.B) (provobs.Provider, context.Context) { return newStub(), context.Background() }},
		{"full/debug=disabled", func(b *testing.B) (provobs.Provider, context.Context) {
			return full(b, slog.LevelInfo), context.Background()
		}},
		{"full/debug=enabled", func(b *testing.B) (provobs.Provider, context.Context) {
			return full(b, slog.LevelDebug), context.Background()
		}},
		{"full+trace=unsampled/debug=disabled", traceUnsampled},
		{"full+trace=sampled/debug=disabled", traceSampled},
	}
	for _, ch := range chains {
		for _, c := range calls {
			b.Run(ch.name+"/op="+c.op, func(b *testing.B) {
				p, ctx := ch.p(b)
				b.ReportAllocs()
				for b.Loop() {
					if err := c.call(ctx, p); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func full(b *testing.B, level slog.Level) provobs.Provider {
	p, _, err := FullChain(newStub(), level, nil)
	if err != nil {
		b.Fatal(err)
	}
	return p
}

// unsampledParent is a caller's context whose span context is valid and
// not sampled: under ParentBased, every span started in it is dropped.
func unsampledParent() context.Context {
	return trace.ContextWithSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16},
		SpanID:  trace.SpanID{1, 2, 3, 4, 5, 6, 7, 8},
		Remote:  true,
	}))
}

// traceUnsampled is the traced chain on an SDK TracerProvider whose sampler
// records nothing in unsampledParent's context.
func traceUnsampled(b *testing.B) (provobs.Provider, context.Context) {
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.AlwaysSample())))
	b.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	ctx := unsampledParent()
	if trace.SpanContextFromContext(ctx).IsSampled() {
		b.Fatal("the parent span context is sampled")
	}
	return traced(b, tp), ctx
}

// traceSampled is the traced chain on an SDK TracerProvider that samples
// every span into a BatchSpanProcessor over a discarding exporter. It
// reports the spans exported per call.
func traceSampled(b *testing.B) (provobs.Provider, context.Context) {
	exp := &discardExporter{}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysSample()), sdktrace.WithBatcher(exp))
	b.Cleanup(func() {
		if err := tp.Shutdown(context.Background()); err != nil { // flushes the queue
			b.Error(err)
		}
		b.ReportMetric(float64(exp.spans.Load())/float64(b.N), "spans/op")
	})
	return traced(b, tp), context.Background()
}

func traced(b *testing.B, tp trace.TracerProvider) provobs.Provider {
	p, _, err := TracedChain(newStub(), tp, slog.LevelInfo, nil)
	if err != nil {
		b.Fatal(err)
	}
	return p
}

// discardExporter counts the spans it is given and keeps none.
type discardExporter struct{ spans atomic.Int64 }

func (e *discardExporter) ExportSpans(_ context.Context, spans []sdktrace.ReadOnlySpan) error {
	e.spans.Add(int64(len(spans)))
	return nil
}

func (e *discardExporter) Shutdown(context.Context) error { return nil }
