package otelmetrics_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/obstest"
	"github.com/provobs/provobs/otelmetrics"
	"github.com/provobs/provobs/retry"
)

// The wire names the tests expect: the semantic conventions' spelling.
const (
	wantHistogram = "db.client.operation.duration"
	keySystem     = "db.system.name"
	keyNamespace  = "db.namespace"
	keyOperation  = "db.operation.name"
	keyAddress    = "server.address"
	keyPort       = "server.port"
	keyErrorType  = "error.type"
	keyProvobsOp  = "operation"
)

// TestSemconvKeys pins the constants the package uses to the spelling of
// the conventions, so a semconv upgrade that renames one fails here.
func TestSemconvKeys(t *testing.T) {
	t.Parallel()
	for got, want := range map[string]string{
		string(semconv.DBSystemNameKey): keySystem, string(semconv.DBNamespaceKey): keyNamespace,
		string(semconv.DBOperationNameKey): keyOperation, string(semconv.ServerAddressKey): keyAddress,
		string(semconv.ServerPortKey): keyPort, string(semconv.ErrorTypeKey): keyErrorType,
		provobs.KeyOperation: keyProvobsOp,
	} {
		assert.Equal(t, want, got)
	}
}

func TestDurationHistogram(t *testing.T) {
	t.Parallel()
	m, reader := newMetrics(t)
	store := describedStub{Stub: &obstest.Stub{}, info: networkStore}
	p := provobs.Chain(store, m.Middleware())
	ctx := context.Background()
	require.NoError(t, p.EnqueueOrchestrator(ctx, provobs.WorkItem{Kind: provobs.KindStartOrchestration, InstanceID: "i"}, 0))
	require.NoError(t, p.EnqueueOrchestrator(ctx, provobs.WorkItem{Kind: provobs.KindStartOrchestration, InstanceID: "j"}, 0))
	store.Err = provobs.NewError(provobs.OpDequeue, provobs.TypeLockTimeout, io.EOF)
	_, err := p.DequeueWorker(ctx, provobs.FetchOptions{}, nil)
	require.Error(t, err)

	got := collect(t, reader)
	def := got[wantHistogram]
	assert.Equal(t, "s", def.Unit)
	assert.Equal(t, "Duration of database client operations.", def.Description)
	points := got.histogram(t)
	require.Len(t, points, 2)
	byOp := map[string]map[string]any{}
	for _, dp := range points {
		assert.Equal(t, otelmetrics.DefaultBuckets(), dp.Bounds, "the conventions' advisory buckets")
		a := attrs(dp.Attributes)
		byOp[fmt.Sprint(a[keyProvobsOp])] = a
		switch a[keyProvobsOp] {
		case provobs.OpEnqueue.String():
			assert.Equal(t, uint64(2), dp.Count)
		case provobs.OpDequeue.String():
			assert.Equal(t, uint64(1), dp.Count)
		}
		assert.Positive(t, dp.Sum)
	}
	assert.Equal(t, map[string]any{
		keySystem: "postgresql", keyNamespace: "provobs", keyAddress: "db.example", keyPort: int64(5432),
		keyOperation: "EnqueueOrchestrator", keyProvobsOp: "enqueue",
	}, byOp["enqueue"])
	assert.Equal(t, map[string]any{
		keySystem: "postgresql", keyNamespace: "provobs", keyAddress: "db.example", keyPort: int64(5432),
		keyOperation: "DequeueWorker", keyProvobsOp: "dequeue", keyErrorType: "lock_timeout",
	}, byOp["dequeue"])
}

// TestDurationInSeconds: a call that sleeps 20ms is recorded as at least
// 0.02 and below 20, which a value in milliseconds (>= 20) is not.
func TestDurationInSeconds(t *testing.T) {
	t.Parallel()
	m, reader := newMetrics(t)
	s := provobs.NewStack(m.Interceptor())
	require.NoError(t, s.Run(context.Background(), provobs.OpReadHistory, "", "i", func(context.Context, *provobs.Call) error {
		time.Sleep(20 * time.Millisecond)
		return nil
	}))
	points := collect(t, reader).histogram(t)
	require.Len(t, points, 1)
	assert.GreaterOrEqual(t, points[0].Sum, 0.02)
	assert.Less(t, points[0].Sum, 20.0)
}

// TestUndescribedStore: a provider that does not describe itself is
// recorded with the conventions' fallback system and no other store
// attribute; so is the interceptor used without a chain.
func TestUndescribedStore(t *testing.T) {
	t.Parallel()
	m, reader := newMetrics(t)
	p := provobs.Chain(obstest.ProviderOnly(&obstest.Stub{}), m.Middleware())
	require.NoError(t, p.EnqueueWorker(context.Background(), provobs.WorkItem{Kind: provobs.KindActivityExecute, InstanceID: "i"}))
	require.NoError(t, provobs.NewStack(m.Interceptor()).Run(context.Background(), provobs.OpRemoveInstance, "", "i",
		func(context.Context, *provobs.Call) error { return nil }))
	var got []map[string]any
	for _, dp := range collect(t, reader).histogram(t) {
		got = append(got, attrs(dp.Attributes))
	}
	assert.ElementsMatch(t, []map[string]any{
		{keySystem: "other_sql", keyOperation: "EnqueueWorker", keyProvobsOp: "enqueue_worker"},
		// An op with no Provider method is named by its label.
		{keySystem: "other_sql", keyOperation: "remove_instance", keyProvobsOp: "remove_instance"},
	}, got)
}

// TestOperationName: db.operation.name is the storage method a Stack.Run
// names, else the op's own method; every op and method pair gets its own
// series, up to MaxMethods names; further names fall back to the op's own
// name, so the values stay a bounded set.
func TestOperationName(t *testing.T) {
	t.Parallel()
	m, reader := newMetrics(t)
	s := provobs.NewStack(m.Interceptor()).ForStore(provobs.StoreInfo{System: provobs.SystemRedis, ServerAddress: "127.0.0.1", ServerPort: 6379})
	ctx := context.Background()
	ok := func(context.Context, *provobs.Call) error { return nil }
	want := map[string]string{} // db.operation.name -> operation
	for _, op := range provobs.Ops() {
		require.NoError(t, s.Run(ctx, op, "", "", ok))
		name := op.Method()
		if name == "" {
			name = op.String()
		}
		want[name] = op.String()
	}
	wantCount := map[string]uint64{}
	for name := range want {
		wantCount[name] = 1
	}
	require.NoError(t, s.Run(ctx, provobs.OpDequeue, "GetActivityTask", "", ok))
	want["GetActivityTask"], wantCount["GetActivityTask"] = provobs.OpDequeue.String(), 1
	for i := range otelmetrics.MaxMethods + 2 {
		name := fmt.Sprintf("Method%d", i)
		require.NoError(t, s.Run(ctx, provobs.OpReadHistory, name, "", ok))
		require.NoError(t, s.Run(ctx, provobs.OpReadHistory, name, "", ok))
		if i+1 >= otelmetrics.MaxMethods { // GetActivityTask is the first name
			name = provobs.OpReadHistory.Method()
		}
		want[name] = provobs.OpReadHistory.String()
		wantCount[name] += 2
	}

	got, gotCount := map[string]string{}, map[string]uint64{}
	for _, dp := range collect(t, reader).histogram(t) {
		a := attrs(dp.Attributes)
		name := fmt.Sprint(a[keyOperation])
		got[name], gotCount[name] = fmt.Sprint(a[keyProvobsOp]), dp.Count
		assert.Equal(t, "redis", a[keySystem])
		assert.Equal(t, "127.0.0.1", a[keyAddress])
		assert.Equal(t, int64(6379), a[keyPort])
		assert.NotContains(t, a, keyNamespace)
	}
	assert.Equal(t, want, got)
	assert.Equal(t, wantCount, gotCount)
	assert.Len(t, got, len(provobs.Ops())+otelmetrics.MaxMethods)
}

// TestOutcomes: a failure counts as an infrastructure error of its type, a
// passed deadline too, and the caller's cancellation only as a
// cancellation; every call is in the histogram, with its error.type.
func TestOutcomes(t *testing.T) {
	t.Parallel()
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel2()
	fail := provobs.NewError(provobs.OpAckOrch, provobs.TypeTransactionFailed, io.EOF)
	tests := []struct {
		name       string
		ctx        context.Context
		err        error
		wantType   string // histogram error.type; "" for none
		wantErrors []point
		wantCancel []point
	}{
		{"success", context.Background(), nil, "", nil, nil},
		{"store failure", context.Background(), fail, "transaction_failed",
			[]point{{map[string]any{keyProvobsOp: "ack_orch", keyErrorType: "transaction_failed"}, 1}}, nil},
		{"plain error is unknown", context.Background(), io.ErrUnexpectedEOF, "unknown",
			[]point{{map[string]any{keyProvobsOp: "ack_orch", keyErrorType: "unknown"}, 1}}, nil},
		{"hand-built error type is unknown", context.Background(), &provobs.Error{Op: provobs.OpAckOrch, Type: 200, Err: io.EOF}, "unknown",
			[]point{{map[string]any{keyProvobsOp: "ack_orch", keyErrorType: "unknown"}, 1}}, nil},
		{"caller cancelled, store says canceled", canceled, provobs.ContextError(provobs.OpAckOrch, context.Canceled), "canceled",
			nil, []point{{map[string]any{keyProvobsOp: "ack_orch"}, 1}}},
		{"caller cancelled, driver says something else", canceled, fail, "canceled",
			nil, []point{{map[string]any{keyProvobsOp: "ack_orch"}, 1}}},
		{"canceled error on a live context", context.Background(), context.Canceled, "canceled",
			nil, []point{{map[string]any{keyProvobsOp: "ack_orch"}, 1}}},
		{"deadline passed", expired, provobs.ContextError(provobs.OpAckOrch, context.DeadlineExceeded), "deadline_exceeded",
			[]point{{map[string]any{keyProvobsOp: "ack_orch", keyErrorType: "deadline_exceeded"}, 1}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, reader := newMetrics(t)
			p := provobs.Chain(&obstest.Stub{Err: tt.err}, m.Middleware())
			err := p.AckOrchestrationItem(tt.ctx, "token", provobs.OrchestrationAck{})
			require.ErrorIs(t, err, tt.err)

			got := collect(t, reader)
			points := got.histogram(t)
			require.Len(t, points, 1)
			a := attrs(points[0].Attributes)
			if tt.wantType == "" {
				assert.NotContains(t, a, keyErrorType)
			} else {
				assert.Equal(t, tt.wantType, a[keyErrorType])
			}
			assert.Equal(t, tt.wantErrors, got.sums(t, provobs.OTelMetricInfrastructureErrors), "infrastructure errors")
			assert.Equal(t, tt.wantCancel, got.sums(t, provobs.OTelMetricCancellations), "cancellations")
		})
	}
}

func TestCounterDefinitions(t *testing.T) {
	t.Parallel()
	m, reader := newMetrics(t)
	ctx := context.Background()
	m.RecordRetry(ctx, provobs.OpAckOrch)
	p := provobs.Chain(&obstest.Stub{Sessions: 1}, m.Middleware())
	_, err := p.RenewSessionLock(ctx, []string{"a"}, time.Minute, time.Minute)
	require.NoError(t, err)
	_, err = p.CleanupOrphanedSessions(ctx, time.Minute)
	require.NoError(t, err)
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	failing := provobs.Chain(&obstest.Stub{Err: io.EOF}, m.Middleware())
	require.Error(t, failing.AckWorker(ctx, "t", nil))
	require.Error(t, failing.AckWorker(canceled, "t", nil))
	got := collect(t, reader)
	for name, unit := range map[string]string{
		provobs.OTelMetricInfrastructureErrors: "{error}",
		provobs.OTelMetricCancellations:        "{call}",
		provobs.OTelMetricRetries:              "{retry}",
		provobs.OTelMetricSessionsRenewed:      "{session}",
		provobs.OTelMetricSessionsCleaned:      "{session}",
	} {
		def, ok := got[name]
		if assert.True(t, ok, "%s collected", name) {
			assert.Equal(t, unit, def.Unit, name)
			assert.NotEmpty(t, def.Description, name)
		}
	}
}

func TestSessions(t *testing.T) {
	t.Parallel()
	m, reader := newMetrics(t)
	ctx := context.Background()
	stub := &obstest.Stub{Sessions: 3}
	p := provobs.Chain(stub, m.Middleware())
	_, err := p.RenewSessionLock(ctx, []string{"a", "b", "c"}, time.Minute, time.Minute)
	require.NoError(t, err)
	_, err = p.RenewSessionLock(ctx, []string{"a", "b", "c"}, time.Minute, time.Minute)
	require.NoError(t, err)
	_, err = p.CleanupOrphanedSessions(ctx, time.Minute)
	require.NoError(t, err)
	stub.Err = io.EOF // a failed call adds nothing
	_, err = p.CleanupOrphanedSessions(ctx, time.Minute)
	require.Error(t, err)

	got := collect(t, reader)
	none := map[string]any{}
	assert.Equal(t, []point{{none, 6}}, got.sums(t, provobs.OTelMetricSessionsRenewed))
	assert.Equal(t, []point{{none, 3}}, got.sums(t, provobs.OTelMetricSessionsCleaned))
}

// TestRetries: the retry middleware's hook counts each re-invocation by
// operation.
func TestRetries(t *testing.T) {
	t.Parallel()
	m, reader := newMetrics(t)
	busy := provobs.NewError(provobs.OpAckOrch, provobs.TypeLockTimeout, io.EOF)
	require.True(t, provobs.IsRetryable(busy))
	p := provobs.Chain(&obstest.Stub{Err: busy},
		retry.Middleware(retry.Config{MaxAttempts: 3, BaseDelay: time.Microsecond, OnRetry: m.RetryHook()}),
		m.Middleware())
	ctx := context.Background()
	require.Error(t, p.AckOrchestrationItem(ctx, "t", provobs.OrchestrationAck{}))
	require.Error(t, p.AckWorker(ctx, "t", nil))
	m.RecordRetry(ctx, provobs.Op(0)) // ignored

	got := collect(t, reader)
	assert.ElementsMatch(t, []point{
		{map[string]any{keyProvobsOp: "ack_orch"}, 2},
		{map[string]any{keyProvobsOp: "ack_worker"}, 2},
	}, got.sums(t, provobs.OTelMetricRetries))
	// Inside the retries, every attempt is observed.
	assert.ElementsMatch(t, []point{
		{map[string]any{keyProvobsOp: "ack_orch", keyErrorType: "lock_timeout"}, 3},
		{map[string]any{keyProvobsOp: "ack_worker", keyErrorType: "lock_timeout"}, 3},
	}, got.sums(t, provobs.OTelMetricInfrastructureErrors))
}

func TestQueueDepthGauge(t *testing.T) {
	t.Parallel()
	m, reader := newMetrics(t)
	assert.Nil(t, collect(t, reader).gauge(t), "no depth is reported before one is known")
	m.SetQueueDepths(provobs.QueueDepths{Orchestrator: 4, Worker: 5, Timer: 6})
	want := []point{
		{map[string]any{provobs.KeyQueue: provobs.QueueOrchestrator}, 4},
		{map[string]any{provobs.KeyQueue: provobs.QueueWorker}, 5},
		{map[string]any{provobs.KeyQueue: provobs.QueueTimer}, 6},
	}
	got := collect(t, reader)
	assert.ElementsMatch(t, want, got.gauge(t))
	assert.Equal(t, "{item}", got[provobs.OTelMetricQueueDepth].Unit)

	require.NoError(t, m.Close())
	require.NoError(t, m.Close())
	assert.Nil(t, collect(t, reader).gauge(t), "nothing is reported after Close")
}

// failingAdmin is a Stub whose QueueDepths reports each call on calls.
type failingAdmin struct {
	*obstest.Stub
	calls chan struct{}
}

func (a failingAdmin) QueueDepths(ctx context.Context) (provobs.QueueDepths, error) {
	d, err := a.Stub.QueueDepths(ctx)
	select {
	case a.calls <- struct{}{}:
	default:
	}
	return d, err
}

func TestPollQueueDepths(t *testing.T) {
	t.Parallel()
	m, reader := newMetrics(t)
	admin := failingAdmin{Stub: &obstest.Stub{Depths: provobs.QueueDepths{Orchestrator: 1, Worker: 2, Timer: 3}}, calls: make(chan struct{}, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); m.PollQueueDepths(ctx, admin, time.Millisecond, nil) }()
	<-admin.calls
	<-admin.calls // the first answer has been stored
	assert.ElementsMatch(t, []point{
		{map[string]any{provobs.KeyQueue: provobs.QueueOrchestrator}, 1},
		{map[string]any{provobs.KeyQueue: provobs.QueueWorker}, 2},
		{map[string]any{provobs.KeyQueue: provobs.QueueTimer}, 3},
	}, collect(t, reader).gauge(t))
	cancel()
	<-done
	assert.Nil(t, collect(t, reader).sums(t, provobs.OTelMetricQueuePollErrors), "a poll ended by the caller's cancellation is not an error")
}

func TestPollQueueDepthsFailure(t *testing.T) {
	t.Parallel()
	m, reader := newMetrics(t)
	h := obstest.NewHandler(nil)
	admin := failingAdmin{Stub: &obstest.Stub{Err: provobs.NewError(provobs.OpQueueDepths, provobs.TypeLockTimeout, io.EOF)}, calls: make(chan struct{}, 1)}
	m.SetQueueDepths(provobs.QueueDepths{Orchestrator: 7})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); m.PollQueueDepths(ctx, admin, time.Millisecond, slog.New(h)) }()
	<-admin.calls
	<-admin.calls // the first failure has been counted
	cancel()
	<-done
	got := collect(t, reader)
	polls := got.sums(t, provobs.OTelMetricQueuePollErrors)
	require.Len(t, polls, 1)
	assert.Positive(t, polls[0].Value)
	assert.Equal(t, "{error}", got[provobs.OTelMetricQueuePollErrors].Unit)
	assert.Contains(t, got.gauge(t), point{map[string]any{provobs.KeyQueue: provobs.QueueOrchestrator}, 7}, "a failed poll keeps the last values")
	warns := h.ByMessage("queue depth poll failed")
	require.NotEmpty(t, warns)
	v, ok := warns[0].Attr(provobs.KeyErrorType)
	require.True(t, ok)
	assert.Equal(t, "lock_timeout", v.String())

	// A nil Admin returns at once.
	m.PollQueueDepths(context.Background(), nil, 0, nil)
}

// TestGlobalMeterProvider: a nil MeterProvider is the global one, also
// when the global provider is installed after New. Not parallel: it sets
// the global provider (the first SetMeterProvider of the test binary).
func TestGlobalMeterProvider(t *testing.T) {
	prev := otel.GetMeterProvider()
	t.Cleanup(func() { otel.SetMeterProvider(prev) })
	early, err := otelmetrics.New(nil)
	require.NoError(t, err)

	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	t.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
	otel.SetMeterProvider(mp)
	late, err := otelmetrics.New(nil)
	require.NoError(t, err)

	item := provobs.WorkItem{Kind: provobs.KindActivityExecute, InstanceID: "i"}
	for _, m := range []*otelmetrics.Metrics{early, late} {
		require.NoError(t, provobs.Chain(&obstest.Stub{}, m.Middleware()).EnqueueWorker(context.Background(), item))
	}
	points := collect(t, reader).histogram(t)
	require.Len(t, points, 1)
	assert.Equal(t, uint64(2), points[0].Count, "both recorded through the global provider")
}

func TestWithBuckets(t *testing.T) {
	t.Parallel()
	m, reader := newMetrics(t, otelmetrics.WithBuckets(0.5, 1, 2), nil)
	require.NoError(t, provobs.NewStack(m.Interceptor()).Run(context.Background(), provobs.OpFetch, "", "",
		func(context.Context, *provobs.Call) error { return nil }))
	points := collect(t, reader).histogram(t)
	require.Len(t, points, 1)
	assert.Equal(t, []float64{0.5, 1, 2}, points[0].Bounds)

	for _, bad := range [][]float64{{1, 1}, {2, 1}, {math.NaN()}, {1, math.Inf(1)}} {
		_, err := otelmetrics.New(sdkmetric.NewMeterProvider(), otelmetrics.WithBuckets(bad...))
		assert.ErrorIs(t, err, otelmetrics.ErrBuckets, "%v", bad)
	}
}

// TestSameValues: Interceptor and Middleware return the same value on
// every call, and an invalid op records nothing.
func TestSameValues(t *testing.T) {
	t.Parallel()
	m, reader := newMetrics(t)
	assert.Same(t, m.Interceptor(), m.Interceptor())
	assert.NotNil(t, m.Middleware())
	err := provobs.NewStack(m.Interceptor()).Run(context.Background(), provobs.Op(0), "", "", func(context.Context, *provobs.Call) error { return nil })
	require.Error(t, err)
	assert.True(t, errors.Is(err, &provobs.Error{Type: provobs.TypeInvalidArgument}))
	assert.Nil(t, collect(t, reader).histogram(t))
}

// TestConcurrentMethods: calls naming storage methods from many goroutines
// (run with -race) each land in their own series, counted exactly.
func TestConcurrentMethods(t *testing.T) {
	t.Parallel()
	m, reader := newMetrics(t)
	s := provobs.NewStack(m.Interceptor()).ForStore(networkStore)
	const goroutines, calls, methods = 8, 50, 5
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range calls {
				name := fmt.Sprintf("Method%d", (g+i)%methods)
				_ = s.Run(context.Background(), provobs.OpDequeue, name, "", func(context.Context, *provobs.Call) error { return nil })
			}
		})
	}
	wg.Wait()
	var total uint64
	points := collect(t, reader).histogram(t)
	require.Len(t, points, methods)
	for _, dp := range points {
		total += dp.Count
	}
	assert.Equal(t, uint64(goroutines*calls), total)
}
