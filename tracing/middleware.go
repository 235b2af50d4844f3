package tracing

import (
	"context"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/provobs/provobs"
)

// ScopeName is the instrumentation scope of the tracer the middleware uses.
const ScopeName = "github.com/provobs/provobs/tracing"

// SpanName returns the name of op's spans: "provobs." and the operation
// label, as in "provobs.fetch".
func SpanName(op provobs.Op) string {
	if op.Valid() {
		return spanNames[op]
	}
	return "provobs." + op.String()
}

var spanNames = func() (names [provobs.NumOps]string) {
	for _, op := range provobs.Ops() {
		names[op] = "provobs." + op.String()
	}
	return names
}()

// Middleware returns a provobs.Middleware that records a span per operation
// with tp's tracer: provobs.Intercept(Interceptor(tp, opts...)).
func Middleware(tp trace.TracerProvider, opts ...Option) provobs.Middleware {
	return provobs.Intercept(Interceptor(tp, opts...))
}

// Interceptor returns the provobs.Interceptor that records a span per
// operation with tp's tracer and runs the operation, and everything inside
// it, under the span's context. A nil tp uses the global TracerProvider
// (otel.GetTracerProvider) at the time Interceptor is called. Use it in a
// provobs.Stack to trace the calls of another storage interface.
func Interceptor(tp trace.TracerProvider, opts ...Option) provobs.Interceptor {
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	cfg := config{kind: trace.SpanKindInternal}
	for _, o := range opts {
		o.apply(&cfg)
	}
	ic := &interceptor{tracer: tp.Tracer(ScopeName)}
	for _, op := range provobs.Ops() {
		attrs := append([]attribute.KeyValue{attribute.String(provobs.KeyOperation, op.String())}, cfg.attrs...)
		ic.start[op] = []trace.SpanStartOption{trace.WithSpanKind(cfg.kind), trace.WithAttributes(attrs...)}
	}
	return ic
}

type interceptor struct {
	tracer trace.Tracer
	// start holds each op's span start options, built once.
	start [provobs.NumOps][]trace.SpanStartOption
}

func (ic *interceptor) Intercept(ctx context.Context, c *provobs.Call) error {
	op := c.Op()
	ctx, span := ic.tracer.Start(ctx, spanNames[op], ic.start[op]...)
	err := c.Invoke(ctx)
	if span.IsRecording() {
		// Set after the call: a fetch or dequeue learns its instance from
		// its result.
		if id := c.Instance(); id != "" {
			span.SetAttributes(attribute.String(provobs.KeyInstanceID, id))
		}
		if m := c.Method(); m != "" {
			span.SetAttributes(attribute.String(provobs.KeyMethod, m))
		}
		if err != nil {
			span.SetAttributes(attribute.String(provobs.KeyOTelErrorType, provobs.TypeOf(err).String()))
			span.RecordError(err)
			span.SetStatus(codes.Error, err.Error())
		} else if k := op.SizeKey(); k != "" {
			span.SetAttributes(attribute.Int(k, c.Size()))
		}
	}
	span.End()
	return err
}
