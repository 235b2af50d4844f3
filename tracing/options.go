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
	kind  trace.SpanKind
	attrs []attribute.KeyValue
}

// WithSpanKind sets the kind of every operation span; a provider that talks
// to a database server over the network may prefer trace.SpanKindClient.
// (Default: trace.SpanKindInternal.)
func WithSpanKind(kind trace.SpanKind) Option {
	return optionFunc(func(c *config) { c.kind = kind })
}

// WithAttributes adds attributes to every operation span, such as
// db.system.name. Repeated uses accumulate. (Default: none.)
func WithAttributes(attrs ...attribute.KeyValue) Option {
	attrs = append([]attribute.KeyValue(nil), attrs...)
	return optionFunc(func(c *config) { c.attrs = append(c.attrs, attrs...) })
}
