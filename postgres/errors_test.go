package postgres_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/postgres"
)

// TestConnectionLossIsRetryable terminates the provider's server backend:
// the next call either succeeds (the pool noticed and reconnected) or fails
// with a retryable error, and the call after it succeeds.
func TestConnectionLossIsRetryable(t *testing.T) {
	t.Parallel()
	dsn := testDSN(t)
	schema := newSchema(t, dsn)
	app := "provobs-" + schema
	p := openOn(t, dsn, schema, postgres.WithMaxConns(1), postgres.WithPoolConfig(func(c *pgxpool.Config) {
		c.ConnConfig.RuntimeParams["application_name"] = app
		c.ShouldPing = func(ctx context.Context, _ pgxpool.ShouldPingParams) bool { return false }
	}))
	ctx := t.Context()
	if _, err := p.QueueDepths(ctx); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1`, app).Scan(&n); err != nil || n != 1 {
		t.Fatalf("terminated %d backends (%v), want 1", n, err)
	}
	_, err = p.QueueDepths(ctx)
	if err != nil && !provobs.IsRetryable(err) {
		t.Fatalf("call after connection loss: %v (type %v), want success or a retryable error", err, provobs.TypeOf(err))
	}
	t.Logf("call after connection loss: %v (type %q)", err, provobs.TypeOf(err))
	if _, err := p.QueueDepths(ctx); err != nil {
		t.Fatalf("second call after connection loss: %v", err)
	}
}
