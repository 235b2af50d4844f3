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
