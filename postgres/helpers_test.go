package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/provobs/provobs/postgres"
)

// defaultDSN is the local server every development and CI machine runs.
const defaultDSN = "postgres://root@127.0.0.1:5432/test?sslmode=disable"

// testDSN returns the server the tests use: PROVOBS_POSTGRES_DSN, else the
// local default. It skips the test when the server is unreachable, except
// under CI, where that fails it.
func testDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("PROVOBS_POSTGRES_DSN")
	if dsn == "" {
		dsn = defaultDSN
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err == nil {
		err = conn.Ping(ctx)
		_ = conn.Close(ctx)
	}
	if err != nil {
		msg := "PostgreSQL is unreachable at " + dsn + ": " + err.Error() +
			"\nstart the local server with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start" +
			"\nor point the tests at another one: PROVOBS_POSTGRES_DSN=postgres://user@host:5432/db?sslmode=disable"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return dsn
}

// newSchema returns a fresh schema name, dropped (with everything in it)
// when the test ends.
func newSchema(t testing.TB, dsn string) string {
	t.Helper()
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	schema := "provobs_test_" + hex.EncodeToString(b)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return schema
}

// openTest opens a provider on a fresh schema, closed at cleanup (before
// the schema is dropped).
func openTest(t testing.TB, opts ...postgres.Option) *postgres.Provider {
	t.Helper()
	dsn := testDSN(t)
	schema := newSchema(t, dsn)
	return openOn(t, dsn, schema, opts...)
}

// openOn opens a provider on an existing schema, as another process would.
func openOn(t testing.TB, dsn, schema string, opts ...postgres.Option) *postgres.Provider {
	t.Helper()
	opts = append([]postgres.Option{postgres.WithSchema(schema), postgres.WithMaxConns(4)}, opts...)
	p, err := postgres.Open(context.Background(), dsn, opts...)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p
}
