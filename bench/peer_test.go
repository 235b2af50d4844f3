package bench

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/cschleiden/go-workflows/backend"
	gwsqlite "github.com/cschleiden/go-workflows/backend/sqlite"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPeerWorkload runs a small peer workload on both sides, file and
// memory, so the drivers of cmd/peer stay correct.
func TestPeerWorkload(t *testing.T) {
	ctx := context.Background()
	w := Workload{Instances: 40, MaxConcurrent: 5}
	for _, file := range []bool{true, false} {
		name := "memory"
		if file {
			name = "file"
		}
		t.Run("provobs/"+name, func(t *testing.T) {
			path := ":memory:"
			if file {
				path = filepath.Join(t.TempDir(), "p.db")
			}
			s, err := RunProvobs(ctx, path, w)
			require.NoError(t, err)
			assert.EqualValues(t, 40, s.Completed)
			assert.Positive(t, s.P99)
		})
		t.Run("go-workflows/"+name, func(t *testing.T) {
			path := ""
			if file {
				path = filepath.Join(t.TempDir(), "gw.db")
			}
			s, err := RunGoWorkflows(ctx, path, w)
			require.NoError(t, err)
			assert.EqualValues(t, 40, s.Completed)
			assert.Positive(t, s.P99)
		})
	}
}

// TestGoWorkflowsPragmas checks the durability go-workflows runs at: WAL,
// and synchronous=FULL (2) with the DSN suffix cmd/peer uses. It logs the
// level its backend gets without the suffix, the driver's default.
func TestGoWorkflowsPragmas(t *testing.T) {
	ctx := context.Background()
	g, err := OpenGoWorkflows(ctx, filepath.Join(t.TempDir(), "gw.db"))
	require.NoError(t, err)
	defer func() { require.NoError(t, g.Close()) }()
	sync, journal, err := g.Pragmas(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2, sync, "synchronous: 2 is FULL")
	assert.Equal(t, "wal", journal)

	quiet := gwsqlite.WithBackendOptions(backend.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	raw := gwsqlite.NewSqliteBackend(filepath.Join(t.TempDir(), "plain.db"), quiet)
	defer func() { _ = raw.Close() }()
	var def int
	require.NoError(t, backendDB(raw).QueryRowContext(ctx, "PRAGMA synchronous").Scan(&def))
	t.Logf("go-workflows without the DSN pragma: synchronous=%d (0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA)", def)
}
