package main

import (
	"bytes"
	"context"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// postgresDSN returns PROVOBS_POSTGRES_DSN or the local server, skipping
// the test when it is unreachable (failing it under CI).
func postgresDSN(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv("PROVOBS_POSTGRES_DSN")
	if dsn == "" {
		dsn = "postgres://root@127.0.0.1:5432/test?sslmode=disable"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err == nil {
		_ = conn.Close(ctx)
		return dsn
	}
	msg := "PostgreSQL unreachable at " + dsn + ": " + err.Error() +
		"; start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// TestRunPostgres: -db postgres://... runs the workload on a temporary
// schema of that server, through the full chain, to a clean summary; the
// schema is dropped at exit.
func TestRunPostgres(t *testing.T) {
	dsn := postgresDSN(t)
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{
		"-db=" + dsn, "-instances=10", "-tasks=2", "-activity-delay=1ms", "-metrics-addr=", "-log-format=json",
	}, &out, &errb)
	require.Equal(t, 0, code, "stderr:\n%s", errb.String())
	s := out.String()
	assert.Regexp(t, `database\s+PostgreSQL postgres://`, s)
	assert.Regexp(t, `orchestrations\s+launched 10, completed 10, failed 0`, s)
	assert.Regexp(t, `queue depths\s+orchestrator 0, worker 0, timers 0`, s)
	assert.NotContains(t, errb.String(), `"level":"ERROR"`)

	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	defer conn.Close(ctx)
	var left int
	require.NoError(t, conn.QueryRow(ctx, `SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'provobs_run_%'`).Scan(&left))
	assert.Zero(t, left, "temporary schemas left behind")
}
