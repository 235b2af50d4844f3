package goworkflows

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/cschleiden/go-workflows/backend"
	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"

	"github.com/provobs/provobs"
)

func TestErrorTypeSentinels(t *testing.T) {
	t.Parallel()
	var bad json.RawMessage
	jsonErr := json.Unmarshal([]byte("{"), &bad)
	require.Error(t, jsonErr)
	for _, tc := range []struct {
		err  error
		want provobs.ErrorType
	}{
		{context.Canceled, provobs.TypeCanceled},
		{fmt.Errorf("x: %w", context.DeadlineExceeded), provobs.TypeDeadlineExceeded},
		{backend.ErrInstanceAlreadyExists, provobs.TypeConflict},
		{fmt.Errorf("x: %w", backend.ErrInstanceNotFinished), provobs.TypeConflict},
		{fmt.Errorf("x: %w", backend.ErrInstanceNotFound), provobs.TypeInvalidArgument},
		{backend.ErrNotSupported{Message: "m"}, provobs.TypeInvalidArgument},
		{fmt.Errorf("decoding: %w", jsonErr), provobs.TypeSerialization},
		{fmt.Errorf("x: %w", sql.ErrConnDone), provobs.TypeTransactionFailed},
		{errors.New("could not extend workflow task"), provobs.TypeLockLost},
		{fmt.Errorf("completing: %w", errors.New("could not find activity to delete")), provobs.TypeLockLost},
		{errors.New("could not find workflow instance to unlock"), provobs.TypeLockLost},
		{errors.New("could not extend activity"), provobs.TypeLockLost},
		{fmt.Errorf("x: %w", errors.New("could not find locked activity")), provobs.TypeLockLost},
		{errors.New("could not extend workflow task, really"), provobs.TypeUnknown},
		{provobs.NewError(provobs.OpFetch, provobs.TypeClosed, nil), provobs.TypeClosed},
		{errors.New("boom"), provobs.TypeUnknown},
	} {
		assert.Equal(t, tc.want, classify(provobs.OpAckOrch, tc.err).Type, "%v", tc.err)
	}
}

// TestErrorTypeSQLite classifies real modernc.org/sqlite errors.
func TestErrorTypeSQLite(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "e.db")
	open := func() *sql.DB {
		db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(0)&_txlock=immediate")
		require.NoError(t, err)
		db.SetMaxOpenConns(1)
		t.Cleanup(func() { db.Close() })
		return db
	}
	a, b := open(), open()
	_, err := a.Exec("CREATE TABLE t (id INTEGER PRIMARY KEY)")
	require.NoError(t, err)
	_, err = a.Exec("INSERT INTO t VALUES (1)")
	require.NoError(t, err)
	_, err = a.Exec("INSERT INTO t VALUES (1)")
	require.Error(t, err)
	assert.Equal(t, provobs.TypeConflict, errorType(fmt.Errorf("inserting: %w", err)), "%v", err)

	tx, err := a.Begin() // holds the write lock
	require.NoError(t, err)
	defer tx.Rollback()
	_, err = b.Begin()
	require.Error(t, err)
	assert.Equal(t, provobs.TypeLockTimeout, errorType(err), "%v", err)
	assert.True(t, classify(provobs.OpAckOrch, err).Retryable)
}

// TestErrorTypePostgres classifies real PostgreSQL server errors (pgx).
func TestErrorTypePostgres(t *testing.T) {
	t.Parallel()
	dsn := os.Getenv("PROVOBS_POSTGRES_DSN")
	if dsn == "" {
		dsn = "host=127.0.0.1 port=5432 user=root dbname=postgres sslmode=disable"
	}
	db, err := sql.Open("pgx", dsn)
	require.NoError(t, err)
	defer db.Close()
	if err := db.Ping(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("PostgreSQL unreachable under CI: %v", err)
		}
		t.Skipf("PostgreSQL unreachable (%v): start it or set PROVOBS_POSTGRES_DSN", err)
	}
	_, err = db.Exec("SELECT 1/0")
	require.Error(t, err)
	assert.Equal(t, provobs.TypeInvalidArgument, errorType(err), "%v", err)
	conn, err := db.Conn(context.Background())
	require.NoError(t, err)
	defer conn.Close()
	_, err = conn.ExecContext(context.Background(), "CREATE TEMP TABLE u (id int PRIMARY KEY); INSERT INTO u VALUES (1)")
	require.NoError(t, err)
	_, err = conn.ExecContext(context.Background(), "INSERT INTO u VALUES (1)")
	require.Error(t, err)
	assert.Equal(t, provobs.TypeConflict, errorType(fmt.Errorf("x: %w", err)), "%v", err)
}

// TestLockLostMessages pins every message of go-workflows' SQL backends
// (v1.4.2) that reports a lost task lock, as the backend returns it and
// wrapped: dropping one from lockLostMessages fails its case. The list is
// spelled here, not read from lockLostMessages, so the test is a second
// copy the code must match.
func TestLockLostMessages(t *testing.T) {
	t.Parallel()
	for _, msg := range []string{
		"could not find workflow instance to unlock", // CompleteWorkflowTask (sqlite, postgres, mysql)
		"could not extend workflow task",             // ExtendWorkflowTask (sqlite, postgres, mysql)
		"could not find activity to delete",          // CompleteActivityTask (sqlite)
		"could not extend activity",                  // ExtendActivityTask (sqlite)
		"could not find locked activity",             // CompleteActivityTask (postgres, mysql)
	} {
		t.Run(msg, func(t *testing.T) {
			t.Parallel()
			for _, err := range []error{errors.New(msg), fmt.Errorf("completing task: %w", errors.New(msg))} {
				got := classify(provobs.OpAckWorker, err)
				assert.Equal(t, provobs.TypeLockLost, got.Type, "%v", err)
				assert.False(t, got.Retryable)
			}
			assert.Equal(t, provobs.TypeUnknown, errorType(errors.New(msg+"!")), "the exact message only")
		})
	}
	assert.Len(t, lockLostMessages, 5, "a new message needs its case here")
}
