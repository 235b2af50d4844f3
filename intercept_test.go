package provobs_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/obstest"
)

type seen struct {
	op       provobs.Op
	instance string
	size     int
	err      error
}

// recorder is an Observe middleware that keeps what it saw.
func recorder(out *[]seen) provobs.Middleware {
	return provobs.Observe(func(_ context.Context, c *provobs.Call, err error, _ time.Duration) {
		*out = append(*out, seen{c.Op(), c.Instance(), c.Size(), err})
	})
}

func newStub() *obstest.Stub {
	return &obstest.Stub{
		Orch:      &provobs.OrchestrationItem{InstanceID: "fetched", LockToken: "orch-tok", Messages: make([]provobs.WorkItem, 3)},
		Worker:    &provobs.WorkerItem{Item: provobs.WorkItem{InstanceID: "dequeued"}, LockToken: "worker-tok"},
		Sessions:  4,
		Events:    make([]provobs.Event, 5),
		Depths:    provobs.QueueDepths{Orchestrator: 1, Worker: 2, Timer: 3},
		Instances: make([]provobs.InstanceInfo, 2),
		Info:      &provobs.InstanceInfo{InstanceID: "info"},
	}
}

// calls holds, per Provider and Admin method, a call with fixed arguments
// that returns the method's result for comparison. A test checks it covers
// every op of the catalogue that has a method.
var calls = map[provobs.Op]func(ctx context.Context, p provobs.Provider, token string) (any, error){
	provobs.OpFetch: func(ctx context.Context, p provobs.Provider, _ string) (any, error) {
		return p.FetchOrchestrationItem(ctx, provobs.FetchOptions{})
	},
	provobs.OpAckOrch: func(ctx context.Context, p provobs.Provider, tok string) (any, error) {
		return nil, p.AckOrchestrationItem(ctx, tok, provobs.OrchestrationAck{HistoryDelta: make([]provobs.Event, 2)})
	},
	provobs.OpAbandonOrch: func(ctx context.Context, p provobs.Provider, tok string) (any, error) {
		return nil, p.AbandonOrchestrationItem(ctx, tok, provobs.AbandonOptions{})
	},
	provobs.OpRenewOrch: func(ctx context.Context, p provobs.Provider, tok string) (any, error) {
		return nil, p.RenewOrchestrationItemLock(ctx, tok, time.Second)
	},
	provobs.OpEnqueue: func(ctx context.Context, p provobs.Provider, _ string) (any, error) {
		return nil, p.EnqueueOrchestrator(ctx, provobs.WorkItem{Kind: provobs.KindActivityCompleted, InstanceID: "item"}, 0)
	},
	provobs.OpEnqueueWorker: func(ctx context.Context, p provobs.Provider, _ string) (any, error) {
		return nil, p.EnqueueWorker(ctx, provobs.WorkItem{Kind: provobs.KindActivityExecute, InstanceID: "item"})
	},
	provobs.OpDequeue: func(ctx context.Context, p provobs.Provider, _ string) (any, error) {
		return p.DequeueWorker(ctx, provobs.FetchOptions{}, nil)
	},
	provobs.OpAckWorker: func(ctx context.Context, p provobs.Provider, tok string) (any, error) {
		return nil, p.AckWorker(ctx, tok, &provobs.WorkItem{Kind: provobs.KindActivityCompleted, InstanceID: "item"})
	},
	provobs.OpAbandonWorker: func(ctx context.Context, p provobs.Provider, tok string) (any, error) {
		return nil, p.AbandonWorker(ctx, tok, provobs.AbandonOptions{})
	},
	provobs.OpRenewWorker: func(ctx context.Context, p provobs.Provider, tok string) (any, error) {
		return nil, p.RenewWorkerLock(ctx, tok, time.Second)
	},
	provobs.OpRenewSessionLock: func(ctx context.Context, p provobs.Provider, _ string) (any, error) {
		return p.RenewSessionLock(ctx, []string{"o"}, time.Second, time.Second)
	},
	provobs.OpCleanupOrphanedSessions: func(ctx context.Context, p provobs.Provider, _ string) (any, error) {
		return p.CleanupOrphanedSessions(ctx, time.Second)
	},
	provobs.OpReadHistory: func(ctx context.Context, p provobs.Provider, _ string) (any, error) {
		return p.ReadHistory(ctx, "history", 0)
	},
	provobs.OpQueueDepths: func(ctx context.Context, p provobs.Provider, _ string) (any, error) {
		return p.(provobs.Admin).QueueDepths(ctx)
	},
	provobs.OpListInstances: func(ctx context.Context, p provobs.Provider, _ string) (any, error) {
		return p.(provobs.Admin).ListInstances(ctx, provobs.ListOptions{})
	},
	provobs.OpInstanceInfo: func(ctx context.Context, p provobs.Provider, _ string) (any, error) {
		return p.(provobs.Admin).InstanceInfo(ctx, "info")
	},
}

// want is the instance and size each op reports with newStub's results and
// the arguments of calls; "ctx" comes from WithInstance.
var want = map[provobs.Op]struct {
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

func TestCallsCoverEveryMethod(t *testing.T) {
	t.Parallel()
	for _, op := range provobs.MethodOps() {
		assert.Contains(t, calls, op, "calls has no case for %s", op)
		assert.Contains(t, want, op, "want has no case for %s", op)
	}
	assert.Len(t, calls, len(provobs.MethodOps()))
}

func TestInterceptSeesEveryOperation(t *testing.T) {
	t.Parallel()
	ctx := provobs.WithInstance(context.Background(), "ctx")
	for _, op := range provobs.MethodOps() {
		t.Run(op.String(), func(t *testing.T) {
			stub := newStub()
			var got []seen
			p := provobs.Chain(stub, recorder(&got))

			direct, derr := calls[op](ctx, newStub(), "tok")
			res, err := calls[op](ctx, p, "tok")
			require.NoError(t, err)
			require.NoError(t, derr)
			assert.Equal(t, direct, res, "the wrapper returns the provider's result")
			assert.Equal(t, 1, stub.Runs(op), "the op's method ran once")
			assert.Equal(t, 1, stub.TotalRuns(), "and no other")
			require.Len(t, got, 1)
			assert.Equal(t, seen{op, want[op].instance, want[op].size, nil}, got[0])
		})
	}
}

func TestInterceptSeesErrors(t *testing.T) {
	t.Parallel()
	boom := provobs.NewError(0, provobs.TypeConflict, errors.New("dup"))
	for _, op := range provobs.MethodOps() {
		stub := newStub()
		stub.Err = boom
		var got []seen
		_, err := calls[op](context.Background(), provobs.Chain(stub, recorder(&got)), "tok")
		assert.Same(t, boom, err, op.String())
		require.Len(t, got, 1, op.String())
		assert.Same(t, boom, got[0].err, op.String())
		assert.Zero(t, got[0].size, "%s: size is 0 on error", op)
	}
}

// The by-token calls learn their instance from the fetch or dequeue that
// issued the token through the same chain; WithInstance still wins; a token
// is forgotten once its ack or abandon ended the lock.
func TestInstanceFromToken(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	byToken := map[provobs.Op]struct {
		token, instance string
		ends            bool
	}{
		provobs.OpRenewOrch:     {"orch-tok", "fetched", false},
		provobs.OpAbandonOrch:   {"orch-tok", "fetched", true},
		provobs.OpAckOrch:       {"orch-tok", "fetched", true},
		provobs.OpRenewWorker:   {"worker-tok", "dequeued", false},
		provobs.OpAbandonWorker: {"worker-tok", "dequeued", true},
	}
	for op, tc := range byToken {
		t.Run(op.String(), func(t *testing.T) {
			var got []seen
			p := provobs.Chain(newStub(), recorder(&got))
			_, err := p.FetchOrchestrationItem(ctx, provobs.FetchOptions{})
			require.NoError(t, err)
			_, err = p.DequeueWorker(ctx, provobs.FetchOptions{}, nil)
			require.NoError(t, err)

			_, err = calls[op](ctx, p, tc.token)
			require.NoError(t, err)
			assert.Equal(t, tc.instance, got[2].instance, "learned from the token")

			_, err = calls[op](provobs.WithInstance(ctx, "named"), p, tc.token)
			require.NoError(t, err)
			assert.Equal(t, "named", got[3].instance, "WithInstance wins")

			_, err = calls[op](ctx, p, tc.token)
			require.NoError(t, err)
			if tc.ends {
				assert.Empty(t, got[4].instance, "forgotten after the lock ended")
			} else {
				assert.Equal(t, tc.instance, got[4].instance, "a renew keeps the token")
			}
			_, err = calls[op](ctx, p, "unknown")
			require.NoError(t, err)
			assert.Empty(t, got[5].instance, "an unknown token names no instance")
		})
	}
}

// A retryable failure of an ack keeps the token so the retry (or the
// caller's next attempt) is still observed with its instance.
func TestInstanceFromTokenSurvivesRetryableFailure(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	stub := newStub()
	var got []seen
	p := provobs.Chain(stub, recorder(&got))
	_, err := p.FetchOrchestrationItem(ctx, provobs.FetchOptions{})
	require.NoError(t, err)
	stub.Err = provobs.NewError(provobs.OpAckOrch, provobs.TypeLockTimeout, nil)
	require.Error(t, p.AckOrchestrationItem(ctx, "orch-tok", provobs.OrchestrationAck{}))
	require.Error(t, p.AckOrchestrationItem(ctx, "orch-tok", provobs.OrchestrationAck{}))
	assert.Equal(t, "fetched", got[2].instance)
	stub.Err = provobs.NewError(provobs.OpAckOrch, provobs.TypeLockLost, nil)
	require.Error(t, p.AckOrchestrationItem(ctx, "orch-tok", provobs.OrchestrationAck{}))
	require.Error(t, p.AckOrchestrationItem(ctx, "orch-tok", provobs.OrchestrationAck{}))
	assert.Equal(t, "fetched", got[3].instance)
	assert.Empty(t, got[4].instance, "a permanent failure forgets the token")
}

// The instance is resolved when the call starts, from the context the
// caller passed; a context an interceptor passes to Invoke does not change
// it, SetInstance does, for every interceptor of the call.
func TestInstanceResolvedAtStart(t *testing.T) {
	t.Parallel()
	var inner, outer []string
	p := provobs.Chain(newStub(),
		provobs.Intercept(provobs.InterceptorFunc(func(ctx context.Context, c *provobs.Call) error {
			err := c.Invoke(ctx)
			outer = append(outer, c.Instance())
			return err
		})),
		provobs.Intercept(provobs.InterceptorFunc(func(ctx context.Context, c *provobs.Call) error {
			if c.Op() == provobs.OpAbandonWorker {
				c.SetInstance("set-by-middle")
			}
			return c.Invoke(provobs.WithInstance(ctx, "ignored"))
		})),
		provobs.Observe(func(_ context.Context, c *provobs.Call, _ error, _ time.Duration) {
			inner = append(inner, c.Instance())
		}),
	)
	ctx := context.Background()
	require.NoError(t, p.RenewWorkerLock(ctx, "unknown", time.Second))
	require.NoError(t, p.RenewWorkerLock(provobs.WithInstance(ctx, "from-caller"), "unknown", time.Second))
	require.NoError(t, p.AbandonWorker(ctx, "unknown", provobs.AbandonOptions{}))
	assert.Equal(t, []string{"", "from-caller", "set-by-middle"}, inner)
	assert.Equal(t, inner, outer)
}

// Fetches that are never acked keep the token memory at its cap.
func TestTokenMemoryIsBounded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	stub := newStub()
	var last seen
	p := provobs.Chain(stub, provobs.Observe(func(_ context.Context, c *provobs.Call, err error, _ time.Duration) {
		last = seen{c.Op(), c.Instance(), c.Size(), err}
	}))
	n := provobs.MaxRememberedTokens + 100
	for i := range n {
		stub.Orch = &provobs.OrchestrationItem{InstanceID: fmt.Sprint("i", i), LockToken: fmt.Sprint("t", i)}
		_, err := p.FetchOrchestrationItem(ctx, provobs.FetchOptions{})
		require.NoError(t, err)
	}
	assert.Equal(t, provobs.MaxRememberedTokens, provobs.RememberedTokens(p))
	require.NoError(t, p.RenewOrchestrationItemLock(ctx, "t0", time.Second))
	assert.Empty(t, last.instance, "the oldest token was forgotten")
	require.NoError(t, p.RenewOrchestrationItemLock(ctx, fmt.Sprint("t", n-1), time.Second))
	assert.Equal(t, fmt.Sprint("i", n-1), last.instance, "the newest is remembered")
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

// A wrapper has the Admin and io.Closer capabilities exactly when the
// wrapped provider has them; admin calls are observed, Close is forwarded.
func TestCapabilitiesSurviveChain(t *testing.T) {
	t.Parallel()
	var got []seen
	stub := newStub()
	p := provobs.Chain(stub, recorder(&got), provobs.Intercept(provobs.InterceptorFunc(
		func(ctx context.Context, c *provobs.Call) error { return c.Invoke(ctx) })), recorder(&got))
	a, ok := p.(provobs.Admin)
	require.True(t, ok, "a chain around an Admin is an Admin")
	d, err := a.QueueDepths(context.Background())
	require.NoError(t, err)
	assert.Equal(t, provobs.QueueDepths{Orchestrator: 1, Worker: 2, Timer: 3}, d)
	assert.Len(t, got, 2, "both observers saw the admin call")
	c, ok := p.(io.Closer)
	require.True(t, ok, "a chain around a Closer is a Closer")
	require.NoError(t, c.Close())
	assert.Equal(t, 1, stub.Closed())

	plain := provobs.Chain(obstest.ProviderOnly(newStub()), recorder(&got))
	_, ok = plain.(provobs.Admin)
	assert.False(t, ok, "a chain around a plain provider does not claim Admin")
	_, ok = plain.(io.Closer)
	assert.False(t, ok, "nor io.Closer")
}

func TestInterceptRetryInvokesAgain(t *testing.T) {
	t.Parallel()
	stub := newStub()
	retryOnce := provobs.Intercept(provobs.InterceptorFunc(func(ctx context.Context, c *provobs.Call) error {
		_ = c.Invoke(ctx)
		return c.Invoke(ctx)
	}))
	item, err := provobs.Chain(stub, retryOnce).FetchOrchestrationItem(context.Background(), provobs.FetchOptions{})
	require.NoError(t, err)
	assert.Equal(t, "fetched", item.InstanceID)
	assert.Equal(t, 2, stub.Runs(provobs.OpFetch), "the provider ran once per Invoke")
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
	assert.Zero(t, stub.TotalRuns())
}

// Adjacent interceptors share one layer and one Call, and still run in
// chain order around each single provider call, retries included.
func TestInterceptLayersMerge(t *testing.T) {
	t.Parallel()
	var seenCalls []*provobs.Call
	var trace []string
	mw := func(name string, invokes int) provobs.Middleware {
		return provobs.Intercept(provobs.InterceptorFunc(func(ctx context.Context, c *provobs.Call) error {
			seenCalls = append(seenCalls, c)
			var err error
			for range invokes {
				trace = append(trace, name)
				err = c.Invoke(ctx)
			}
			return err
		}))
	}
	stub := newStub()
	p := provobs.Chain(stub, mw("outer", 1), mw("retry", 2), mw("inner", 1))
	require.NoError(t, p.EnqueueWorker(context.Background(), provobs.WorkItem{}))
	assert.Equal(t, []string{"outer", "retry", "inner", "retry", "inner"}, trace)
	assert.Equal(t, 2, stub.Runs(provobs.OpEnqueueWorker), "the provider ran once per retry")
	require.Len(t, seenCalls, 4)
	for _, c := range seenCalls[1:] {
		assert.Same(t, seenCalls[0], c, "one Call serves the whole layer")
	}
}

// Stack.Run instruments any function as an operation.
func TestStackRun(t *testing.T) {
	t.Parallel()
	var got []seen
	var methods []string
	s := provobs.NewStack(nil, provobs.Observer(func(_ context.Context, c *provobs.Call, err error, _ time.Duration) {
		got = append(got, seen{c.Op(), c.Instance(), c.Size(), err})
		methods = append(methods, c.Method())
	}))
	err := s.Run(context.Background(), provobs.OpFetch, "GetWorkflowTask", "", func(ctx context.Context, c *provobs.Call) error {
		c.SetInstance("wf-1")
		c.SetSize(7)
		return nil
	})
	require.NoError(t, err)
	boom := errors.New("boom")
	err = s.Run(context.Background(), provobs.OpRemoveInstance, "RemoveWorkflowInstance", "wf-2", func(context.Context, *provobs.Call) error {
		return boom
	})
	assert.Same(t, boom, err)
	assert.Equal(t, []seen{{provobs.OpFetch, "wf-1", 7, nil}, {provobs.OpRemoveInstance, "wf-2", 0, boom}}, got)
	assert.Equal(t, []string{"GetWorkflowTask", "RemoveWorkflowInstance"}, methods)

	err = s.Run(context.Background(), provobs.Op(0), "", "", func(context.Context, *provobs.Call) error { return nil })
	assert.Equal(t, provobs.TypeInvalidArgument, provobs.TypeOf(err))
	err = s.Run(context.Background(), provobs.OpFetch, "", "", nil)
	assert.Equal(t, provobs.TypeInvalidArgument, provobs.TypeOf(err))
	assert.Len(t, got, 2, "invalid calls reach no interceptor")

	var zero provobs.Stack
	ran := false
	require.NoError(t, zero.Run(context.Background(), provobs.OpEnqueue, "", "", func(context.Context, *provobs.Call) error {
		ran = true
		return nil
	}))
	assert.True(t, ran, "the zero Stack runs the function")
}

// Adjacent observers share one clock reading and still each see every
// call, innermost first; an interceptor between them keeps them apart.
func TestAdjacentObserversShareOneClockReading(t *testing.T) {
	t.Parallel()
	var order []string
	var elapsed []time.Duration
	obs := func(name string) provobs.Middleware {
		return provobs.Observe(func(_ context.Context, c *provobs.Call, _ error, d time.Duration) {
			order = append(order, name)
			elapsed = append(elapsed, d)
		})
	}
	slow := provobs.Intercept(provobs.InterceptorFunc(func(ctx context.Context, c *provobs.Call) error {
		time.Sleep(time.Millisecond)
		return c.Invoke(ctx)
	}))
	p := provobs.Chain(newStub(), obs("a"), obs("b"), obs("c"))
	require.NoError(t, p.EnqueueWorker(context.Background(), provobs.WorkItem{}))
	assert.Equal(t, []string{"c", "b", "a"}, order)
	assert.Equal(t, elapsed[0], elapsed[1])
	assert.Equal(t, elapsed[1], elapsed[2])

	order, elapsed = nil, nil
	p = provobs.Chain(newStub(), obs("a"), slow, obs("b"))
	require.NoError(t, p.EnqueueWorker(context.Background(), provobs.WorkItem{}))
	assert.Equal(t, []string{"b", "a"}, order)
	assert.Greater(t, elapsed[1], elapsed[0], "the outer observer timed the slow interceptor too")
}
