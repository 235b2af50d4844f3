// Package tracing records an OpenTelemetry span for every operation of a
// provobs.Provider, as a middleware built on provobs.Intercept, following
// OpenTelemetry's database semantic conventions (semconv v1.43.0, the
// attribute constants of go.opentelemetry.io/otel/semconv/v1.43.0).
//
//	p := provobs.Chain(store, tracing.Middleware(tp), slogprov.Middleware(logger))
//
// # Spans
//
// One span per operation call. The span is a child of the span in the
// caller's context, and its context is what the operation runs under:
// middlewares inside this one and the provider itself see it.
//
// The interceptor is a provobs.StoreBinder: the chain binds it, when it is
// built, to provobs.DescribeStore of the provider it wraps (a provider says
// what it is by implementing provobs.Describer, as the sqlite and postgres
// providers do), and goworkflows.Wrap binds it to the go-workflows backend
// it wraps (provobs.Stack.ForStore). From that description it builds, once
// per operation and storage method, the span's name, kind and attribute
// set, so a call builds no attribute beyond instance_id, its size and its
// error. A store that does not describe itself gets spans all the same,
// with db.system.name other_sql.
//
// Name (SpanName), by the conventions' rule: "{db.operation.name}
// {target}", the target being db.namespace or, without one,
// "{server.address}:{server.port}"; "{db.operation.name}" alone when there
// is no target; without a method, the target or else db.system.name. For
// example "FetchOrchestrationItem provobs.db" (a SQLite file),
// "GetWorkflowTask test|provobs" (PostgreSQL), "AckWorker" (in-memory
// SQLite).
//
// Kind (SpanKind): CLIENT, or INTERNAL for an in-memory store (the store
// runs in the process), unless WithSpanKind says otherwise.
//
// # Attributes
//
//	attribute          type    when                                   value
//	db.system.name     string  always                                 provobs.StoreInfo.System: sqlite, postgresql, redis, mysql; other_sql for a store that does not say
//	db.operation.name  string  always (a call with a method)          the storage method: provobs.Call.Method (GetWorkflowTask, ...) or the op's Provider method (FetchOrchestrationItem, ...)
//	db.namespace       string  the store has one                      StoreInfo.Namespace: the SQLite file's name, PostgreSQL's "database|schema"
//	server.address     string  a network store                        StoreInfo.ServerAddress: the server's host
//	server.port        int     a network store with a known port      StoreInfo.ServerPort
//	operation          string  always                                 the provobs operation label (provobs.Op.String): fetch, ack_orch, ...
//	instance_id        string  the call knows its instance            provobs.Call.Instance, set after the call (a fetch learns it from its result)
//	<op.SizeKey()>     int     success, the op has a result size      messages, events, ...
//	error.type         string  failure or cancellation                provobs.ErrorTypeOf(ctx, err): lock_lost, deadline_exceeded, canceled, ...
//
// The database keys are the semconv constants (semconv.DBSystemNameKey,
// ...); operation, instance_id and the size keys are the root package's
// vocabulary, kept so that one dashboard serves every backend. The
// go-workflows method, formerly a method attribute, is db.operation.name.
// WithAttributes adds attributes of the caller's to every span.
//
// # Status
//
// The root package's rule decides (provobs.OutcomeOf; see "The caller's
// cancellation is not a store failure" there):
//
//   - success: status unset;
//   - failure (provobs.OutcomeFailed, a passed deadline included): the
//     error as an exception event (span.RecordError) and status Error with
//     the error text as its description;
//   - the caller's cancellation (provobs.OutcomeCanceled): error.type
//     canceled, status left unset, no exception event. A worker shutting
//     down leaves no error spans.
//
// Payloads are never recorded. When the span is not recording (sampled
// out, or a no-op provider), no attribute is built. Under a parent span
// that is valid but not sampled no span is started at all (the default
// ParentBased sampler would drop it): the call runs under the parent's
// context and the interceptor allocates nothing
// (WithSpansUnderUnsampledParents turns that off).
//
// Interceptor is the same tracer as a provobs.Interceptor, for a
// provobs.Stack around another storage interface.
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
