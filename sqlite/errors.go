package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/provobs/provobs"
	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// ErrNotDatabase is returned (wrapped) by Open when the file is not a SQLite
// database or is corrupt. Test for it with errors.Is.
var ErrNotDatabase = errors.New("sqlite: file is not a SQLite database or is corrupt")

// SchemaVersionError is returned by Open when the database was written by a
// newer version of this package: its schema version is above SchemaVersion.
// The file is left untouched.
type SchemaVersionError struct {
	// Path is the database file.
	Path string
	// Version is the schema version found in the file.
	Version int
	// Supported is the newest schema version this code knows (SchemaVersion).
	Supported int
}

// Error describes the mismatch.
func (e *SchemaVersionError) Error() string {
	return fmt.Sprintf("sqlite: %s has schema version %d, newer than the %d this code supports; upgrade provobs",
		e.Path, e.Version, e.Supported)
}

// sqliteCode returns the primary SQLite result code in err's chain, or 0.
func sqliteCode(err error) int {
	var se *msqlite.Error
	if errors.As(err, &se) {
		return se.Code() & 0xff
	}
	return 0
}

// isNotDatabase reports whether err says the file is not a usable database.
func isNotDatabase(err error) bool {
	switch sqliteCode(err) {
	case sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT:
		return true
	}
	return false
}

// classify turns any error into a *provobs.Error for op, branching on the
// SQLite result code, never on the text:
//
//	SQLITE_BUSY, SQLITE_LOCKED             lock_timeout (retryable)
//	SQLITE_CONSTRAINT                      conflict
//	SQLITE_INTERRUPT, context errors       canceled, or deadline_exceeded for a
//	                                       passed deadline (provobs.ContextError)
//	SQLITE_IOERR, FULL, NOMEM, PROTOCOL    transaction_failed (retryable)
//	SQLITE_CORRUPT, NOTADB                 unknown, wrapping ErrNotDatabase (permanent)
//	anything else                          unknown
//
// An error that already is a *provobs.Error keeps its type.
func classify(op provobs.Op, err error) *provobs.Error {
	if err == nil {
		return nil
	}
	var pe *provobs.Error
	if errors.As(err, &pe) {
		return provobs.Classify(op, err)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return provobs.ContextError(op, err)
	}
	switch sqliteCode(err) {
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return provobs.NewError(op, provobs.TypeLockTimeout, err)
	case sqlite3.SQLITE_CONSTRAINT:
		return provobs.NewError(op, provobs.TypeConflict, err)
	case sqlite3.SQLITE_INTERRUPT:
		return provobs.ContextError(op, err)
	case sqlite3.SQLITE_IOERR, sqlite3.SQLITE_FULL, sqlite3.SQLITE_NOMEM, sqlite3.SQLITE_PROTOCOL:
		return provobs.NewError(op, provobs.TypeTransactionFailed, err)
	case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
		return corrupt(op, err)
	}
	if errors.Is(err, sql.ErrConnDone) {
		return provobs.NewError(op, provobs.TypeTransactionFailed, err)
	}
	return provobs.NewError(op, provobs.TypeUnknown, err)
}

// txFailed classifies a failed BEGIN or COMMIT: busy stays lock_timeout, a
// corrupt database is permanent, anything else is a retryable
// transaction_failed.
func txFailed(op provobs.Op, err error) *provobs.Error {
	switch sqliteCode(err) {
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return provobs.NewError(op, provobs.TypeLockTimeout, err)
	case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
		return corrupt(op, err)
	}
	return provobs.NewError(op, provobs.TypeTransactionFailed, err)
}

// corrupt is the permanent error of a damaged database: retrying cannot
// heal a page, so it is unknown (not retryable) and matches ErrNotDatabase.
func corrupt(op provobs.Op, err error) *provobs.Error {
	return provobs.NewError(op, provobs.TypeUnknown, fmt.Errorf("%w: %w", ErrNotDatabase, err))
}
