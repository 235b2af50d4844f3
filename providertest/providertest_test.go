package providertest_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.uber.org/goleak"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/faults"
	"github.com/provobs/provobs/metrics"
	"github.com/provobs/provobs/providertest"
	"github.com/provobs/provobs/retry"
	"github.com/provobs/provobs/slogprov"
	"github.com/provobs/provobs/sqlite"
	"github.com/provobs/provobs/sqlite/sqlitetest"
	"github.com/provobs/provobs/tracing"
)

// passThrough is the smallest interceptor: it runs every call once and
// returns its error untouched.
var passThrough = provobs.Intercept(provobs.InterceptorFunc(func(ctx context.Context, c *provobs.Call) error {
	return c.Invoke(ctx)
}))

// TestSQLite runs the suite against the reference provider.
func TestSQLite(t *testing.T) {
	providertest.Run(t, func(t *testing.T) provobs.Provider { return sqlitetest.New(t) })
}

// TestSQLiteChain runs the suite through the full observability chain of
// the spec on file stores (so the storage cases run too): tracing, metrics,
// retry and logging at DEBUG with every empty poll logged, between two
// recording interceptors. When each case ends it checks that the chain
// changed nothing a caller sees: the outer recorder saw the same calls with
// the same error types as the inner one (next to the store), there is one
// log record and one span per call, and no record or span carries a
// payload of the suite.
func TestSQLiteChain(t *testing.T) {
	var stores sync.Map // chained provider -> *sqlite.Provider
	var open func(t *testing.T, path string) provobs.Provider
	open = func(t *testing.T, path string) provobs.Provider {
		// NORMAL: no fsync per commit, so a loaded disk does not stretch
		// the timing cases (the chain, not durability, is under test here;
		// a reopen still sees every commit).
		store, err := sqlite.Open(t.Context(), path, sqlite.WithSynchronous(sqlite.SynchronousNormal))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = store.Close() })
		c := newChain(store)
		t.Cleanup(func() { c.check(t) })
		stores.Store(c.p, store)
		return c.p
	}
	storeOf := func(p provobs.Provider) *sqlite.Provider {
		s, ok := stores.Load(p)
		if !ok {
			panic("providertest_test: unknown provider")
		}
		return s.(*sqlite.Provider)
	}
	paths := sync.Map{}
	providertest.Run(t, func(t *testing.T) provobs.Provider {
		path := filepath.Join(t.TempDir(), "store.db")
		p := open(t, path)
		paths.Store(p, path)
		return p
	}, providertest.WithStorage(providertest.Storage{
		Close: func(p provobs.Provider) error { return storeOf(p).Close() },
		Open: func(t *testing.T, p provobs.Provider) provobs.Provider {
			path, _ := paths.Load(p)
			q := open(t, path.(string))
			paths.Store(q, path)
			return q
		},
	}))
}

// chain is a store wrapped in the real middlewares and two recorders.
type chain struct {
	p            provobs.Provider
	outer, inner *recorder
	logs         *captureHandler
	spans        *tracetest.SpanRecorder
}

func newChain(store provobs.Provider) *chain {
	c := &chain{outer: &recorder{}, inner: &recorder{}, logs: &captureHandler{}, spans: tracetest.NewSpanRecorder()}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(c.spans))
	c.p = provobs.Chain(store,
		c.outer.middleware(),
		tracing.Middleware(tp),
		metrics.New().Middleware(),
		retry.Middleware(retry.Config{}),
		slogprov.Middleware(slog.New(c.logs), slogprov.WithEmptyPollSampling(1)),
		c.inner.middleware(),
	)
	return c
}

// payloadMarkers are the prefixes of the suite's payloads; instance ids,
// operation names and error texts never contain them.
var payloadMarkers = []string{"start:", "activity:", "result:", "event:", "raise:", "new input", "carried"}

func (c *chain) check(t *testing.T) {
	outer, inner := c.outer.counts(), c.inner.counts()
	if !maps.Equal(outer, inner) {
		t.Errorf("chain: the caller saw calls %v, the store %v", outer, inner)
	}
	calls := 0
	for _, n := range inner {
		calls += n
	}
	logs := c.logs.texts()
	if len(logs) != calls {
		t.Errorf("chain: %d log records for %d calls", len(logs), calls)
	}
	spans := c.spans.Ended()
	if len(spans) != calls {
		t.Errorf("chain: %d spans for %d calls", len(spans), calls)
	}
	for _, s := range spans {
		var b strings.Builder
		fmt.Fprintf(&b, "%s %v %s", s.Name(), s.Attributes(), s.Status().Description)
		for _, e := range s.Events() {
			fmt.Fprintf(&b, " %s %v", e.Name, e.Attributes)
		}
		logs = append(logs, b.String())
	}
	for _, l := range logs {
		for _, m := range payloadMarkers {
			if strings.Contains(l, m) {
				t.Errorf("chain: a record carries a payload (%q): %s", m, l)
			}
		}
	}
}

// recorder counts calls by operation and error type.
type recorder struct {
	mu sync.Mutex
	n  map[string]int
}

func (r *recorder) middleware() provobs.Middleware {
	return provobs.Intercept(provobs.InterceptorFunc(func(ctx context.Context, c *provobs.Call) error {
		err := c.Invoke(ctx)
		key := c.Op().String()
		if err != nil {
			key += "/" + fmt.Sprint(provobs.TypeOf(err))
		}
		r.mu.Lock()
		if r.n == nil {
			r.n = map[string]int{}
		}
		r.n[key]++
		r.mu.Unlock()
		return err
	}))
}

func (r *recorder) counts() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return maps.Clone(r.n)
}

// captureHandler keeps every record as JSON text.
type captureHandler struct {
	mu  sync.Mutex
	out []string
}

func (h *captureHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *captureHandler) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *captureHandler) WithGroup(string) slog.Handler            { return h }
func (h *captureHandler) Handle(ctx context.Context, r slog.Record) error {
	var b bytes.Buffer
	if err := slog.NewJSONHandler(&b, &slog.HandlerOptions{Level: slog.LevelDebug}).Handle(ctx, r); err != nil {
		return err
	}
	h.mu.Lock()
	h.out = append(h.out, b.String())
	h.mu.Unlock()
	return nil
}

func (h *captureHandler) texts() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.out)
}

// TestRetriedFaultAcksOnce injects a retryable failure into acks under the
// retry middleware: before the store (the ack never ran) and after it (the
// ack took effect, its answer was lost). Either way the turn is stored
// exactly once.
func TestRetriedFaultAcksOnce(t *testing.T) {
	for _, after := range []bool{false, true} {
		t.Run(fmt.Sprintf("after=%v", after), func(t *testing.T) {
			ctx := t.Context()
			in := faults.New(faults.Config{Rules: []faults.Rule{{
				Ops: []provobs.Op{provobs.OpAckOrch, provobs.OpAckWorker}, Calls: []int{1},
				Type: provobs.TypeTransactionFailed, After: after,
			}}})
			store := sqlitetest.New(t)
			inner := &recorder{}
			p := provobs.Chain(store, retry.Middleware(retry.Config{}), in.Middleware(), inner.middleware())
			if err := p.EnqueueOrchestrator(ctx, provobs.WorkItem{Kind: provobs.KindStartOrchestration, InstanceID: "a"}, 0); err != nil {
				t.Fatal(err)
			}
			it, err := p.FetchOrchestrationItem(ctx, provobs.FetchOptions{})
			if err != nil || it == nil {
				t.Fatalf("fetch: %v %v", it, err)
			}
			err = p.AckOrchestrationItem(ctx, it.LockToken, provobs.OrchestrationAck{
				ExecutionID:  1,
				HistoryDelta: []provobs.Event{{ID: 1, Kind: provobs.EventOrchestrationStarted}},
				WorkerItems:  []provobs.WorkItem{{Kind: provobs.KindActivityExecute, InstanceID: "a", ExecutionID: 1, CorrelationID: 1}},
			})
			if after {
				// The retry finds the token used: the caller learns the
				// lock is gone, never that the turn was stored twice.
				if err != nil && !errors.Is(err, provobs.ErrLockLost) {
					t.Fatalf("ack with a lost answer: %v, want nil or lock_lost", err)
				}
			} else if err != nil {
				t.Fatalf("retried ack: %v", err)
			}
			evs, err := store.ReadHistory(ctx, "a", 1)
			if err != nil || len(evs) != 1 {
				t.Fatalf("history after a retried ack: %v %v, want one event", evs, err)
			}
			w, err := store.DequeueWorker(ctx, provobs.FetchOptions{}, nil)
			if err != nil || w == nil {
				t.Fatalf("dequeue: %v %v", w, err)
			}
			if w2, err := store.DequeueWorker(ctx, provobs.FetchOptions{}, nil); err != nil || w2 != nil {
				t.Fatalf("second dequeue: %v %v, want no work: the ack enqueued its activity twice", w2, err)
			}
			if got := inner.counts()["ack_orch"]; got != 1 {
				t.Errorf("the store saw %d successful acks, want 1", got)
			}
		})
	}
}

// TestMain raises -parallel (default GOMAXPROCS) to 16 unless it was set:
// the cases mostly wait on short timers, so more of them in flight shortens
// the run without loading the CPU more.
func TestMain(m *testing.M) {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		_ = flag.Set("test.parallel", "16")
	}
	code := m.Run()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}
