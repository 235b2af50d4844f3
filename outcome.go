package provobs

import (
	"context"
	"errors"
)

// Outcome is how an operation ended, as every observer must treat it: the
// logging, metrics, tracing and OpenTelemetry metrics interceptors and the
// go-workflows decorator all read it from OutcomeOf, so one rule decides
// what is a failure of the store.
type Outcome uint8

// The outcomes.
const (
	// OutcomeOK: the operation returned no error.
	OutcomeOK Outcome = iota
	// OutcomeCanceled: the operation ended because the caller cancelled the
	// context it passed (a worker shutting down, a poller stopped). It is
	// not a failure of the store: a record at DEBUG with
	// error_type=canceled, a span whose status stays unset, and a count in
	// the cancellation counter, never in the infrastructure error counter.
	OutcomeCanceled
	// OutcomeFailed: any other error, a passed deadline included (the
	// store may be too slow for the caller: worth a WARN and a count). A
	// failed operation is logged at WARN or ERROR, sets the span status to
	// Error and counts as an infrastructure error of its ErrorType.
	OutcomeFailed
)

// OutcomeOf classifies the end of an operation run with ctx that returned
// err. It is OutcomeCanceled when err is not nil and either ctx, the context
// the caller passed, was cancelled (whatever error the store returned on
// the way out: a driver's "interrupted" or "conn closed" as well as
// context.Canceled), or err is TypeCanceled and ctx's deadline has not
// passed. A passed deadline is OutcomeFailed. OutcomeOf(ctx, nil) is
// OutcomeOK; a nil ctx is treated as one never cancelled.
//
// # Polls that end on their own deadline
//
// A long-polling caller may give each poll a deadline of its own and read
// its expiry as "no work". go-workflows' worker (v1.4.2,
// internal/worker/worker.go) does: every GetWorkflowTask and
// GetActivityTask runs under context.WithTimeout(workerCtx, 30s), and a
// context.DeadlineExceeded from it is taken as no task. A backend that
// blocks for work (the Redis backend with a block timeout of 30 s or more)
// or a poll that waits on a busy store then ends on that deadline. Such a
// call is an empty poll, not a failure: PollExpired recognises it, and a
// storage wrapper that knows its caller polls this way (goworkflows.Wrap)
// reports it as an empty poll (success, size 0), so an idle worker writes
// no WARN and counts no error at every poll. Its latency is still observed,
// so a store that is slow to answer shows in the latency histograms. The
// provobs Provider contract has no such deadline (a fetch waits at most
// FetchOptions.PollTimeout and returns (nil, nil)), so for a Provider a
// passed deadline stays OutcomeFailed.
func OutcomeOf(ctx context.Context, err error) Outcome {
	if err == nil {
		return OutcomeOK
	}
	if ctx != nil {
		if cerr := ctx.Err(); cerr != nil {
			if errors.Is(cerr, context.Canceled) {
				return OutcomeCanceled
			}
			return OutcomeFailed
		}
	}
	if TypeOf(err) == TypeCanceled {
		return OutcomeCanceled
	}
	return OutcomeFailed
}

// ErrorTypeOf is the error type an observer records for err, the error of
// an operation run with ctx, consistent with OutcomeOf: TypeCanceled for
// every OutcomeCanceled (a driver's "conn closed" on the way out of a
// cancelled call included); TypeDeadlineExceeded for an error typed
// canceled once ctx's deadline has passed (a driver's "interrupted", a
// provider that reports any context error as canceled); otherwise
// TypeOf(err). It is 0 for a nil err.
func ErrorTypeOf(ctx context.Context, err error) ErrorType {
	if err == nil {
		return 0
	}
	if OutcomeOf(ctx, err) == OutcomeCanceled {
		return TypeCanceled
	}
	t := TypeOf(err)
	if t == TypeCanceled && ctx != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return TypeDeadlineExceeded
	}
	return t
}

// PollExpired reports whether a poll ended on a deadline of its own: op
// polls (Op.Polls: fetch, dequeue), ctx's deadline has passed and err is
// that deadline (ErrorTypeOf is TypeDeadlineExceeded). A storage wrapper
// whose caller reads such an end as "no work" reports the call as an empty
// poll (see OutcomeOf). A nil ctx or err, a cancelled ctx, or another op
// gives false.
func PollExpired(ctx context.Context, op Op, err error) bool {
	if ctx == nil || err == nil || !op.Polls() {
		return false
	}
	return errors.Is(ctx.Err(), context.DeadlineExceeded) && ErrorTypeOf(ctx, err) == TypeDeadlineExceeded
}
