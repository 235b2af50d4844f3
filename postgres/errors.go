package postgres

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/puddle/v2"

	"github.com/provobs/provobs"
)

// SchemaVersionError is returned by Open when the schema was written by a
// newer version of this package. The schema is left untouched.
type SchemaVersionError struct {
	// Schema is the PostgreSQL schema.
	Schema string
	// Version is the schema version found in the store.
	Version int
	// Supported is the newest schema version this code knows (SchemaVersion).
	Supported int
}

// Error describes the mismatch.
func (e *SchemaVersionError) Error() string {
	return fmt.Sprintf("postgres: schema %q has version %d, newer than the %d this code supports; upgrade provobs",
		e.Schema, e.Version, e.Supported)
}

// classify turns an error from pgx into a *provobs.Error for op, branching
// on the SQLSTATE code and the error's Go type, never on its text:
//
//	23xxx integrity constraint (23505 unique ...)  conflict
//	40001 serialization, 40P01 deadlock            transaction_failed (retryable)
//	08xxx connection exception, 57P01..57P03       transaction_failed (retryable)
//	  admin/crash shutdown, cannot connect now;
//	  a broken connection or a failed dial
//	53300 too many connections                     lock_timeout (retryable)
//	55P03 lock not available, 57014 statement      lock_timeout (retryable)
//	  timeout (without a cancelled context)
//	22xxx data exception (such as a NUL byte or    invalid_argument
//	  invalid UTF-8 in a text argument)
//	a cancelled context                            canceled
//	a passed deadline                              deadline_exceeded
//	a closed pool                                  closed
//	anything else                                  unknown
//
// An error that already is a *provobs.Error keeps its type.
func classify(ctx context.Context, op provobs.Op, err error) *provobs.Error {
	if err == nil {
		return nil
	}
	if _, ok := errors.AsType[*provobs.Error](err); ok {
		return provobs.Classify(op, err)
	}
	if cerr := ctx.Err(); cerr != nil {
		if !errors.Is(err, cerr) {
			err = fmt.Errorf("%w: %w", cerr, err)
		}
		return provobs.ContextError(op, err)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return provobs.ContextError(op, err)
	}
	if errors.Is(err, puddle.ErrClosedPool) {
		return provobs.ClosedError(op, err)
	}
	if pe, ok := errors.AsType[*pgconn.PgError](err); ok {
		return provobs.NewError(op, sqlStateType(pe.Code), err)
	}
	if _, ok := errors.AsType[*pgconn.ConnectError](err); ok {
		return provobs.NewError(op, provobs.TypeTransactionFailed, err)
	}
	if _, ok := errors.AsType[net.Error](err); ok {
		return provobs.NewError(op, provobs.TypeTransactionFailed, err)
	}
	if pgconn.SafeToRetry(err) || pgconn.Timeout(err) {
		return provobs.NewError(op, provobs.TypeTransactionFailed, err)
	}
	return provobs.NewError(op, provobs.TypeUnknown, err)
}

// sqlStateType maps a SQLSTATE code to an error type (see classify).
func sqlStateType(code string) provobs.ErrorType {
	switch code {
	case "40001", "40P01", "57P01", "57P02", "57P03":
		return provobs.TypeTransactionFailed
	case "53300", "55P03", "57014":
		return provobs.TypeLockTimeout
	}
	switch {
	case strings.HasPrefix(code, "08"):
		return provobs.TypeTransactionFailed
	case strings.HasPrefix(code, "23"):
		return provobs.TypeConflict
	case strings.HasPrefix(code, "22"):
		return provobs.TypeInvalidArgument
	}
	return provobs.TypeUnknown
}

// PostgreSQL text cannot hold a NUL byte, so on top of the contract's rules
// (provobs.Validate*) the ids a call stores or names must be free of them;
// the provider refuses them with TypeInvalidArgument before they reach the
// server.

// validateText refuses ids (what names them) that hold a NUL byte.
func validateText(op provobs.Op, what string, ids ...string) error {
	for _, id := range ids {
		if strings.IndexByte(id, 0) >= 0 {
			return provobs.InvalidArgumentError(op, "%s contains a NUL byte", what)
		}
	}
	return nil
}

// validateItemText applies validateText to the instance and session ids of
// items.
func validateItemText(op provobs.Op, items ...provobs.WorkItem) error {
	for _, it := range items {
		if err := validateText(op, "instance id", it.InstanceID); err != nil {
			return err
		}
		if err := validateText(op, "session id", it.SessionID); err != nil {
			return err
		}
	}
	return nil
}
