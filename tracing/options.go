package tracing

import (
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// Option configures Middleware.
type Option interface {
	apply(*config)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	kind           trace.SpanKind
	attrs          []attribute.KeyValue
	underUnsampled bool // start spans under an unsampled parent too
}

// WithSpanKind sets the kind of every operation span, whatever the store.
// (Default: SpanKind of the bound store: trace.SpanKindClient, or
// trace.SpanKindInternal for an in-memory store.)
func WithSpanKind(kind trace.SpanKind) Option {
	return optionFunc(func(c *config) { c.kind = kind })
}

// WithAttributes adds attributes to every operation span, after the
// database attributes of the bound store (an attribute of the same key
// replaces one of those). Repeated uses accumulate. (Default: none.)
func WithAttributes(attrs ...attribute.KeyValue) Option {
	attrs = append([]attribute.KeyValue(nil), attrs...)
	return optionFunc(func(c *config) { c.attrs = append(c.attrs, attrs...) })
}

// WithSpansUnderUnsampledParents says whether a call whose parent span (the
// span in the caller's context) is valid but not sampled starts a span of
// its own. By default it does not: the call runs under the parent's
// context, as the SDK's default sampler (ParentBased) would drop the span
// anyway, and starting one costs a span id, a context and two allocations
// per call (BenchmarkInterceptor). Turn it on for a sampler that may sample
// a span whose parent is not sampled. (Default: false.)
func WithSpansUnderUnsampledParents(on bool) Option {
	return optionFunc(func(c *config) { c.underUnsampled = on })
}
