package reliability_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/faults"
	"github.com/provobs/provobs/metrics"
	"github.com/provobs/provobs/metrics/metricstest"
	"github.com/provobs/provobs/obstest"
	"github.com/provobs/provobs/retry"
	"github.com/provobs/provobs/slogprov"
	"github.com/provobs/provobs/sqlite"
	"github.com/provobs/provobs/stress"
)

// Fault injection: the stress workload runs through the full chain with the
// fault injector innermost,
//
//	retry → slogprov → metrics → faults → (real-error counter) → SQLite
//
// so retry retries injected errors, and logging and metrics see every
// attempt. Every orchestration must still complete, and the error counters
// and the WARN/ERROR records must match, per operation and type, the faults
// injected plus any real error the store returned (counted below the
// injector, and expected to be none).

// errorCounter counts the errors a provider really returned, by op and type.
type errorCounter struct {
	mu sync.Mutex
	n  map[faults.Key]int64
}

func (c *errorCounter) middleware() provobs.Middleware {
	c.n = map[faults.Key]int64{}
	return provobs.Observe(func(_ context.Context, call *provobs.Call, err error, _ time.Duration) {
		if err != nil {
			c.mu.Lock()
			c.n[faults.Key{Op: call.Op(), Type: provobs.TypeOf(err)}]++
			c.mu.Unlock()
		}
	})
}

func (c *errorCounter) counts() map[faults.Key]int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[faults.Key]int64{}
	for k, v := range c.n {
		out[k] = v
	}
	return out
}

// scrape reads the non-zero error counters and retry counters of m, from
// its exposition.
func scrape(t *testing.T, m *metrics.Metrics) (errs map[faults.Key]int64, retries map[provobs.Op]int64) {
	t.Helper()
	snap := metricstest.Snapshot(t, m)
	errs, retries = map[faults.Key]int64{}, map[provobs.Op]int64{}
	for k, n := range snap.ErrorCounts() {
		errs[faults.Key{Op: k.Op, Type: k.Type}] = int64(n)
	}
	for op, n := range snap.RetryCounts() {
		retries[op] = int64(n)
	}
	return errs, retries
}

// logged counts the failure records of h by op and type, checking each
// record's level: WARN for a retryable type, ERROR otherwise.
func logged(t *testing.T, h *obstest.Handler) map[faults.Key]int64 {
	t.Helper()
	ops := map[string]provobs.Op{}
	for _, op := range provobs.Ops() {
		ops[op.String()] = op
	}
	out := map[faults.Key]int64{}
	for _, r := range h.Records() {
		if r.Level < slog.LevelWarn {
			continue
		}
		require.Equal(t, provobs.MessageFailed, r.Message, "only the logging middleware writes WARN/ERROR here")
		op, _ := r.Attr(provobs.KeyOperation)
		typ, _ := r.Attr(provobs.KeyErrorType)
		et, _ := provobs.ParseErrorType(typ.String())
		want := slog.LevelError
		if et.Retryable() {
			want = slog.LevelWarn
		}
		assert.Equal(t, want, r.Level, "level of a %s failure", et)
		out[faults.Key{Op: ops[op.String()], Type: et}]++
	}
	return out
}

func merge(a, b map[faults.Key]int64) map[faults.Key]int64 {
	out := map[faults.Key]int64{}
	for k, v := range a {
		out[k] += v
	}
	for k, v := range b {
		out[k] += v
	}
	return out
}

func TestStressUnderInjectedFaults(t *testing.T) {
	instances := 60
	if long() {
		instances = 1000
	}
	cases := []struct {
		name  string
		rules []faults.Rule
		// wantOps are operations that must have had faults injected, so
		// the case is not vacuous.
		wantOps []provobs.Op
	}{
		{
			// 5% retryable faults on every operation, of both retryable types.
			name: "retryable_5pct_every_op",
			rules: []faults.Rule{
				faults.Rate(0.025, provobs.TypeLockTimeout),
				faults.Rate(0.025, provobs.TypeTransactionFailed),
			},
			wantOps: []provobs.Op{provobs.OpEnqueue, provobs.OpFetch, provobs.OpAckOrch, provobs.OpDequeue, provobs.OpAckWorker},
		},
		{
			// Permanent faults on acks are not retried: the harness abandons,
			// and 5% of abandons fail too, leaving locks to expire.
			name: "permanent_acks_and_failing_abandons",
			rules: []faults.Rule{
				faults.Rate(0.05, provobs.TypeUnknown, provobs.OpAckOrch, provobs.OpAckWorker),
				faults.Rate(0.05, provobs.TypeLockTimeout, provobs.OpAbandonOrch, provobs.OpAbandonWorker),
				faults.Rate(0.05, provobs.TypeTransactionFailed, provobs.OpFetch, provobs.OpDequeue, provobs.OpEnqueue),
			},
			wantOps: []provobs.Op{provobs.OpAckOrch, provobs.OpAckWorker},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			store := openFile(t, filepath.Join(t.TempDir(), "faults.db"), sqlite.WithSynchronous(sqlite.SynchronousNormal))
			logs := obstest.NewHandler(&obstest.HandlerOptions{Level: slog.LevelWarn})
			m := metrics.New()
			in := faults.New(faults.Config{Seed: 20240917, Rules: tc.rules})
			var real errorCounter
			p := provobs.Chain(store,
				retry.Middleware(retry.Config{BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, OnRetry: m.RetryHook()}),
				slogprov.Middleware(slog.New(logs)),
				m.Middleware(),
				in.Middleware(),
				real.middleware(),
			)

			res, err := stress.Run(ctx, p, stress.Config{
				Instances:        instances,
				MaxConcurrent:    10,
				TasksPerInstance: 3,
				ActivityDelay:    time.Millisecond,
				LockTimeout:      500 * time.Millisecond, // a failed abandon leaves its lock to expire
				PollTimeout:      20 * time.Millisecond,
				AbandonDelay:     5 * time.Millisecond,
				DrainTimeout:     30 * time.Second,
			})
			require.NoError(t, err)
			assert.EqualValues(t, instances, res.Launched)
			assert.EqualValues(t, instances, res.Completed, "every orchestration completes despite the faults")
			assert.Zero(t, res.Failed, "%v", res.FailedByCause)

			injected := in.Counts()
			for _, op := range tc.wantOps {
				n := int64(0)
				for k, v := range injected {
					if k.Op == op {
						n += v
					}
				}
				assert.Positive(t, n, "faults were injected into %s", op)
			}
			realErrs := real.counts()
			t.Logf("injected %d faults %v; real errors %v; harness: %d errors, %d abandons, %d locks lost",
				in.Total(), injected, realErrs, res.Errors, res.Abandons, res.LocksLost)

			want := merge(injected, realErrs)
			gotMetrics, retries := scrape(t, m)
			assert.Equal(t, want, gotMetrics, "provider_infrastructure_errors_total = injected + real, per op and type")
			assert.Equal(t, want, logged(t, logs), "WARN/ERROR records = injected + real, per op and type")

			// Each failed ack attempt below the retry middleware, injected
			// or real, was retried, or (after the last attempt, or when
			// permanent) returned to the harness, which abandons unless the
			// lock was lost. Checked whether or not real errors occurred.
			var failedAcks, lostAcks int64
			for k, v := range want {
				if k.Op != provobs.OpAckOrch && k.Op != provobs.OpAckWorker {
					continue
				}
				failedAcks += v
				if k.Type == provobs.TypeLockLost {
					lostAcks += v
				}
			}
			assert.Positive(t, failedAcks, "no ack failed: the accounting below checks nothing")
			assert.Equal(t, failedAcks, retries[provobs.OpAckOrch]+retries[provobs.OpAckWorker]+res.Abandons+lostAcks,
				"failed ack attempts = retries + abandons + acks that found their lock lost")

			// The store agrees: all completed, nothing left behind.
			list, err := store.ListInstances(ctx, provobs.ListOptions{Limit: 10000})
			require.NoError(t, err)
			require.Len(t, list, instances)
			for _, info := range list {
				assert.Equal(t, provobs.StatusCompleted, info.Status, info.InstanceID)
				h, err := store.ReadHistory(ctx, info.InstanceID, 0)
				require.NoError(t, err)
				for i, e := range h {
					assert.EqualValues(t, i+1, e.ID, "%s: no gap, no duplicate", info.InstanceID)
				}
				assert.Len(t, h, 1+3+3+1, info.InstanceID)
			}
			d, err := store.QueueDepths(ctx)
			require.NoError(t, err)
			assert.Equal(t, provobs.QueueDepths{}, d)
		})
	}
}
