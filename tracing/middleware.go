package tracing

import (
	"context"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/slogprov"
)

// ScopeName is the instrumentation scope of the tracer the middleware uses.
const ScopeName = "github.com/provobs/provobs/tracing"

// KeyErrorType is the span attribute that carries provobs.TypeOf(err) on
// failure: OpenTelemetry's semantic-convention key error.type.
const KeyErrorType = "error.type"

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
// with tp's tracer and runs the operation, and everything inside this
// middleware, under the span's context. A nil tp uses the global
// TracerProvider (otel.GetTracerProvider) at the time Middleware is called.
func Middleware(tp trace.TracerProvider, opts ...Option) provobs.Middleware {
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	cfg := config{kind: trace.SpanKindInternal}
	for _, o := range opts {
		o.apply(&cfg)
	}
	ic := &interceptor{tracer: tp.Tracer(ScopeName)}
	for _, op := range provobs.Ops() {
		attrs := append([]attribute.KeyValue{attribute.String(slogprov.KeyOperation, op.String())}, cfg.attrs...)
		ic.start[op] = []trace.SpanStartOption{trace.WithSpanKind(cfg.kind), trace.WithAttributes(attrs...)}
	}
	return provobs.Intercept(ic)
}

type interceptor struct {
	tracer trace.Tracer
	// start holds each op's span start options, built once.
	start [provobs.NumOps][]trace.SpanStartOption
}

func (ic *interceptor) Intercept(ctx context.Context, c *provobs.Call) error {
	op := c.Op()
	ctx, span := ic.tracer.Start(ctx, spanNames[op], ic.start[op]...)
	recording := span.IsRecording()
	id := c.Instance()
	if recording && id != "" {
		span.SetAttributes(attribute.String(slogprov.KeyInstanceID, id))
	}

	err := c.Invoke(ctx)

	if recording {
		if id == "" { // a fetch or dequeue learns it from its result
			if id = c.Instance(); id != "" {
				span.SetAttributes(attribute.String(slogprov.KeyInstanceID, id))
			}
		}
		if err != nil {
			span.SetAttributes(attribute.String(KeyErrorType, string(provobs.TypeOf(err))))
			span.RecordError(err)
			span.SetStatus(codes.Error, err.Error())
		} else if k := op.SizeKey(); k != "" {
			span.SetAttributes(attribute.Int(k, c.Size()))
		}
	}
	span.End()
	return err
}
