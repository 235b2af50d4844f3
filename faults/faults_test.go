package faults_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/faults"
	"github.com/provobs/provobs/sqlite/sqlitetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func start(id string) provobs.WorkItem {
	return provobs.WorkItem{Kind: provobs.KindStartOrchestration, InstanceID: id}
}

// failures runs n calls of QueueDepths through a fresh injector of cfg and
// returns the numbers of the calls that failed.
func failures(t *testing.T, cfg faults.Config, n int) []int {
	t.Helper()
	p := provobs.Chain(sqlitetest.New(t), faults.Middleware(cfg)).(provobs.Admin)
	var failed []int
	for i := 1; i <= n; i++ {
		if _, err := p.QueueDepths(context.Background()); err != nil {
			failed = append(failed, i)
		}
	}
	return failed
}

func TestRateIsDeterministic(t *testing.T) {
	t.Parallel()
	cfg := faults.Config{Seed: 7, Rules: []faults.Rule{faults.Rate(0.2, provobs.TypeLockTimeout)}}
	a := failures(t, cfg, 500)
	b := failures(t, cfg, 500)
	assert.Equal(t, a, b, "same seed, same calls, same faults")
	// 20% of 500 is 100; the seed fixes the draw, so this bound cannot flake.
	assert.InDelta(t, 100, len(a), 30, "rate 0.2 over 500 calls")

	cfg.Seed = 8
	assert.NotEqual(t, a, failures(t, cfg, 500), "another seed draws other calls")
}

func TestRateZeroAndOne(t *testing.T) {
	t.Parallel()
	assert.Empty(t, failures(t, faults.Config{Rules: []faults.Rule{faults.Rate(0, provobs.TypeUnknown)}}, 100))
	assert.Len(t, failures(t, faults.Config{Rules: []faults.Rule{faults.Rate(1, provobs.TypeUnknown)}}, 100), 100)
}

// OnCall fails exactly the scheduled calls of its operation, with a typed,
// permanent error that never reached the store.
func TestOnCallSchedule(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := sqlitetest.New(t)
	in := faults.New(faults.Config{Rules: []faults.Rule{faults.OnCall(provobs.OpEnqueue, provobs.TypeConflict, 2, 4)}})
	p := provobs.Chain(store, in.Middleware())

	for i := 1; i <= 5; i++ {
		err := p.EnqueueOrchestrator(ctx, start(fmt.Sprint("i", i)), 0)
		if i == 2 || i == 4 {
			require.Error(t, err, "call %d", i)
			assert.Equal(t, provobs.TypeConflict, provobs.TypeOf(err))
			assert.False(t, provobs.IsRetryable(err))
			assert.ErrorIs(t, err, faults.ErrInjected)
			assert.ErrorIs(t, err, provobs.ErrConflict)
			var f *faults.Fault
			require.ErrorAs(t, err, &f)
			assert.Equal(t, faults.Fault{Op: provobs.OpEnqueue, Type: provobs.TypeConflict, Call: int64(i)}, *f)
			continue
		}
		require.NoError(t, err, "call %d", i)
	}
	d, err := store.QueueDepths(ctx)
	require.NoError(t, err)
	assert.EqualValues(t, 3, d.Orchestrator, "failed calls never reached the store")
	assert.Equal(t, map[faults.Key]int64{{provobs.OpEnqueue, provobs.TypeConflict}: 2}, in.Counts())
	assert.EqualValues(t, 2, in.Total())
	assert.EqualValues(t, 5, in.Calls(provobs.OpEnqueue))
	assert.Zero(t, in.Calls(provobs.OpFetch))
}

// Retryable types are injected retryable, the others permanent.
func TestInjectedRetryability(t *testing.T) {
	t.Parallel()
	store := sqlitetest.New(t)
	for _, typ := range provobs.ErrorTypes() {
		p := provobs.Chain(store, faults.Middleware(faults.Config{Rules: []faults.Rule{faults.OnCall(provobs.OpReadHistory, typ, 1)}}))
		_, err := p.ReadHistory(context.Background(), "a", 0)
		assert.Equal(t, typ, provobs.TypeOf(err))
		assert.Equal(t, typ.Retryable(), provobs.IsRetryable(err), typ)
	}
}

// An After rule lets the operation take effect and then reports a failure.
func TestAfterRunsTheOperation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := sqlitetest.New(t)
	p := provobs.Chain(store, faults.Middleware(faults.Config{Rules: []faults.Rule{
		{Ops: []provobs.Op{provobs.OpEnqueue, provobs.OpFetch}, Calls: []int{1}, Type: provobs.TypeTransactionFailed, After: true},
	}}))

	err := p.EnqueueOrchestrator(ctx, start("a"), 0)
	require.ErrorIs(t, err, faults.ErrInjected)
	d, err := store.QueueDepths(ctx)
	require.NoError(t, err)
	assert.EqualValues(t, 1, d.Orchestrator, "the enqueue took effect")

	// A fetch failed after it ran holds its lock: the instance is not
	// fetchable again, as if the fetcher had died.
	_, err = p.FetchOrchestrationItem(ctx, provobs.FetchOptions{LockTimeout: time.Minute})
	require.ErrorIs(t, err, faults.ErrInjected)
	it, err := p.FetchOrchestrationItem(ctx, provobs.FetchOptions{})
	require.NoError(t, err)
	assert.Nil(t, it, "the lost fetch still holds the instance lock")
}

// An After rule does not fire on a call that failed by itself.
func TestAfterSkipsFailedCalls(t *testing.T) {
	t.Parallel()
	in := faults.New(faults.Config{Rules: []faults.Rule{{Rate: 1, Type: provobs.TypeConflict, After: true}}})
	p := provobs.Chain(sqlitetest.New(t), in.Middleware())
	err := p.AckWorker(context.Background(), "no-such-token", nil)
	assert.Equal(t, provobs.TypeLockLost, provobs.TypeOf(err), "the provider's own error")
	assert.NotErrorIs(t, err, faults.ErrInjected)
	assert.Zero(t, in.Total())
}

// Match limits a rule to the calls it accepts; After rules see the
// instance of a dequeued item.
func TestMatch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	onB := func(c *provobs.Call) bool { return c.Instance() == "b" }
	in := faults.New(faults.Config{Rules: []faults.Rule{
		{Ops: []provobs.Op{provobs.OpEnqueueWorker}, Rate: 1, Type: provobs.TypeLockTimeout, Match: onB},
		{Ops: []provobs.Op{provobs.OpDequeue}, Rate: 1, Type: provobs.TypeLockLost, Match: onB, After: true},
	}})
	p := provobs.Chain(sqlitetest.New(t), in.Middleware())
	act := func(id string) provobs.WorkItem {
		return provobs.WorkItem{Kind: provobs.KindActivityExecute, InstanceID: id, ExecutionID: 1, CorrelationID: 1}
	}
	require.NoError(t, p.EnqueueWorker(ctx, act("a")))
	require.Error(t, p.EnqueueWorker(ctx, act("b")))
	assert.EqualValues(t, 1, in.Injected(provobs.OpEnqueueWorker, provobs.TypeLockTimeout))

	w, err := p.DequeueWorker(ctx, provobs.FetchOptions{}, nil)
	require.NoError(t, err)
	require.NotNil(t, w)
	assert.Equal(t, "a", w.Item.InstanceID)
	assert.Zero(t, in.Injected(provobs.OpDequeue, provobs.TypeLockLost))
}

func TestMax(t *testing.T) {
	t.Parallel()
	cfg := faults.Config{Rules: []faults.Rule{{Rate: 1, Max: 2, Type: provobs.TypeUnknown}}}
	assert.Equal(t, []int{1, 2}, failures(t, cfg, 10))
}

// Rules apply in order: latency adds up, the first error wins.
func TestRuleOrder(t *testing.T) {
	t.Parallel()
	in := faults.New(faults.Config{Rules: []faults.Rule{
		faults.Delay(5*time.Millisecond, 1),
		faults.OnCall(provobs.OpQueueDepths, provobs.TypeConflict, 1),
		faults.OnCall(provobs.OpQueueDepths, provobs.TypeLockTimeout, 1, 2),
	}})
	p := provobs.Chain(sqlitetest.New(t), in.Middleware()).(provobs.Admin)
	ctx := context.Background()
	t0 := time.Now()
	_, err := p.QueueDepths(ctx)
	assert.GreaterOrEqual(t, time.Since(t0), 5*time.Millisecond, "the latency rule fired first")
	assert.Equal(t, provobs.TypeConflict, provobs.TypeOf(err), "the first error rule wins")
	_, err = p.QueueDepths(ctx)
	assert.Equal(t, provobs.TypeLockTimeout, provobs.TypeOf(err))
	_, err = p.QueueDepths(ctx)
	assert.NoError(t, err)
	assert.Equal(t, map[faults.Key]int64{
		{provobs.OpQueueDepths, provobs.TypeConflict}:    1,
		{provobs.OpQueueDepths, provobs.TypeLockTimeout}: 1,
	}, in.Counts())
	assert.EqualValues(t, 3, in.Delayed(provobs.OpQueueDepths))
}

// A call whose context ends during injected latency fails with
// TypeCanceled (TypeDeadlineExceeded for a passed deadline), which is not
// counted as an injected fault.
func TestLatencyHonoursContext(t *testing.T) {
	t.Parallel()
	in := faults.New(faults.Config{Rules: []faults.Rule{faults.Delay(time.Hour, 1)}})
	p := provobs.Chain(sqlitetest.New(t), in.Middleware())
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := p.ReadHistory(ctx, "a", 0)
		errc <- err
	}()
	cancel()
	err := <-errc
	assert.Equal(t, provobs.TypeCanceled, provobs.TypeOf(err))
	assert.True(t, errors.Is(err, context.Canceled))
	assert.NotErrorIs(t, err, faults.ErrInjected)
	assert.Zero(t, in.Total())
	assert.Equal(t, provobs.OutcomeCanceled, provobs.OutcomeOf(ctx, err))

	// A passed deadline is deadline_exceeded, a failure for the observers.
	dctx, dcancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer dcancel()
	_, err = p.ReadHistory(dctx, "a", 0)
	assert.Equal(t, provobs.TypeDeadlineExceeded, provobs.TypeOf(err))
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Zero(t, in.Total())
	assert.Equal(t, provobs.OutcomeFailed, provobs.OutcomeOf(dctx, err))
}

// The injector keeps the Admin capability and can fail admin calls.
func TestAdminSurvives(t *testing.T) {
	t.Parallel()
	p := provobs.Chain(sqlitetest.New(t), faults.Middleware(faults.Config{Rules: []faults.Rule{faults.Rate(1, provobs.TypeUnknown, provobs.OpListInstances)}}))
	a, ok := p.(provobs.Admin)
	require.True(t, ok)
	_, err := a.ListInstances(context.Background(), provobs.ListOptions{})
	assert.ErrorIs(t, err, faults.ErrInjected)
	_, err = a.QueueDepths(context.Background())
	assert.NoError(t, err)
}

func TestNewRejectsBadRules(t *testing.T) {
	t.Parallel()
	for name, r := range map[string]faults.Rule{
		"unknown type":  {Rate: 1, Type: provobs.ErrorType(200)},
		"rate above 1":  {Rate: 1.5, Type: provobs.TypeUnknown},
		"negative rate": {Rate: -0.1},
		"invalid op":    {Ops: []provobs.Op{0}, Rate: 1},
		"op past end":   {Ops: []provobs.Op{provobs.NumOps}, Rate: 1},
	} {
		assert.Panics(t, func() { faults.New(faults.Config{Rules: []faults.Rule{r}}) }, name)
	}
}

func TestFaultError(t *testing.T) {
	t.Parallel()
	f := &faults.Fault{Op: provobs.OpAckOrch, Type: provobs.TypeLockTimeout, Call: 3, Rule: 1, After: true}
	assert.Equal(t, "faults: injected lock_timeout on call 3 of ack_orch (rule 1, after the operation ran)", f.Error())
	err := provobs.NewError(provobs.OpAckOrch, provobs.TypeLockTimeout, f)
	assert.Equal(t, "provobs: ack_orch: lock_timeout: "+f.Error(), err.Error())
}
