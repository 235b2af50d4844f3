package postgres

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/puddle/v2"

	"github.com/provobs/provobs"
)

// TestClassify checks the SQLSTATE table of classify: every code class the
// package documents maps to its type and retryability, through wrapping.
func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		code      string
		want      provobs.ErrorType
		retryable bool
	}{
		{"40001", provobs.TypeTransactionFailed, true}, // serialization_failure
		{"40P01", provobs.TypeTransactionFailed, true}, // deadlock_detected
		{"08006", provobs.TypeTransactionFailed, true}, // connection_failure
		{"08003", provobs.TypeTransactionFailed, true}, // connection_does_not_exist
		{"57P01", provobs.TypeTransactionFailed, true}, // admin_shutdown
		{"57P03", provobs.TypeTransactionFailed, true}, // cannot_connect_now
		{"53300", provobs.TypeLockTimeout, true},       // too_many_connections
		{"55P03", provobs.TypeLockTimeout, true},       // lock_not_available
		{"57014", provobs.TypeLockTimeout, true},       // query_canceled (statement_timeout)
		{"23505", provobs.TypeConflict, false},         // unique_violation
		{"23503", provobs.TypeConflict, false},         // foreign_key_violation
		{"22021", provobs.TypeInvalidArgument, false},  // character_not_in_repertoire
		{"42P01", provobs.TypeUnknown, false},          // undefined_table
	} {
		t.Run(tc.code, func(t *testing.T) {
			err := classify(context.Background(), provobs.OpFetch, fmt.Errorf("wrapped: %w", &pgconn.PgError{Code: tc.code}))
			if err.Type != tc.want || err.Retryable != tc.retryable || err.Op != provobs.OpFetch {
				t.Errorf("code %s: %v (retryable %v), want %v (retryable %v)", tc.code, err.Type, err.Retryable, tc.want, tc.retryable)
			}
			if _, ok := errors.AsType[*pgconn.PgError](err); !ok {
				t.Errorf("code %s: the cause is not kept", tc.code)
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := classify(ctx, provobs.OpFetch, &pgconn.PgError{Code: "57014"}); err.Type != provobs.TypeCanceled || !errors.Is(err, context.Canceled) {
		t.Errorf("query_canceled under a cancelled context: %v, want canceled wrapping context.Canceled", err)
	}
	if err := classify(context.Background(), provobs.OpFetch, puddle.ErrClosedPool); err.Type != provobs.TypeClosed {
		t.Errorf("closed pool: %v, want closed", err.Type)
	}
	if err := classify(context.Background(), provobs.OpFetch, errors.New("other")); err.Type != provobs.TypeUnknown {
		t.Errorf("plain error: %v, want unknown", err.Type)
	}
}
