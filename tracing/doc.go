// Package tracing records an OpenTelemetry span for every operation of a
// provobs.Provider, as a middleware built on provobs.Intercept.
//
//	p := provobs.Chain(store, tracing.Middleware(tp), slogprov.Middleware(logger))
//
// # Spans
//
// One span per operation call, named SpanName(op): "provobs." followed by the
// operation label ("provobs.fetch", "provobs.ack_orch", ...), of kind
// Internal unless WithSpanKind says otherwise. The span is a child of the
// span in the caller's context, and its context is what the operation runs
// under: middlewares inside this one and the provider itself see it.
//
//	attribute      type    when
//	operation      string  always: the operation label
//	instance_id    string  when the call knows its instance, before or after the operation runs
//	<op.SizeKey()> int     success, when the operation has a result size (messages, events, ...)
//	error.type     string  failure: provobs.TypeOf(err), e.g. lock_lost
//	method         string  when the call names its storage method (provobs.Call.Method)
//
// The keys are the root package's vocabulary (provobs.KeyOperation, ...),
// with provobs.KeyOTelErrorType, OpenTelemetry's semantic-convention key for
// error classification. Interceptor is the same tracer as a
// provobs.Interceptor, for a provobs.Stack around another storage interface. On failure the span also gets the error as an exception
// event (span.RecordError) and status Error with the error text as its
// description. Payloads are never recorded. When the span is not recording
// (sampled out, or a no-op provider), no attribute is built.
//
// # Log correlation
//
// A log record written with the operation's context carries its span
// context; with the otelslog bridge the OpenTelemetry log record gets the
// span's trace and span ids. slogprov writes its records with that context
// when it is placed inside this middleware (after it in Chain's list), so
// each operation's log record is correlated with its span; slogprov also
// adds trace_id and span_id attributes, so JSON, text and tint records
// carry them too.
package tracing
