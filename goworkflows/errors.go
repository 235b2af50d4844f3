package goworkflows

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"reflect"
	"strings"

	"github.com/cschleiden/go-workflows/backend"

	"github.com/provobs/provobs"
)

// classify returns err as the *provobs.Error interceptors see for op. An
// error that already carries a *provobs.Error (a backend built on provobs)
// keeps its type; anything else is typed by errorType.
func classify(op provobs.Op, err error) *provobs.Error {
	if _, ok := errors.AsType[*provobs.Error](err); ok {
		return provobs.Classify(op, err)
	}
	return provobs.NewError(op, errorType(err), err)
}

// errorType classifies an error of a go-workflows backend, first match
// wins; the table is in the package documentation.
func errorType(err error) provobs.ErrorType {
	switch {
	case errors.Is(err, context.Canceled):
		return provobs.TypeCanceled
	case errors.Is(err, context.DeadlineExceeded):
		return provobs.TypeDeadlineExceeded
	case errors.Is(err, backend.ErrInstanceAlreadyExists), errors.Is(err, backend.ErrInstanceNotFinished):
		return provobs.TypeConflict
	case errors.Is(err, backend.ErrInstanceNotFound):
		return provobs.TypeInvalidArgument
	}
	if _, ok := errors.AsType[backend.ErrNotSupported](err); ok {
		return provobs.TypeInvalidArgument
	}
	if _, ok := errors.AsType[*backend.ErrNotSupported](err); ok {
		return provobs.TypeInvalidArgument
	}
	if t := sqliteType(err); t != 0 {
		return t
	}
	if t := sqlStateType(err); t != 0 {
		return t
	}
	switch {
	case isJSONError(err):
		return provobs.TypeSerialization
	case errors.Is(err, sql.ErrConnDone):
		return provobs.TypeTransactionFailed
	case isLockLost(err):
		return provobs.TypeLockLost
	}
	return provobs.TypeUnknown
}

// SQLite primary result codes (https://sqlite.org/rescode.html), as
// modernc.org/sqlite's *Error.Code reports them (extended codes carry the
// primary one in their low byte).
const (
	sqliteNoMem      = 7
	sqliteBusy       = 5
	sqliteLocked     = 6
	sqliteInterrupt  = 9
	sqliteIOErr      = 10
	sqliteCorrupt    = 11
	sqliteFull       = 13
	sqliteProtocol   = 15
	sqliteConstraint = 19
	sqliteNotADB     = 26
)

// sqliteCoder is modernc.org/sqlite's *Error. It is matched by its method
// and package rather than by type so that this package does not link the
// SQLite driver into programs that use another backend.
type sqliteCoder interface {
	error
	Code() int
}

const sqliteDriverPkg = "modernc.org/sqlite"

// sqliteType classifies a modernc.org/sqlite error by its result code, as
// the provobs SQLite provider does; 0 when err carries none.
func sqliteType(err error) provobs.ErrorType {
	se, ok := errors.AsType[sqliteCoder](err)
	if !ok {
		return 0
	}
	rt := reflect.TypeOf(se)
	if rt.Kind() == reflect.Pointer {
		rt = rt.Elem()
	}
	if rt.PkgPath() != sqliteDriverPkg {
		return 0
	}
	switch se.Code() & 0xff {
	case sqliteBusy, sqliteLocked:
		return provobs.TypeLockTimeout
	case sqliteConstraint:
		return provobs.TypeConflict
	case sqliteInterrupt:
		return provobs.TypeCanceled
	case sqliteIOErr, sqliteFull, sqliteNoMem, sqliteProtocol:
		return provobs.TypeTransactionFailed
	case sqliteCorrupt, sqliteNotADB:
		return provobs.TypeUnknown
	}
	return provobs.TypeUnknown
}

// sqlStater is a PostgreSQL server error: pgx's *pgconn.PgError (the
// driver of go-workflows' postgres backend) and lib/pq's *Error both have
// SQLState. Matched by method, so no driver is linked in.
type sqlStater interface {
	error
	SQLState() string
}

// sqlStateType classifies a PostgreSQL error by its SQLSTATE
// (https://www.postgresql.org/docs/current/errcodes-appendix.html); 0 when
// err carries none.
func sqlStateType(err error) provobs.ErrorType {
	pe, ok := errors.AsType[sqlStater](err)
	if !ok {
		return 0
	}
	code := pe.SQLState()
	switch code {
	case "40001", "40P01": // serialization_failure, deadlock_detected
		return provobs.TypeTransactionFailed
	case "55P03": // lock_not_available
		return provobs.TypeLockTimeout
	case "57014": // query_canceled
		return provobs.TypeCanceled
	case "57P01", "57P02", "57P03": // admin_shutdown, crash_shutdown, cannot_connect_now
		return provobs.TypeTransactionFailed
	}
	switch {
	case strings.HasPrefix(code, "23"): // integrity constraint violation
		return provobs.TypeConflict
	case strings.HasPrefix(code, "08"): // connection exception
		return provobs.TypeTransactionFailed
	case strings.HasPrefix(code, "22"): // data exception
		return provobs.TypeInvalidArgument
	}
	return provobs.TypeUnknown
}

// isJSONError reports whether err is an encoding/json error: go-workflows
// backends encode attributes and metadata as JSON.
func isJSONError(err error) bool {
	if _, ok := errors.AsType[*json.SyntaxError](err); ok {
		return true
	}
	if _, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		return true
	}
	if _, ok := errors.AsType[*json.MarshalerError](err); ok {
		return true
	}
	if _, ok := errors.AsType[*json.UnsupportedTypeError](err); ok {
		return true
	}
	_, ok := errors.AsType[*json.UnsupportedValueError](err)
	return ok
}

// lockLostMessages are the errors go-workflows' SQL backends (sqlite,
// postgres, mysql; v1.4.2) return when a task's lock is gone: the
// CompleteWorkflowTask, ExtendWorkflowTask, CompleteActivityTask and
// ExtendActivityTask that found no row locked by this worker. They are
// errors.New values with no sentinel or type, so this is the one place this
// package reads error text.
var lockLostMessages = []string{
	"could not find workflow instance to unlock",
	"could not extend workflow task",
	"could not find activity to delete",
	"could not extend activity",
	"could not find locked activity",
}

func isLockLost(err error) bool {
	for e := err; e != nil; e = errors.Unwrap(e) {
		msg := e.Error()
		for _, m := range lockLostMessages {
			if msg == m {
				return true
			}
		}
	}
	return false
}
