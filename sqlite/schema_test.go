package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func schemaVersionOf(t *testing.T, path string) int {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	defer db.Close()
	var v int
	require.NoError(t, db.QueryRow("SELECT max(version) FROM schema_version").Scan(&v))
	return v
}

// TestOpenMigratesAndReopens: a new file is created 0600 in WAL mode at the
// current schema version (logged), and reopening keeps its data.
func TestOpenMigratesAndReopens(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "s.db")
	var logs bytes.Buffer
	p, err := Open(ctx, path, WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))))
	require.NoError(t, err)
	require.NoError(t, p.EnqueueOrchestrator(ctx, start("a"), 0))
	require.NoError(t, p.Close())
	assert.Contains(t, logs.String(), `"schema_version":1`)

	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	assert.Equal(t, SchemaVersion, schemaVersionOf(t, path))

	logs.Reset()
	p, err = Open(ctx, path, WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))))
	require.NoError(t, err)
	defer p.Close()
	assert.NotContains(t, logs.String(), "migration applied", "nothing to migrate")
	assert.Equal(t, "a", mustFetch(t, p).InstanceID)

	var mode string
	require.NoError(t, p.w.conn.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode))
	assert.Equal(t, "wal", mode)
	if fi, err := os.Stat(path + "-wal"); err == nil {
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), "the WAL inherits the database's mode")
	}
}

// TestOpenNewerSchemaFails: a file written by a newer schema is refused with
// a *SchemaVersionError and left as it was.
func TestOpenNewerSchemaFails(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "s.db")
	p, err := Open(ctx, path)
	require.NoError(t, err)
	require.NoError(t, p.Close())

	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	_, err = db.Exec("INSERT INTO schema_version (version, applied_at) VALUES (?, 0)", SchemaVersion+1)
	require.NoError(t, err)
	require.NoError(t, db.Close())

	_, err = Open(ctx, path)
	var sv *SchemaVersionError
	require.ErrorAs(t, err, &sv)
	assert.Equal(t, SchemaVersion+1, sv.Version)
	assert.Equal(t, SchemaVersion, sv.Supported)
	assert.Equal(t, SchemaVersion+1, schemaVersionOf(t, path))
}

// TestOpenCorruptFileFails: a file that is not SQLite fails with
// ErrNotDatabase.
func TestOpenCorruptFileFails(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "junk.db")
	junk := bytes.Repeat([]byte("not a database, just text. "), 200)
	require.NoError(t, os.WriteFile(path, junk, 0o600))
	_, err := Open(context.Background(), path)
	require.Error(t, err)
	assert.True(t, errors.Is(err, ErrNotDatabase), "got %v", err)
}

// TestOpenMemoryIsIsolated: two in-memory providers share nothing.
func TestOpenMemoryIsIsolated(t *testing.T) {
	t.Parallel()
	a, b := openMem(t), openMem(t)
	require.NoError(t, a.EnqueueOrchestrator(context.Background(), start("a"), 0))
	d, err := b.QueueDepths(context.Background())
	require.NoError(t, err)
	assert.Zero(t, d.Orchestrator)
}

// TestMigrationsAreNumbered: the embedded migrations are 1..n.
func TestMigrationsAreNumbered(t *testing.T) {
	ms, err := migrations()
	require.NoError(t, err)
	require.Len(t, ms, SchemaVersion)
	for i, m := range ms {
		assert.Equal(t, i+1, m.version, m.name)
	}
}
