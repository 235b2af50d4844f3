// Package slogprov logs every operation of a provobs.Provider through a
// *slog.Logger: one record per operation, written by a middleware, so a
// provider is instrumented by the chain and not by hand.
//
//	p := provobs.Chain(store, slogprov.Middleware(logger))
//
// Interceptor is the same logger as a provobs.Interceptor, for a
// provobs.Stack that instruments another storage interface.
//
// Records go to logger.Handler(), so the caller's handler, level, With
// attributes and groups apply. Payloads (work item and event payloads,
// outputs) are never logged: they are user data.
//
// # Levels
//
//   - success: DEBUG, message MessageOK;
//   - failure: ERROR, message MessageFailed;
//   - retryable failure (provobs.IsRetryable, i.e. transaction_failed and
//     lock_timeout): WARN, message MessageFailed. The caller (or a retry
//     middleware) may still succeed, so it is not yet an error;
//   - a passed deadline (deadline_exceeded): WARN, message MessageFailed.
//     The store may be too slow for its caller;
//   - the caller's cancellation (provobs.OutcomeCanceled: the context it
//     passed was cancelled, as when a worker shuts down): DEBUG, message
//     MessageCanceled, with error_type=canceled and the error. It is not a
//     failure of the store and is never logged at WARN or ERROR. The rule
//     is the root package's (provobs.OutcomeOf, see "The caller's
//     cancellation is not a store failure" there), shared by every
//     middleware.
//
// A failure is whatever error the operation returned to this middleware;
// place slogprov outside a retry middleware to log final outcomes, inside it
// to log every attempt.
//
// # Attributes
//
// The keys are the vocabulary constants of the root package
// (provobs.KeyOperation, ...).
//
//	key                   type     when                       value
//	operation             string   always                     provobs.Op.String(): fetch, ack_orch, ...
//	duration_ms           float64  always                     milliseconds, rounded to the microsecond
//	instance_id           string   when known                 provobs.Call.Instance()
//	error_type            string   failure or cancellation    provobs.ErrorTypeOf(ctx, err): lock_lost, lock_timeout, canceled, ...
//	error                 error    failure or cancellation    the error; handlers render its text
//	<op.SizeKey()>        int      success, op has a size     messages, events, items, sessions_renewed, sessions_cleaned, instances
//	empty_polls           uint64   sampled empty poll         n: the empty polls since the previous sampled record, this one included
//	method                string   call names its method      provobs.Call.Method(): the storage method of another interface (GetWorkflowTask, ...)
//	trace_id, span_id     string   inside a valid span        hex ids of the span in the context (WithTraceIDs)
//
// The order is operation, error_type, error, duration_ms, instance_id, then
// the size: at most five attributes, which slog.Record holds without
// allocating; method and the trace ids come last.
//
// # Duration
//
// duration_ms is a float64 number of milliseconds with microsecond
// precision (1.5 is 1500µs), never a time.Duration: the JSON handler would
// write a Duration as nanoseconds and the OTel bridge as an int64 of
// nanoseconds, which reads as milliseconds to nobody.
//
// # Empty polls
//
// A fetch or dequeue that succeeds and finds no work is an empty poll.
// Dispatchers poll in a loop, so by default empty polls are suppressed: they
// write no record. WithEmptyPollSampling(n) writes one record (DEBUG, size 0)
// at every n-th empty poll instead; its empty_polls (n) counts the polls
// since the previous record, so the records add up to the empty polls made.
//
// # Cost
//
// The middleware asks the handler's Enabled for the record's level before
// it builds anything; when the level is disabled it adds no allocation to
// the call (BenchmarkMiddleware; figures in BENCHMARKS.md). Records are built with slog.NewRecord
// and passed to Handler.Handle directly. Their PC is 0, so AddSource
// reports no source: the provider's caller is an unknown number of
// middleware frames away and the middleware's own location says nothing.
// An error returned by the handler is ignored; logging never fails an
// operation.
//
// # Tracing
//
// Records are written with the context the operation runs under. Placed
// inside tracing.Middleware, the records carry the operation's span
// context: every record gets trace_id and span_id attributes (hex, as
// OpenTelemetry prints them) in any format — JSON, text, tint — and the
// otelslog bridge also sets its native trace fields from the context:
//
//	provobs.Chain(store, tracing.Middleware(tp), slogprov.Middleware(logger))
package slogprov
