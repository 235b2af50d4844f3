package goworkflows_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cschleiden/go-workflows/backend"
	"github.com/cschleiden/go-workflows/backend/monoprocess"
	"github.com/cschleiden/go-workflows/backend/postgres"
	gwredis "github.com/cschleiden/go-workflows/backend/redis"
	"github.com/cschleiden/go-workflows/backend/sqlite"
	"github.com/cschleiden/go-workflows/client"
	"github.com/cschleiden/go-workflows/core"
	"github.com/cschleiden/go-workflows/worker"
	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/goworkflows"
	"github.com/provobs/provobs/internal/spancheck"
	"github.com/provobs/provobs/tracing"
)

// methodsOf is the package documentation's table: the go-workflows methods
// that report under each operation.
var methodsOf = map[provobs.Op][]string{
	provobs.OpFetch:          {"GetWorkflowTask"},
	provobs.OpAckOrch:        {"CompleteWorkflowTask"},
	provobs.OpRenewOrch:      {"ExtendWorkflowTask"},
	provobs.OpDequeue:        {"GetActivityTask"},
	provobs.OpAckWorker:      {"CompleteActivityTask"},
	provobs.OpRenewWorker:    {"ExtendActivityTask"},
	provobs.OpEnqueue:        {"CreateWorkflowInstance", "SignalWorkflow", "CancelWorkflowInstance"},
	provobs.OpReadHistory:    {"GetWorkflowInstanceHistory"},
	provobs.OpInstanceInfo:   {"GetWorkflowInstanceState", "GetWorkflowInstance", "GetWorkflowTree"},
	provobs.OpQueueDepths:    {"GetStats"},
	provobs.OpRemoveInstance: {"RemoveWorkflowInstance", "RemoveWorkflowInstances"},
	provobs.OpPrepareQueues:  {"PrepareWorkflowQueues", "PrepareActivityQueues"},
	provobs.OpListInstances:  {"GetWorkflowInstances"},
}

// pgNamedBackend opens go-workflows' postgres backend with
// NewPostgresBackend (host, port, user and database given, so the backend
// describes its namespace and server), its tables in a fresh schema
// reached through search_path (appended to the database name, which the
// backend writes into its key=value DSN) and dropped at the end.
func pgNamedBackend(t *testing.T, opts ...backend.BackendOption) backend.Backend {
	t.Helper()
	requirePG(t)
	db, name, err := newPGDatabase(t) // creates the schema
	require.NoError(t, err)
	_ = db.Close()
	cfg := pgConfig(t)
	password := cfg.Password
	if password == "" {
		password = "unused" // an empty value would swallow the next key of the DSN
	}
	b := postgres.NewPostgresBackend(cfg.Host, int(cfg.Port), cfg.User, password,
		cfg.Database+" search_path="+name+" application_name="+name,
		postgres.WithApplyMigrations(true), postgres.WithBackendOptions(opts...))
	t.Cleanup(func() { _ = b.Close(); dropPGDatabase(db, name) })
	return b
}

// TestDescribe: go-workflows' backends are recognised by their type.
func TestDescribe(t *testing.T) {
	t.Parallel()
	quiet := backend.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	mem := sqlite.NewInMemoryBackend(sqlite.WithBackendOptions(quiet))
	defer mem.Close()
	file := sqlite.NewSqliteBackend(t.TempDir()+"/wf.db", sqlite.WithBackendOptions(quiet))
	defer file.Close()

	assert.Equal(t, provobs.StoreInfo{System: provobs.SystemSQLite, InMemory: true}, goworkflows.Describe(mem))
	assert.Equal(t, provobs.StoreInfo{System: provobs.SystemSQLite}, goworkflows.Describe(file))
	assert.Equal(t, provobs.StoreInfo{System: provobs.SystemSQLite, InMemory: true},
		goworkflows.Describe(monoprocess.NewMonoprocessBackend(mem)), "a decorator embedding its backend")
	assert.Equal(t, provobs.StoreInfo{System: provobs.SystemOther}, goworkflows.Describe(&fakeBackend{}), "unknown: the fallback")
	assert.Equal(t, provobs.StoreInfo{System: provobs.SystemOther}, goworkflows.Describe(nil))
	w := goworkflows.Wrap(mem, &recorder{})
	assert.Equal(t, goworkflows.Describe(mem), goworkflows.Describe(w), "a wrapper answers for its backend")
	assert.Equal(t, goworkflows.Describe(mem), provobs.DescribeStore(w))

	t.Run("redis", func(t *testing.T) {
		rc := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379", DB: 3})
		defer rc.Close()
		if err := rc.Ping(context.Background()).Err(); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("Redis unreachable under CI: %v", err)
			}
			t.Skipf("Redis unreachable at 127.0.0.1:6379 (%v)", err)
		}
		prefix := "provobs-describe-" + uuid.NewString() + ":"
		defer func() { // the backend's queues, created on construction
			keys, _ := rc.Keys(context.Background(), prefix+"*").Result()
			if len(keys) > 0 {
				_ = rc.Del(context.Background(), keys...).Err()
			}
		}()
		b, err := gwredis.NewRedisBackend(rc, gwredis.WithKeyPrefix(prefix), gwredis.WithBackendOptions(quiet))
		require.NoError(t, err)
		assert.Equal(t, provobs.StoreInfo{System: provobs.SystemRedis, Namespace: "3", ServerAddress: "127.0.0.1", ServerPort: 6379},
			goworkflows.Describe(b))
	})
	t.Run("postgres", func(t *testing.T) {
		b := pgNamedBackend(t, quiet)
		cfg := pgConfig(t)
		assert.Equal(t, provobs.StoreInfo{System: provobs.SystemPostgreSQL, Namespace: cfg.Database,
			ServerAddress: cfg.Host, ServerPort: int(cfg.Port)}, goworkflows.Describe(b))
	})
}

// TestSpansFollowTheTable runs a workflow (activities, a timer, a signal)
// through a wrapped backend and checks every attribute of every span of
// the tracing interceptor against the tracing package's table and the
// backend's description: SQLite in memory and PostgreSQL.
func TestSpansFollowTheTable(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		be   string
		open func(t *testing.T, opts ...backend.BackendOption) backend.Backend
		name func(info provobs.StoreInfo) string // the fetch span's name, spelled out
	}{
		{"sqlite-memory", func(t *testing.T, opts ...backend.BackendOption) backend.Backend {
			b := sqlite.NewInMemoryBackend(sqlite.WithBackendOptions(opts...))
			t.Cleanup(func() { _ = b.Close() })
			return b
		}, func(provobs.StoreInfo) string { return "GetWorkflowTask" }},
		{"postgres", pgNamedBackend, func(info provobs.StoreInfo) string { return "GetWorkflowTask " + info.Namespace }},
	} {
		t.Run(tc.be, func(t *testing.T) {
			t.Parallel()
			sr := tracetest.NewSpanRecorder()
			tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(sr))
			t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
			raw := tc.open(t, backend.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))), backend.WithStickyTimeout(0))
			info := goworkflows.Describe(raw)
			b := goworkflows.Wrap(raw, tracing.Interceptor(tp))

			opts := worker.DefaultOptions
			opts.WorkflowPollingInterval = 5 * time.Millisecond
			opts.ActivityPollingInterval = 5 * time.Millisecond
			w := worker.New(b, &opts)
			require.NoError(t, w.RegisterWorkflow(greeting))
			require.NoError(t, w.RegisterActivity(greet))
			ctx, stop := context.WithCancel(context.Background())
			defer stop()
			require.NoError(t, w.Start(ctx))
			c := client.New(b)
			id := uuid.NewString()
			inst, err := c.CreateWorkflowInstance(context.Background(), client.WorkflowInstanceOptions{InstanceID: id}, greeting, "ada")
			require.NoError(t, err)
			require.Eventually(t, func() bool {
				st, err := b.GetWorkflowInstanceState(context.Background(), inst)
				return err == nil && st == core.WorkflowInstanceStateActive && hasSpan(sr, "CompleteActivityTask")
			}, 30*time.Second, 5*time.Millisecond)
			require.NoError(t, c.SignalWorkflow(context.Background(), id, "who", "grace"))
			_, err = client.GetWorkflowResult[string](context.Background(), c, inst, 30*time.Second)
			require.NoError(t, err)
			_, err = b.GetStats(context.Background())
			require.NoError(t, err)
			stop()
			require.NoError(t, w.WaitForCompletion())

			seen := map[string]bool{}
			for _, s := range sr.Ended() {
				if s.InstrumentationScope().Name != tracing.ScopeName {
					continue
				}
				method := spanAttr(s, string(semconv.DBOperationNameKey))
				op := provobs.Op(0)
				for _, o := range provobs.Ops() {
					if o.String() == spanAttr(s, provobs.KeyOperation) {
						op = o
					}
				}
				assert.Contains(t, methodsOf[op], method, "span %q: method of %s", s.Name(), op)
				et := spanAttr(s, string(semconv.ErrorTypeKey))
				spancheck.Check(t, s, info, spancheck.Want{Method: method, Canceled: et == provobs.TypeCanceled.String(), Failed: et != "" && et != provobs.TypeCanceled.String()})
				if method == "GetWorkflowTask" {
					assert.Equal(t, tc.name(info), s.Name())
				}
				seen[method] = true
			}
			for _, m := range []string{"CreateWorkflowInstance", "SignalWorkflow", "GetWorkflowTask", "CompleteWorkflowTask",
				"GetActivityTask", "CompleteActivityTask", "GetWorkflowInstanceState", "GetStats"} {
				assert.True(t, seen[m], "a span of %s", m)
			}
		})
	}
}

func hasSpan(sr *tracetest.SpanRecorder, method string) bool {
	for _, s := range sr.Ended() {
		if strings.HasPrefix(s.Name(), method) && s.InstrumentationScope().Name == tracing.ScopeName {
			return true
		}
	}
	return false
}
