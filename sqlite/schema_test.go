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
	"time"

	"github.com/provobs/provobs"
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
		assert.Equal(t, i+1, m.Version, m.Name)
	}
}

// TestMigrateFromVersion1: a file at schema version 1 (fire_at NOT NULL, 0
// for "no fire time") opens at the current version with its queued rows
// intact, 0 read back as no fire time and real fire times kept.
func TestMigrateFromVersion1(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v1.db")
	v1, err := migrationFS.ReadFile("migrations/0001_init.sql")
	require.NoError(t, err)
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	_, err = db.Exec(string(v1))
	require.NoError(t, err)
	_, err = db.Exec(sqlCreateSchemaVersion + "; INSERT INTO schema_version (version, applied_at) VALUES (1, 0)")
	require.NoError(t, err)
	fire := time.Date(2030, 1, 2, 3, 4, 5, 6, time.UTC)
	_, err = db.Exec(`INSERT INTO orchestrator_queue (instance_id, kind, execution_id, correlation_id, fire_at, payload, visible_at)
		VALUES ('plain', ?, 0, 0, 0, x'01', 1), ('timer', ?, 1, 7, ?, NULL, 2)`,
		int(provobs.KindStartOrchestration), int(provobs.KindTimerFired), fire.UnixNano())
	require.NoError(t, err)
	_, err = db.Exec(`INSERT INTO worker_queue (instance_id, kind, execution_id, correlation_id, fire_at, payload, visible_at)
		VALUES ('plain', ?, 1, 3, 0, x'02', 1)`, int(provobs.KindActivityExecute))
	require.NoError(t, err)
	require.NoError(t, db.Close())

	p, err := Open(ctx, path)
	require.NoError(t, err)
	defer p.Close()
	assert.Equal(t, SchemaVersion, schemaVersionOf(t, path))

	a := mustFetch(t, p)
	require.Len(t, a.Messages, 1)
	assert.Equal(t, "plain", a.InstanceID)
	assert.True(t, a.Messages[0].FireAt.IsZero(), "0 became no fire time")
	assert.Equal(t, []byte{1}, a.Messages[0].Payload)
	b := mustFetch(t, p)
	require.Len(t, b.Messages, 1)
	assert.True(t, b.Messages[0].FireAt.Equal(fire), "fire time kept: %v", b.Messages[0].FireAt)
	w, err := p.DequeueWorker(ctx, provobs.FetchOptions{}, nil)
	require.NoError(t, err)
	require.NotNil(t, w)
	assert.True(t, w.Item.FireAt.IsZero())
	assert.EqualValues(t, 3, w.Item.CorrelationID)

	// Version 2 accepts what version 1 could not: the epoch as a fire time.
	epoch := time.Unix(0, 0)
	require.NoError(t, p.EnqueueOrchestrator(ctx, provobs.WorkItem{Kind: provobs.KindTimerFired, InstanceID: "e", FireAt: epoch}, 0))
	e := mustFetch(t, p)
	assert.True(t, e.Messages[0].FireAt.Equal(epoch))
}
