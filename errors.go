package provobs

import (
	"context"
	"errors"
	"fmt"
	"strconv"
)

// ErrorType classifies a provider error so callers, log records and metric
// labels can branch on it without matching text. The set is closed: the
// constants below are every value a label can take, numbered densely from 1
// so a [NumErrorTypes]T array indexed by ErrorType holds one slot per type
// (slot 0, the zero ErrorType, stands for "no error").
type ErrorType uint8

// The error types. Retryable ones are marked; NewError applies that default.
const (
	// TypeTransactionFailed: a begin or commit failed (retryable).
	TypeTransactionFailed ErrorType = iota + 1
	// TypeLockTimeout: the store was busy or locked too long, SQLITE_BUSY
	// and kin (retryable).
	TypeLockTimeout
	// TypeSerialization: a payload would not encode or decode (permanent).
	TypeSerialization
	// TypeLockLost: the peek-lock token is invalid, expired or already used
	// (permanent).
	TypeLockLost
	// TypeConflict: a duplicate event id or another constraint violation
	// (permanent).
	TypeConflict
	// TypeCanceled: the caller's context was cancelled (permanent for this
	// call). OutcomeOf treats it as the caller's own doing, not a failure of
	// the store.
	TypeCanceled
	// TypeInvalidArgument: the call's arguments are unusable, such as an
	// empty instance id or an invalid work item kind (permanent).
	TypeInvalidArgument
	// TypeClosed: the provider was closed (permanent).
	TypeClosed
	// TypeUnknown: anything not classified above.
	TypeUnknown
	// TypeDeadlineExceeded: the caller's deadline passed before the store
	// answered (permanent for this call). Unlike TypeCanceled it may mean
	// the store is slow, so OutcomeOf counts it as a failure.
	TypeDeadlineExceeded

	// NumErrorTypes is one more than the highest ErrorType.
	NumErrorTypes = iota + 1
)

var errorTypeLabels = [NumErrorTypes]string{
	TypeTransactionFailed: "transaction_failed",
	TypeLockTimeout:       "lock_timeout",
	TypeSerialization:     "serialization_error",
	TypeLockLost:          "lock_lost",
	TypeConflict:          "conflict",
	TypeCanceled:          "canceled",
	TypeInvalidArgument:   "invalid_argument",
	TypeClosed:            "closed",
	TypeUnknown:           "unknown",
	TypeDeadlineExceeded:  "deadline_exceeded",
}

// ErrorTypes returns every ErrorType in order, for pre-creating labelled
// series. The slice is new on each call.
func ErrorTypes() []ErrorType {
	out := make([]ErrorType, 0, NumErrorTypes-1)
	for t := TypeTransactionFailed; t < NumErrorTypes; t++ {
		out = append(out, t)
	}
	return out
}

// ParseErrorType returns the ErrorType whose label is s ("lock_lost", ...).
func ParseErrorType(s string) (ErrorType, bool) {
	for t := TypeTransactionFailed; t < NumErrorTypes; t++ {
		if errorTypeLabels[t] == s {
			return t, true
		}
	}
	return 0, false
}

// Valid reports whether t is one of the defined error types (not the zero
// ErrorType).
func (t ErrorType) Valid() bool { return t >= TypeTransactionFailed && t < NumErrorTypes }

// String returns the type's label ("lock_lost", ...), the value of the
// error_type log attribute and metric label; "" for the zero ErrorType.
func (t ErrorType) String() string {
	if t.Valid() {
		return errorTypeLabels[t]
	}
	if t == 0 {
		return ""
	}
	return "ErrorType(" + strconv.Itoa(int(t)) + ")"
}

// MarshalText encodes t as its label, so encoders (JSON, slog) write
// "lock_lost" rather than a number.
func (t ErrorType) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// Retryable reports the default retryability of t: true for
// TypeTransactionFailed and TypeLockTimeout.
func (t ErrorType) Retryable() bool {
	return t == TypeTransactionFailed || t == TypeLockTimeout
}

// Sentinels for errors.Is: errors.Is(err, provobs.ErrLockLost) is true for
// any *Error of that Type, whatever its Op and cause.
var (
	ErrTransactionFailed = &Error{Type: TypeTransactionFailed}
	ErrLockTimeout       = &Error{Type: TypeLockTimeout}
	ErrSerialization     = &Error{Type: TypeSerialization}
	ErrLockLost          = &Error{Type: TypeLockLost}
	ErrConflict          = &Error{Type: TypeConflict}
	ErrCanceled          = &Error{Type: TypeCanceled}
	ErrInvalidArgument   = &Error{Type: TypeInvalidArgument}
	ErrClosed            = &Error{Type: TypeClosed}
	ErrDeadlineExceeded  = &Error{Type: TypeDeadlineExceeded}
)

// Error is the typed error every provider operation returns. It wraps its
// cause, so errors.Is and errors.As see through it.
type Error struct {
	// Op is the operation that failed (0 for a sentinel).
	Op Op
	// Type classifies the failure.
	Type ErrorType
	// Retryable says whether the same call may succeed if repeated.
	Retryable bool
	// Err is the cause; it may be nil.
	Err error
}

// NewError returns an *Error of type t for op wrapping cause, with Retryable
// set from t.Retryable().
func NewError(op Op, t ErrorType, cause error) *Error {
	return &Error{Op: op, Type: t, Retryable: t.Retryable(), Err: cause}
}

// Error renders "provobs: <op>: <type>: <cause>".
func (e *Error) Error() string {
	s := "provobs: "
	if e.Op.Valid() {
		s += e.Op.String() + ": "
	}
	s += e.Type.String()
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is matches a sentinel: target is an *Error with no Op and no cause whose
// Type equals e's.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Op == 0 && t.Err == nil && t.Type == e.Type
}

// TypeOf classifies err: the zero ErrorType for nil; the Type of the
// outermost *Error in its chain; TypeCanceled for context.Canceled;
// TypeDeadlineExceeded for context.DeadlineExceeded; otherwise TypeUnknown.
func TypeOf(err error) ErrorType {
	if err == nil {
		return 0
	}
	if pe, ok := errors.AsType[*Error](err); ok {
		return pe.Type
	}
	return contextType(err)
}

// contextType returns TypeCanceled or TypeDeadlineExceeded for an error
// that wraps a context error, otherwise TypeUnknown.
func contextType(err error) ErrorType {
	switch {
	case errors.Is(err, context.Canceled):
		return TypeCanceled
	case errors.Is(err, context.DeadlineExceeded):
		return TypeDeadlineExceeded
	}
	return TypeUnknown
}

// ContextError returns the typed error of an operation that ended because
// its context did: TypeDeadlineExceeded when cause is (or wraps)
// context.DeadlineExceeded, otherwise TypeCanceled. A nil cause stands for
// context.Canceled. Providers call it with ctx.Err() or with a driver error
// that wraps it.
func ContextError(op Op, cause error) *Error {
	if cause == nil {
		cause = context.Canceled
	}
	if contextType(cause) == TypeDeadlineExceeded {
		return NewError(op, TypeDeadlineExceeded, cause)
	}
	return NewError(op, TypeCanceled, cause)
}

// The causes of the errors a provider builds itself.
var (
	errTokenInvalid = errors.New("lock token is unknown, expired or already used")
	errClosed       = errors.New("provider is closed")
)

// LockLostError returns the TypeLockLost error of op: the lock token is
// empty, unknown, expired or already used.
func LockLostError(op Op) *Error { return NewError(op, TypeLockLost, errTokenInvalid) }

// ClosedError returns the TypeClosed error of op: the provider was closed.
// cause, when not nil, is what the store said on the way out (a closed
// pool, a dropped connection); it is joined to the error's cause.
func ClosedError(op Op, cause error) *Error {
	if cause != nil {
		return NewError(op, TypeClosed, errors.Join(errClosed, cause))
	}
	return NewError(op, TypeClosed, errClosed)
}

// InvalidArgumentError returns the TypeInvalidArgument error of op, its
// cause formatted as fmt.Errorf does.
func InvalidArgumentError(op Op, format string, args ...any) *Error {
	return NewError(op, TypeInvalidArgument, fmt.Errorf(format, args...))
}

// IsRetryable reports whether err is an *Error (anywhere in its chain) marked
// Retryable. Unclassified errors and context errors are not retryable.
func IsRetryable(err error) bool {
	pe, ok := errors.AsType[*Error](err)
	return ok && pe.Retryable
}

// Classify returns err as an *Error for op: an *Error in the chain is
// returned as is (its Op filled in when missing, on a copy); context errors
// become TypeCanceled or TypeDeadlineExceeded; anything else TypeUnknown. Classify(op, nil) is nil.
func Classify(op Op, err error) *Error {
	if err == nil {
		return nil
	}
	var pe *Error
	if errors.As(err, &pe) {
		if pe.Op == 0 {
			cp := *pe
			cp.Op = op
			return &cp
		}
		return pe
	}
	return &Error{Op: op, Type: TypeOf(err), Err: err}
}
