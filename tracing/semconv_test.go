package tracing_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/internal/spancheck"
	"github.com/provobs/provobs/obstest"
	"github.com/provobs/provobs/postgres"
	"github.com/provobs/provobs/sqlite"
	"github.com/provobs/provobs/sqlite/sqlitetest"
	"github.com/provobs/provobs/tracing"
)

// The db.system.name values of the root package are the conventions'.
func TestSystemNamesAreTheConventions(t *testing.T) {
	t.Parallel()
	for got, want := range map[string]string{
		provobs.SystemSQLite:     semconv.DBSystemNameSQLite.Value.AsString(),
		provobs.SystemPostgreSQL: semconv.DBSystemNamePostgreSQL.Value.AsString(),
		provobs.SystemMySQL:      semconv.DBSystemNameMySQL.Value.AsString(),
		provobs.SystemRedis:      semconv.DBSystemNameRedis.Value.AsString(),
		provobs.SystemOther:      semconv.DBSystemNameOtherSQL.Value.AsString(),
	} {
		assert.Equal(t, want, got)
	}
}

func TestSpanName(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		info   provobs.StoreInfo
		method string
		want   string
	}{
		{provobs.StoreInfo{System: "sqlite", Namespace: "a.db"}, "FetchOrchestrationItem", "FetchOrchestrationItem a.db"},
		{provobs.StoreInfo{System: "postgresql", Namespace: "test|s", ServerAddress: "h", ServerPort: 5432}, "AckWorker", "AckWorker test|s"},
		{provobs.StoreInfo{System: "redis", ServerAddress: "h", ServerPort: 6379}, "GetWorkflowTask", "GetWorkflowTask h:6379"},
		{provobs.StoreInfo{System: "redis", ServerAddress: "h"}, "GetWorkflowTask", "GetWorkflowTask h"},
		{provobs.StoreInfo{System: "sqlite", InMemory: true}, "AckWorker", "AckWorker"},
		{provobs.StoreInfo{System: "sqlite", Namespace: "a.db"}, "", "a.db"},
		{provobs.StoreInfo{System: "sqlite"}, "", "sqlite"},
		{provobs.StoreInfo{}, "", "other_sql"},
	} {
		assert.Equal(t, tc.want, tracing.SpanName(tc.info, tc.method), "%+v %q", tc.info, tc.method)
	}
}

// pgStore opens the PostgreSQL provider on a fresh schema (dropped at the
// end), skipping when no server answers, except under CI.
func pgStore(t *testing.T) *postgres.Provider {
	t.Helper()
	dsn := os.Getenv("PROVOBS_POSTGRES_DSN")
	if dsn == "" {
		dsn = "postgres://root@127.0.0.1:5432/test?sslmode=disable"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("PostgreSQL unreachable under CI: %v", err)
		}
		t.Skipf("PostgreSQL unreachable (%v): start it or set PROVOBS_POSTGRES_DSN", err)
	}
	_ = conn.Close(ctx)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "provobs_tracing_" + hex.EncodeToString(b)
	p, err := postgres.Open(ctx, dsn, postgres.WithSchema(schema), postgres.WithMaxConns(4))
	require.NoError(t, err)
	t.Cleanup(func() {
		_ = p.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if conn, err := pgx.Connect(ctx, dsn); err == nil {
			_, _ = conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE")
			_ = conn.Close(ctx)
		}
	})
	return p
}

// TestSpansFollowTheTable runs every operation through a real chain on
// each provider, plus one failure and one cancellation, and checks every
// attribute of every span against the table of the package doc and the
// store's description (spancheck.Check).
func TestSpansFollowTheTable(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		open  func(t *testing.T) provobs.Provider
		info  func(p provobs.Provider) provobs.StoreInfo
		fetch string // the fetch span's name, spelled out
		kind  trace.SpanKind
	}{
		{
			name: "sqlite file",
			open: func(t *testing.T) provobs.Provider {
				p, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "orders.db"))
				require.NoError(t, err)
				t.Cleanup(func() { _ = p.Close() })
				return p
			},
			fetch: "FetchOrchestrationItem orders.db",
			kind:  trace.SpanKindClient,
		},
		{
			name:  "sqlite in memory",
			open:  func(t *testing.T) provobs.Provider { return sqlitetest.New(t) },
			fetch: "FetchOrchestrationItem",
			kind:  trace.SpanKindInternal,
		},
		{
			name:  "postgresql",
			open:  func(t *testing.T) provobs.Provider { return pgStore(t) },
			fetch: "FetchOrchestrationItem test|", // + the schema
			kind:  trace.SpanKindClient,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			store := tc.open(t)
			info := provobs.DescribeStore(store)
			sr := tracetest.NewSpanRecorder()
			tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(sr))
			t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
			p := provobs.Chain(store, tracing.Middleware(tp))

			require.NoError(t, obstest.Exercise(context.Background(), p))
			ok := len(sr.Ended())
			require.Error(t, p.AckWorker(context.Background(), "no-such-token", nil))
			canceled, cancel := context.WithCancel(context.Background())
			cancel()
			require.Error(t, p.EnqueueWorker(canceled, provobs.WorkItem{Kind: provobs.KindActivityExecute, InstanceID: "i"}))

			spans := sr.Ended()
			require.Len(t, spans, ok+2)
			seen := map[provobs.Op]bool{}
			for i, s := range spans {
				w := spancheck.Want{Failed: i == ok, Canceled: i == ok+1}
				op := provobs.OpFetch
				for _, kv := range s.Attributes() {
					if kv.Key == provobs.KeyOperation {
						op, _ = opOf(kv.Value.AsString())
					}
				}
				w.Method = op.Method()
				seen[spancheck.Check(t, s, info, w)] = true
				assert.Equal(t, tc.kind, s.SpanKind())
				if op == provobs.OpFetch {
					assert.Contains(t, s.Name(), tc.fetch)
				}
			}
			for _, op := range provobs.MethodOps() {
				assert.True(t, seen[op], "no span of %s", op)
			}
		})
	}
}

func opOf(label string) (provobs.Op, bool) {
	for _, op := range provobs.Ops() {
		if op.String() == label {
			return op, true
		}
	}
	return 0, false
}

// A store that does not describe itself gets spans with the fallback
// system and never panics, bound or not.
func TestUndescribedStore(t *testing.T) {
	t.Parallel()
	sr := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(sr))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	stub := &obstest.Stub{}
	p := provobs.Chain(stub, tracing.Middleware(tp))
	_, err := p.ReadHistory(context.Background(), "i", 0)
	require.NoError(t, err)
	err = provobs.NewStack(tracing.Interceptor(tp)).Run(context.Background(), provobs.OpRemoveInstance, "", "i",
		func(context.Context, *provobs.Call) error { return nil })
	require.NoError(t, err)

	spans := sr.Ended()
	require.Len(t, spans, 2)
	info := provobs.StoreInfo{System: provobs.SystemOther}
	spancheck.Check(t, spans[0], info, spancheck.Want{Method: "ReadHistory"})
	spancheck.Check(t, spans[1], info, spancheck.Want{})
	assert.Equal(t, "ReadHistory", spans[0].Name())
	assert.Equal(t, "other_sql", spans[1].Name(), "no method, no target: db.system.name")
	assert.Equal(t, trace.SpanKindClient, spans[0].SpanKind())

	// Typed nil providers describe themselves without panicking.
	assert.Equal(t, provobs.SystemSQLite, provobs.DescribeStore((*sqlite.Provider)(nil)).System)
	assert.Equal(t, provobs.SystemPostgreSQL, provobs.DescribeStore((*postgres.Provider)(nil)).System)
}

// A call that names its own method gets a span for that method; the spec
// built for it is reused.
func TestSpanOfANamedMethod(t *testing.T) {
	t.Parallel()
	sr := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(sr))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	info := provobs.StoreInfo{System: provobs.SystemRedis, ServerAddress: "127.0.0.1", ServerPort: 6379}
	st := provobs.NewStack(tracing.Interceptor(tp)).ForStore(info)
	for range 2 {
		require.NoError(t, st.Run(context.Background(), provobs.OpFetch, "GetWorkflowTask", "", func(_ context.Context, c *provobs.Call) error {
			c.SetInstance("wf-1")
			c.SetSize(2)
			return nil
		}))
	}
	spans := sr.Ended()
	require.Len(t, spans, 2)
	for _, s := range spans {
		spancheck.Check(t, s, info, spancheck.Want{Method: "GetWorkflowTask"})
		assert.Equal(t, "GetWorkflowTask 127.0.0.1:6379", s.Name())
	}
}
