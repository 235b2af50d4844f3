package reliability_test

import (
	"context"
	"database/sql"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/sqlite"
)

// Bugs found in sqlite/ by the reliability work, each pinned by a test that
// failed before its fix (see RELIABILITY.md, "What was found"). Run them
// alone with
//
//	go test ./internal/reliability/ -run 'TestSQLite' -v

// ackTimer starts instance "t" and acks a TimerFired item firing at fireAt.
func ackTimer(t *testing.T, p *sqlite.Provider, fireAt time.Time) error {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, p.EnqueueOrchestrator(ctx, start("t"), 0))
	it, err := p.FetchOrchestrationItem(ctx, provobs.FetchOptions{})
	require.NoError(t, err)
	require.NotNil(t, it)
	return p.AckOrchestrationItem(ctx, it.LockToken, provobs.OrchestrationAck{
		ExecutionID:       1,
		HistoryDelta:      []provobs.Event{{ID: 1, Kind: provobs.EventTimerCreated}},
		OrchestratorItems: []provobs.WorkItem{{Kind: provobs.KindTimerFired, InstanceID: "t", ExecutionID: 1, CorrelationID: 1, FireAt: fireAt}},
	})
}

// Timestamps are stored as Unix nanoseconds, which hold only the years 1678
// to 2262. A FireAt outside that range wraps around silently: a timer for
// 2300 fires at once (and reads back as 1715), a timer for 1600 (already
// due) never fires. It should be rejected with TypeInvalidArgument, or
// saturated, not wrapped.
func TestSQLiteTimerFireAtOutsideNanosecondRange(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	// Outside the range: refused, and the refused ack changed nothing (the
	// lock is still held by the same token, no history was appended).
	for _, fireAt := range []time.Time{
		time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC),
	} {
		t.Run("refused_"+strconv.Itoa(fireAt.Year()), func(t *testing.T) {
			t.Parallel()
			p, err := sqlite.Open(ctx, sqlite.MemoryPath)
			require.NoError(t, err)
			defer p.Close()
			requireType(t, provobs.TypeInvalidArgument, ackTimer(t, p, fireAt), "a FireAt Unix nanoseconds cannot hold")
			evs, err := p.ReadHistory(ctx, "t", 1)
			require.NoError(t, err)
			assert.Empty(t, evs, "the refused ack appended history")
			it, err := p.FetchOrchestrationItem(ctx, provobs.FetchOptions{})
			require.NoError(t, err)
			assert.Nil(t, it, "the refused ack released the lock or enqueued its timer")
		})
	}
	// Just inside the range: stored, due or not as its time says, and read
	// back exactly.
	for _, tc := range []struct {
		fireAt time.Time
		due    bool
	}{
		{time.Unix(0, math.MaxInt64-int64(time.Hour)), false},
		{time.Unix(0, math.MinInt64+int64(time.Hour)), true},
	} {
		t.Run("kept_"+strconv.Itoa(tc.fireAt.Year()), func(t *testing.T) {
			t.Parallel()
			p, err := sqlite.Open(ctx, sqlite.MemoryPath)
			require.NoError(t, err)
			defer p.Close()
			require.NoError(t, ackTimer(t, p, tc.fireAt))
			it, err := p.FetchOrchestrationItem(ctx, provobs.FetchOptions{})
			require.NoError(t, err)
			require.Equal(t, tc.due, it != nil, "timer for %v visible now", tc.fireAt)
			if it != nil {
				assert.True(t, it.Messages[0].FireAt.Equal(tc.fireAt), "FireAt %v read back as %v", tc.fireAt, it.Messages[0].FireAt)
			}
		})
	}
}

// A FireAt of exactly the Unix epoch is stored as 0, the encoding of "no
// time", and reads back as the zero time.Time: the round trip is not exact.
func TestSQLiteFireAtUnixEpochRoundTrips(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p, err := sqlite.Open(ctx, sqlite.MemoryPath)
	require.NoError(t, err)
	defer p.Close()
	epoch := time.Unix(0, 0)
	require.NoError(t, p.EnqueueOrchestrator(ctx, provobs.WorkItem{Kind: provobs.KindTimerFired, InstanceID: "e", FireAt: epoch}, 0))
	it, err := p.FetchOrchestrationItem(ctx, provobs.FetchOptions{})
	require.NoError(t, err)
	require.NotNil(t, it)
	assert.True(t, it.Messages[0].FireAt.Equal(epoch), "FireAt %v read back as %v", epoch, it.Messages[0].FireAt)
}

// Open switches the file to WAL before it reads the schema version, so a
// database it then refuses (written by a newer schema) in rollback-journal
// mode has been modified: its header now says WAL. A refused file should be
// left as it was.
func TestSQLiteRefusedOpenLeavesJournalModeAlone(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "newer.db")
	require.NoError(t, os.WriteFile(path, realStore(t), 0o600))
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	var mode string
	require.NoError(t, db.QueryRow("PRAGMA journal_mode=DELETE").Scan(&mode))
	require.Equal(t, "delete", mode)
	_, err = db.Exec("INSERT INTO schema_version (version, applied_at) VALUES (" + strconv.Itoa(sqlite.SchemaVersion+1) + ", 0)")
	require.NoError(t, err)
	require.NoError(t, db.Close())
	before := fileHash(t, path)

	_, err = sqlite.Open(context.Background(), path)
	var sv *sqlite.SchemaVersionError
	require.ErrorAs(t, err, &sv)
	assert.Equal(t, before, fileHash(t, path), "the refused file was modified")
}

// A store whose pages are damaged after the schema opens fine; its
// operations then fail with SQLITE_CORRUPT. A lone write is classified
// unknown (permanent), but writes that share a group-commit batch are
// classified transaction_failed, which is retryable: the retry middleware
// and the stress harness retry them without end. A corrupt page will not
// heal on retry, so the error should be permanent however the batch was
// made, and match sqlite.ErrNotDatabase.
//
// Only the pages of the orchestrator queue (its table and indexes, found in
// sqlite_master) are damaged, so Open, which reads the schema and its
// version, succeeds and the check runs.
func TestSQLiteCorruptPageErrorIsPermanent(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "corrupt.db")
	require.NoError(t, os.WriteFile(path, realStore(t), 0o600))
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	var pageSize int
	require.NoError(t, db.QueryRow("PRAGMA page_size").Scan(&pageSize))
	rows, err := db.Query("SELECT rootpage FROM sqlite_master WHERE tbl_name = 'orchestrator_queue' AND rootpage > 0")
	require.NoError(t, err)
	var pages []int
	for rows.Next() {
		var pg int
		require.NoError(t, rows.Scan(&pg))
		pages = append(pages, pg)
	}
	require.NoError(t, rows.Close())
	require.NoError(t, db.Close())
	require.NotEmpty(t, pages)
	damaged, err := os.ReadFile(path)
	require.NoError(t, err)
	for _, pg := range pages {
		require.Greater(t, pg, 1)
		for i := (pg - 1) * pageSize; i < pg*pageSize; i++ {
			damaged[i] = byte(i * 7)
		}
	}
	require.NoError(t, os.WriteFile(path, damaged, 0o600))

	p, err := sqlite.Open(context.Background(), path)
	require.NoError(t, err, "only queue pages are damaged: Open must succeed for the check to run")
	defer p.Close()
	ctx := context.Background()
	errs := make(chan error, 20)
	for i := range cap(errs) { // concurrent, so they share batches
		go func() { errs <- p.EnqueueOrchestrator(ctx, start("x"+strconv.Itoa(i)), 0) }()
	}
	for range cap(errs) {
		err := <-errs
		require.Error(t, err, "an enqueue into a damaged table succeeded")
		assert.False(t, provobs.IsRetryable(err), "a corrupt page will not heal on retry: %v", err)
		assert.ErrorIs(t, err, sqlite.ErrNotDatabase)
	}
}
