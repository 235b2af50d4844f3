package tracing_test

import (
	"context"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/tracing"
)

// unsampledParent returns a context whose span is remote and not sampled,
// so a parent-based sampler records nothing under it.
func unsampledParent() context.Context {
	sc := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{1}, SpanID: trace.SpanID{1}, Remote: true,
	})
	return trace.ContextWithRemoteSpanContext(context.Background(), sc)
}

// BenchmarkInterceptor/parent=unsampled is the cost of the interceptor when
// the parent is not sampled (the SDK's default parent-based sampler),
// against no interceptor; method=own is a Provider method, method=named a
// go-workflows method (its span spec found in the copy-on-write map).
func BenchmarkInterceptor(b *testing.B) {
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.AlwaysSample())))
	defer func() { _ = tp.Shutdown(context.Background()) }()
	info := provobs.StoreInfo{System: provobs.SystemPostgreSQL, Namespace: "test|provobs", ServerAddress: "127.0.0.1", ServerPort: 5432}
	body := func(_ context.Context, c *provobs.Call) error { c.SetSize(1); return nil }
	ctx := unsampledParent()
	for _, bc := range []struct {
		name   string
		stack  provobs.Stack
		method string
	}{
		{"tracing=none", provobs.NewStack(), ""},
		{"parent=unsampled/method=own", provobs.NewStack(tracing.Interceptor(tp)).ForStore(info), ""},
		{"parent=unsampled/method=named", provobs.NewStack(tracing.Interceptor(tp)).ForStore(info), "GetWorkflowTask"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = bc.stack.Run(ctx, provobs.OpFetch, bc.method, "", body)
			}
		})
	}
	// Always sampled, no processor: the cost of a recording span and its
	// attributes (the precomputed set plus instance_id and the size).
	b.Run("sampled/method=own", func(b *testing.B) {
		st := provobs.NewStack(tracing.Interceptor(tp)).ForStore(info)
		b.ReportAllocs()
		for b.Loop() {
			_ = st.Run(context.Background(), provobs.OpFetch, "", "wf-1", body)
		}
	})
}
