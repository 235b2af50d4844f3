package provobs_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provobs/provobs"
)

type seen struct {
	op       provobs.Op
	instance string
	size     int
	err      error
}

// recorder is an Observe middleware that keeps what it saw.
func recorder(out *[]seen) provobs.Middleware {
	return provobs.Observe(func(_ context.Context, c *provobs.Call, err error, elapsed time.Duration) {
		*out = append(*out, seen{c.Op(), c.Instance(), c.Size(), err})
	})
}

func newStub() *stubAdmin {
	return &stubAdmin{stubProvider{
		orch:   &provobs.OrchestrationItem{InstanceID: "fetched", Messages: make([]provobs.WorkItem, 3)},
		worker: &provobs.WorkerItem{Item: provobs.WorkItem{InstanceID: "dequeued"}},
		n:      4,
		events: make([]provobs.Event, 5),
		depths: provobs.QueueDepths{Orchestrator: 1, Worker: 2, Timer: 3},
		list:   make([]provobs.InstanceInfo, 2),
		info:   &provobs.InstanceInfo{InstanceID: "info"},
	}}
}

// call runs the method of op on p and returns its result for comparison.
func call(ctx context.Context, p provobs.Provider, op provobs.Op) (any, error) {
	item := provobs.WorkItem{Kind: provobs.KindActivityCompleted, InstanceID: "item"}
	switch op {
	case provobs.OpFetch:
		return p.FetchOrchestrationItem(ctx, provobs.FetchOptions{})
	case provobs.OpAckOrch:
		return nil, p.AckOrchestrationItem(ctx, "tok", provobs.OrchestrationAck{HistoryDelta: make([]provobs.Event, 2)})
	case provobs.OpAbandonOrch:
		return nil, p.AbandonOrchestrationItem(ctx, "tok", provobs.AbandonOptions{})
	case provobs.OpRenewOrch:
		return nil, p.RenewOrchestrationItemLock(ctx, "tok", time.Second)
	case provobs.OpEnqueue:
		return nil, p.EnqueueOrchestrator(ctx, item, 0)
	case provobs.OpEnqueueWorker:
		return nil, p.EnqueueWorker(ctx, item)
	case provobs.OpDequeue:
		return p.DequeueWorker(ctx, provobs.FetchOptions{}, nil)
	case provobs.OpAckWorker:
		return nil, p.AckWorker(ctx, "tok", &item)
	case provobs.OpAbandonWorker:
		return nil, p.AbandonWorker(ctx, "tok", provobs.AbandonOptions{})
	case provobs.OpRenewWorker:
		return nil, p.RenewWorkerLock(ctx, "tok", time.Second)
	case provobs.OpRenewSessionLock:
		return p.RenewSessionLock(ctx, []string{"o"}, time.Second, time.Second)
	case provobs.OpCleanupOrphanedSessions:
		return p.CleanupOrphanedSessions(ctx, time.Second)
	case provobs.OpReadHistory:
		return p.ReadHistory(ctx, "history", 0)
	case provobs.OpQueueDepths:
		return p.(provobs.Admin).QueueDepths(ctx)
	case provobs.OpListInstances:
		return p.(provobs.Admin).ListInstances(ctx, provobs.ListOptions{})
	case provobs.OpInstanceInfo:
		return p.(provobs.Admin).InstanceInfo(ctx, "info")
	}
	panic("unknown op " + op.String())
}

func TestInterceptSeesEveryOperation(t *testing.T) {
	t.Parallel()
	// Expected instance and size per op with the stub's canned results and
	// the arguments call passes; "ctx" comes from WithInstance.
	want := map[provobs.Op]struct {
		instance string
		size     int
	}{
		provobs.OpFetch:                   {"fetched", 3},
		provobs.OpAckOrch:                 {"ctx", 2},
		provobs.OpAbandonOrch:             {"ctx", 0},
		provobs.OpRenewOrch:               {"ctx", 0},
		provobs.OpEnqueue:                 {"item", 0},
		provobs.OpEnqueueWorker:           {"item", 0},
		provobs.OpDequeue:                 {"dequeued", 1},
		provobs.OpAckWorker:               {"item", 0},
		provobs.OpAbandonWorker:           {"ctx", 0},
		provobs.OpRenewWorker:             {"ctx", 0},
		provobs.OpRenewSessionLock:        {"ctx", 4},
		provobs.OpCleanupOrphanedSessions: {"ctx", 4},
		provobs.OpReadHistory:             {"history", 5},
		provobs.OpQueueDepths:             {"ctx", 6},
		provobs.OpListInstances:           {"ctx", 2},
		provobs.OpInstanceInfo:            {"info", 1},
	}
	require.Len(t, want, len(provobs.Ops()))
	ctx := provobs.WithInstance(context.Background(), "ctx")
	for _, op := range provobs.Ops() {
		t.Run(op.String(), func(t *testing.T) {
			stub := newStub()
			var got []seen
			p := provobs.Chain(stub, recorder(&got))

			direct, derr := call(ctx, newStub(), op)
			res, err := call(ctx, p, op)
			require.NoError(t, err)
			require.NoError(t, derr)
			assert.Equal(t, direct, res, "the wrapper returns the provider's result")
			assert.Equal(t, []string{op.Method()}, stub.calls, "exactly the op's method ran once")
			require.Len(t, got, 1)
			assert.Equal(t, seen{op, want[op].instance, want[op].size, nil}, got[0])
		})
	}
}

func TestInterceptSeesErrors(t *testing.T) {
	t.Parallel()
	boom := provobs.NewError(0, provobs.TypeConflict, errors.New("dup"))
	for _, op := range provobs.Ops() {
		stub := newStub()
		stub.err = boom
		var got []seen
		_, err := call(context.Background(), provobs.Chain(stub, recorder(&got)), op)
		assert.Same(t, boom, err, op.String())
		require.Len(t, got, 1, op.String())
		assert.Same(t, boom, got[0].err, op.String())
		assert.Zero(t, got[0].size, "%s: size is 0 on error", op)
	}
}

func TestChainOrder(t *testing.T) {
	t.Parallel()
	var trace []string
	mw := func(name string) provobs.Middleware {
		return provobs.Intercept(provobs.InterceptorFunc(func(ctx context.Context, c *provobs.Call) error {
			trace = append(trace, name+">")
			err := c.Invoke(ctx)
			trace = append(trace, "<"+name)
			return err
		}))
	}
	p := provobs.Chain(newStub(), mw("a"), nil, mw("b"), mw("c"))
	require.NoError(t, p.EnqueueWorker(context.Background(), provobs.WorkItem{}))
	assert.Equal(t, []string{"a>", "b>", "c>", "<c", "<b", "<a"}, trace)

	stub := newStub()
	assert.Same(t, provobs.Provider(stub), provobs.Chain(stub), "an empty chain is the provider itself")
}

func TestAdminSurvivesChain(t *testing.T) {
	t.Parallel()
	var got []seen
	admin := provobs.Chain(newStub(), recorder(&got), recorder(&got))
	a, ok := admin.(provobs.Admin)
	require.True(t, ok, "a chain around an Admin is an Admin")
	d, err := a.QueueDepths(context.Background())
	require.NoError(t, err)
	assert.Equal(t, provobs.QueueDepths{Orchestrator: 1, Worker: 2, Timer: 3}, d)
	assert.Len(t, got, 2, "both layers observed the admin call")

	plain := provobs.Chain(&newStub().stubProvider, recorder(&got))
	_, ok = plain.(provobs.Admin)
	assert.False(t, ok, "a chain around a plain provider does not claim Admin")
}

func TestInterceptRetryInvokesAgain(t *testing.T) {
	t.Parallel()
	stub := newStub()
	var attempts int
	retryOnce := provobs.Intercept(provobs.InterceptorFunc(func(ctx context.Context, c *provobs.Call) error {
		_ = c.Invoke(ctx)
		err := c.Invoke(ctx)
		attempts = c.Attempts()
		return err
	}))
	item, err := provobs.Chain(stub, retryOnce).FetchOrchestrationItem(context.Background(), provobs.FetchOptions{})
	require.NoError(t, err)
	assert.Equal(t, "fetched", item.InstanceID)
	assert.Equal(t, 2, attempts)
	assert.Len(t, stub.calls, 2)
}

func TestInterceptShortCircuit(t *testing.T) {
	t.Parallel()
	stub := newStub()
	deny := provobs.Intercept(provobs.InterceptorFunc(func(ctx context.Context, c *provobs.Call) error {
		return provobs.NewError(c.Op(), provobs.TypeClosed, nil)
	}))
	item, err := provobs.Chain(stub, deny).FetchOrchestrationItem(context.Background(), provobs.FetchOptions{})
	assert.Nil(t, item, "no result when the next provider never ran")
	assert.True(t, errors.Is(err, provobs.ErrClosed))
	assert.Empty(t, stub.calls)
}

// Adjacent observers fuse into one layer but each still sees every call,
// innermost first, and a non-observer between them keeps them apart.
func TestObserveFusesAdjacentLayers(t *testing.T) {
	t.Parallel()
	var order []string
	obs := func(name string) provobs.Middleware {
		return provobs.Observe(func(_ context.Context, c *provobs.Call, _ error, _ time.Duration) {
			order = append(order, name+":"+c.Op().String())
		})
	}
	var layers int
	count := provobs.Intercept(provobs.InterceptorFunc(func(ctx context.Context, c *provobs.Call) error {
		layers++
		return c.Invoke(ctx)
	}))
	p := provobs.Chain(newStub(), count, obs("a"), obs("b"), obs("c"))
	_, ok := p.(provobs.Admin)
	require.True(t, ok, "a fused layer keeps Admin")
	require.NoError(t, p.EnqueueWorker(context.Background(), provobs.WorkItem{}))
	assert.Equal(t, []string{"c:enqueue_worker", "b:enqueue_worker", "a:enqueue_worker"}, order)
	assert.Equal(t, 1, layers)

	order = nil
	p = provobs.Chain(newStub(), obs("a"), count, obs("b"))
	require.NoError(t, p.EnqueueWorker(context.Background(), provobs.WorkItem{}))
	assert.Equal(t, []string{"b:enqueue_worker", "a:enqueue_worker"}, order)
}

// Adjacent interceptors share one layer and one Call, and still run in
// chain order around each single provider call, retries included.
func TestInterceptLayersMerge(t *testing.T) {
	t.Parallel()
	var calls []*provobs.Call
	var trace []string
	var attempts int
	mw := func(name string, invokes int) provobs.Middleware {
		return provobs.Intercept(provobs.InterceptorFunc(func(ctx context.Context, c *provobs.Call) error {
			calls = append(calls, c)
			var err error
			for range invokes {
				trace = append(trace, name)
				err = c.Invoke(ctx)
			}
			attempts = c.Attempts()
			return err
		}))
	}
	stub := newStub()
	p := provobs.Chain(stub, mw("outer", 1), mw("retry", 2), mw("inner", 1))
	require.NoError(t, p.EnqueueWorker(context.Background(), provobs.WorkItem{}))
	assert.Equal(t, []string{"outer", "retry", "inner", "retry", "inner"}, trace)
	assert.Len(t, stub.calls, 2, "the provider ran once per retry")
	require.Len(t, calls, 4)
	for _, c := range calls[1:] {
		assert.Same(t, calls[0], c, "one Call serves the whole layer")
	}
	assert.Equal(t, 2, attempts, "the outermost saw both provider runs")
}
