package metrics_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/internal/clock"
	"github.com/provobs/provobs/metrics"
	"github.com/provobs/provobs/metrics/metricstest"
	"github.com/provobs/provobs/obstest"
	"github.com/provobs/provobs/retry"
	"github.com/provobs/provobs/sqlite"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// scalarFamilies are the counter and gauge families without labels.
var scalarFamilies = map[string]dto.MetricType{
	provobs.MetricAckOrchestrationRetries: dto.MetricType_COUNTER,
	provobs.MetricSessionsRenewed:         dto.MetricType_COUNTER,
	provobs.MetricSessionsCleaned:         dto.MetricType_COUNTER,
	provobs.MetricQueueDepthPollErrors:    dto.MetricType_COUNTER,
	provobs.MetricOrchestratorQueueDepth:  dto.MetricType_GAUGE,
	provobs.MetricWorkerQueueDepth:        dto.MetricType_GAUGE,
	provobs.MetricTimerQueueDepth:         dto.MetricType_GAUGE,
}

func TestNewExposesEverySeriesAtZero(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(metrics.New().Handler())
	defer srv.Close()
	fams, _ := scrapeHTTP(t, srv.URL+"/metrics")

	for _, op := range provobs.Ops() {
		checkHistogram(t, fams, op.MetricName(), metrics.DefaultBuckets())
		h := histogram(t, fams, op.MetricName())
		assert.Zero(t, h.GetSampleCount(), op.MetricName())
		assert.Zero(t, h.GetSampleSum(), op.MetricName())
		for _, et := range provobs.ErrorTypes() {
			assert.Zero(t, value(t, fams, provobs.MetricInfrastructureErrors, errLabels(op, et)))
		}
		assert.Zero(t, value(t, fams, provobs.MetricRetries, map[string]string{"operation": op.String()}))
		assert.Zero(t, value(t, fams, provobs.MetricCanceled, map[string]string{"operation": op.String()}))
	}
	for name, typ := range scalarFamilies {
		require.NotNil(t, fams[name], name)
		assert.Equal(t, typ, fams[name].GetType(), name)
		assert.Zero(t, value(t, fams, name, map[string]string{}), name)
	}
	assert.Equal(t, dto.MetricType_COUNTER, fams[provobs.MetricInfrastructureErrors].GetType())
	assert.Len(t, fams[provobs.MetricInfrastructureErrors].GetMetric(), len(provobs.Ops())*len(provobs.ErrorTypes()))
	assert.Equal(t, dto.MetricType_COUNTER, fams[provobs.MetricRetries].GetType())
	assert.Equal(t, dto.MetricType_COUNTER, fams[provobs.MetricCanceled].GetType())
	assert.Len(t, fams[provobs.MetricCanceled].GetMetric(), len(provobs.Ops()))
	assert.Len(t, fams, len(provobs.Ops())+3+len(scalarFamilies), "unexpected families")
}

func TestMiddlewareRecordsEveryOperation(t *testing.T) {
	t.Parallel()
	m := metrics.New()
	calls := exercise(t, provobs.Chain(newStore(t), m.Middleware()))
	require.Len(t, calls, len(provobs.MethodOps()), "the scenario must call every operation")

	fams := scrape(t, m)
	for _, op := range provobs.MethodOps() {
		h := histogram(t, fams, op.MetricName())
		assert.Equal(t, uint64(calls[op]), h.GetSampleCount(), "%s count", op)
		assert.Positive(t, h.GetSampleSum(), "%s sum", op)
		checkHistogram(t, fams, op.MetricName(), metrics.DefaultBuckets())
		for _, et := range provobs.ErrorTypes() {
			assert.Zero(t, value(t, fams, provobs.MetricInfrastructureErrors, errLabels(op, et)), "%s %s", op, et)
		}
	}
}

func TestInjectedErrorIsCountedOnceWithItsLabels(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name string
		op   provobs.Op
		mw   provobs.Middleware
		call func(p provobs.Provider) error
		want provobs.ErrorType
	}{
		{
			name: "ack_orch lock_timeout",
			op:   provobs.OpAckOrch,
			mw:   injectFailure(provobs.OpAckOrch, provobs.TypeLockTimeout),
			call: func(p provobs.Provider) error {
				return p.AckOrchestrationItem(ctx, "tok", provobs.OrchestrationAck{ExecutionID: 1})
			},
			want: provobs.TypeLockTimeout,
		},
		{
			name: "fetch transaction_failed",
			op:   provobs.OpFetch,
			mw:   injectFailure(provobs.OpFetch, provobs.TypeTransactionFailed),
			call: func(p provobs.Provider) error {
				_, err := p.FetchOrchestrationItem(ctx, provobs.FetchOptions{})
				return err
			},
			want: provobs.TypeTransactionFailed,
		},
		{
			name: "plain error is unknown",
			op:   provobs.OpEnqueueWorker,
			mw: provobs.Intercept(provobs.InterceptorFunc(func(context.Context, *provobs.Call) error {
				return errors.New("plain")
			})),
			call: func(p provobs.Provider) error { return p.EnqueueWorker(ctx, provobs.WorkItem{}) },
			want: provobs.TypeUnknown,
		},
		{
			name: "store's own lock_lost",
			op:   provobs.OpRenewWorker,
			call: func(p provobs.Provider) error { return p.RenewWorkerLock(ctx, "no-such-token", time.Second) },
			want: provobs.TypeLockLost,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := metrics.New()
			p := provobs.Chain(newStore(t), m.Middleware(), tt.mw)
			err := tt.call(p)
			require.Error(t, err)
			require.Equal(t, tt.want, provobs.TypeOf(err))

			fams := scrape(t, m)
			for _, op := range provobs.Ops() {
				for _, et := range provobs.ErrorTypes() {
					want := 0.0
					if op == tt.op && et == tt.want {
						want = 1
					}
					assert.Equal(t, want, value(t, fams, provobs.MetricInfrastructureErrors, errLabels(op, et)), "%s %s", op, et)
				}
				wantCount := uint64(0)
				if op == tt.op {
					wantCount = 1 // failures are timed too
				}
				assert.Equal(t, wantCount, histogram(t, fams, op.MetricName()).GetSampleCount(), op.String())
			}
		})
	}
}

// TestCallerCancellationIsNotAnInfrastructureError drives a real store with
// a cancelled context and with a passed deadline: the cancellation is
// counted in provider_canceled_total only, the deadline as an
// infrastructure error of type deadline_exceeded (provobs.OutcomeOf).
func TestCallerCancellationIsNotAnInfrastructureError(t *testing.T) {
	t.Parallel()
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancelE := context.WithDeadline(context.Background(), time.Unix(1, 0))
	defer cancelE()
	tests := []struct {
		name         string
		ctx          context.Context
		mw           provobs.Middleware
		wantCanceled float64
		wantType     provobs.ErrorType // counted as an infrastructure error; 0: none
	}{
		{name: "cancelled ctx, store's error", ctx: canceled, wantCanceled: 1},
		{name: "cancelled ctx, driver error on the way out", ctx: canceled, wantCanceled: 1,
			mw: provobs.Intercept(provobs.InterceptorFunc(func(context.Context, *provobs.Call) error {
				return errors.New("conn closed")
			}))},
		{name: "canceled error, live ctx", ctx: context.Background(), wantCanceled: 1,
			mw: injectFailure(provobs.OpEnqueue, provobs.TypeCanceled)},
		{name: "interrupted at the deadline", ctx: expired, wantType: provobs.TypeDeadlineExceeded,
			mw: provobs.Intercept(provobs.InterceptorFunc(func(_ context.Context, c *provobs.Call) error {
				return provobs.NewError(c.Op(), provobs.TypeCanceled, errors.New("interrupted"))
			}))},
		{name: "passed deadline", ctx: expired, wantType: provobs.TypeDeadlineExceeded,
			mw: provobs.Intercept(provobs.InterceptorFunc(func(ctx context.Context, c *provobs.Call) error {
				return provobs.ContextError(c.Op(), ctx.Err())
			}))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := metrics.New()
			mws := []provobs.Middleware{m.Middleware()}
			if tt.mw != nil {
				mws = append(mws, tt.mw)
			}
			p := provobs.Chain(newStore(t), mws...)
			err := p.EnqueueOrchestrator(tt.ctx, provobs.WorkItem{Kind: provobs.KindStartOrchestration, InstanceID: "a"}, 0)
			require.Error(t, err)

			fams := scrape(t, m)
			for _, op := range provobs.Ops() {
				want := 0.0
				if op == provobs.OpEnqueue {
					want = tt.wantCanceled
				}
				assert.Equal(t, want, value(t, fams, provobs.MetricCanceled, map[string]string{"operation": op.String()}), op.String())
				for _, et := range provobs.ErrorTypes() {
					want := 0.0
					if op == provobs.OpEnqueue && et == tt.wantType {
						want = 1
					}
					assert.Equal(t, want, value(t, fams, provobs.MetricInfrastructureErrors, errLabels(op, et)), "%s %s", op, et)
				}
			}
			assert.Equal(t, uint64(1), histogram(t, fams, provobs.OpEnqueue.MetricName()).GetSampleCount(), "its latency is observed")
		})
	}
}

func TestSessionCounters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := metrics.New()
	clk := clock.NewManual(time.Now())
	p := provobs.Chain(newStore(t, sqlite.WithClock(clk.Now)), m.Middleware())

	session := &provobs.SessionConfig{OwnerID: "owner-1", LockTimeout: time.Minute}
	for _, sid := range []string{"s-1", "s-2"} {
		require.NoError(t, p.EnqueueWorker(ctx, provobs.WorkItem{Kind: provobs.KindActivityExecute, InstanceID: "i-" + sid, ExecutionID: 1, CorrelationID: 1, SessionID: sid}))
		w, err := p.DequeueWorker(ctx, provobs.FetchOptions{}, session)
		require.NoError(t, err)
		require.NotNil(t, w)
		require.NoError(t, p.AckWorker(ctx, w.LockToken, nil))
	}
	// Two renewals of both sessions, one cleanup of both: 4 renewed and 2
	// cleaned, so counters that were swapped, or fed the wrong op, differ.
	for range 2 {
		n, err := p.RenewSessionLock(ctx, []string{"owner-1"}, time.Minute, time.Hour)
		require.NoError(t, err)
		require.Equal(t, 2, n)
	}

	clk.Advance(2 * time.Minute) // both leases expire
	n, err := p.CleanupOrphanedSessions(ctx, 0)
	require.NoError(t, err)
	require.Equal(t, 2, n)

	snap := metricstest.Snapshot(t, m)
	assert.Equal(t, uint64(4), snap.SessionsRenewed(), provobs.MetricSessionsRenewed)
	assert.Equal(t, uint64(2), snap.SessionsCleaned(), provobs.MetricSessionsCleaned)
	assert.Equal(t, uint64(2), snap.Count(provobs.OpRenewSessionLock))
	assert.Equal(t, uint64(1), snap.Count(provobs.OpCleanupOrphanedSessions))
}

func TestRetriesAreCounted(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name        string
		inject      provobs.Middleware
		wantRetries float64
		wantErr     provobs.ErrorType // "" for success
	}{
		{"fail twice then succeed", flaky(provobs.OpAckOrch, 2), 2, 0},
		{"always fail", flaky(provobs.OpAckOrch, -1), 3, provobs.TypeLockTimeout},
		{"permanent error", injectFailure(provobs.OpAckOrch, provobs.TypeConflict), 0, provobs.TypeConflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := metrics.New()
			st := newStore(t)
			p := provobs.Chain(st, m.Middleware(),
				retry.Middleware(retry.Config{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond, OnRetry: m.RetryHook()}),
				tt.inject)

			require.NoError(t, p.EnqueueOrchestrator(ctx, provobs.WorkItem{Kind: provobs.KindStartOrchestration, InstanceID: "i-1"}, 0))
			item, err := p.FetchOrchestrationItem(ctx, provobs.FetchOptions{})
			require.NoError(t, err)
			require.NotNil(t, item)
			err = p.AckOrchestrationItem(ctx, item.LockToken, provobs.OrchestrationAck{
				ExecutionID:  1,
				HistoryDelta: []provobs.Event{{ID: 1, Kind: provobs.EventOrchestrationStarted}},
			})
			assert.Equal(t, tt.wantErr, provobs.TypeOf(err))

			history, herr := st.ReadHistory(ctx, "i-1", 0)
			require.NoError(t, herr)
			if tt.wantErr == 0 {
				assert.Len(t, history, 1, "the successful retry committed the turn")
			} else {
				assert.Empty(t, history, "a failed ack commits nothing")
			}

			fams := scrape(t, m)
			assert.Equal(t, tt.wantRetries, value(t, fams, provobs.MetricAckOrchestrationRetries, map[string]string{}))
			assert.Equal(t, tt.wantRetries, value(t, fams, provobs.MetricRetries, map[string]string{"operation": "ack_orch"}))
			// Metrics sits outside retry: one timed call whatever the retries.
			assert.Equal(t, uint64(1), histogram(t, fams, provobs.OpAckOrch.MetricName()).GetSampleCount())
		})
	}
}

func TestRecordRetry(t *testing.T) {
	t.Parallel()
	m := metrics.New()
	m.RecordRetry(provobs.OpAckWorker)
	m.RecordRetry(provobs.OpAckWorker)
	m.RecordRetry(provobs.Op(0)) // ignored
	fams := scrape(t, m)
	assert.Equal(t, 2.0, value(t, fams, provobs.MetricRetries, map[string]string{"operation": "ack_worker"}))
	assert.Zero(t, value(t, fams, provobs.MetricAckOrchestrationRetries, map[string]string{}))
}

func TestWithBuckets(t *testing.T) {
	t.Parallel()
	bounds := []float64{1, 10, 100}
	m := metrics.New(metrics.WithBuckets(bounds...))
	bounds[0] = 5 // the option copied the slice
	_ = exercise(t, provobs.Chain(newStore(t), m.Middleware()))
	fams := scrape(t, m)
	for _, op := range provobs.Ops() {
		checkHistogram(t, fams, op.MetricName(), []float64{1, 10, 100})
	}

	assert.Panics(t, func() { metrics.New(metrics.WithBuckets(10, 1)) })
	assert.Panics(t, func() { metrics.New(metrics.WithBuckets()) })
}

// Recording allocates nothing: a chain with the metrics interceptor
// allocates what a chain with an empty observer does (the Call).
func TestRecordingDoesNotAllocate(t *testing.T) {
	ctx := context.Background()
	m := metrics.New()
	for _, err := range []error{nil, provobs.NewError(provobs.OpFetch, provobs.TypeLockTimeout, nil), context.Canceled, errors.New("plain")} {
		stub := &obstest.Stub{Err: err}
		empty := provobs.Chain(stub, provobs.Observe(func(context.Context, *provobs.Call, error, time.Duration) {}))
		p := provobs.Chain(stub, m.Middleware())
		want := testing.AllocsPerRun(100, func() { _, _ = empty.FetchOrchestrationItem(ctx, provobs.FetchOptions{}) })
		got := testing.AllocsPerRun(100, func() { _, _ = p.FetchOrchestrationItem(ctx, provobs.FetchOptions{}) })
		assert.Equal(t, want, got, "err=%v", err)
		assert.LessOrEqual(t, got, 1.0, "err=%v: one Call per operation at most", err)
	}
}
