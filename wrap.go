package provobs

import (
	"context"
	"io"
	"sync"
	"time"
)

// Intercept returns a Middleware that routes every Provider and Admin method
// of the wrapped provider through ic. The wrapper implements Admin exactly
// when the wrapped provider does, and io.Closer exactly when it does (Close
// is forwarded, not intercepted).
//
// Adjacent Intercept middlewares in a chain share one layer: one wrapper and
// one Call carry the operation through all of their interceptors, in chain
// order, and adjacent Observers share one pair of clock readings. The layer remembers which instance each lock token it handed out
// belongs to (up to MaxRememberedTokens), so the by-token calls (ack,
// abandon, renew) are observed with their instance without WithInstance.
func Intercept(ic Interceptor) Middleware {
	return func(next Provider) Provider {
		if ic == nil {
			return next
		}
		if l := layerOf(next); l != nil {
			return build(l.next, NewStack(append([]Interceptor{ic}, l.stack.ics...)...))
		}
		return build(next, NewStack(ic))
	}
}

// Observe returns a Middleware that runs each operation once and then calls
// fn with its outcome: Intercept(Observer(fn)).
func Observe(fn ObserverFunc) Middleware { return Intercept(Observer(fn)) }

// layer is a Provider that runs every method through a Stack around next.
type layer struct {
	next   Provider
	admin  Admin     // next as an Admin, or nil
	closer io.Closer // next as an io.Closer, or nil
	stack  Stack
	store  StoreInfo // DescribeStore(next)
	tokens *tokenMemory
	pools  [NumOps]sync.Pool // the layer's calls of each op (see run)
}

// StoreInfo describes the wrapped provider (DescribeStore of it), so a
// chain answers for what it wraps.
func (w *layer) StoreInfo() StoreInfo { return w.store }

// The wrappers expose exactly the capabilities of the wrapped provider.
type (
	adminLayer       struct{ *layer }
	closerLayer      struct{ *layer }
	adminCloserLayer struct{ adminLayer }
)

var (
	_ Provider  = (*layer)(nil)
	_ Describer = (*layer)(nil)
	_ Admin     = adminLayer{}
	_ io.Closer = closerLayer{}
	_ Admin     = adminCloserLayer{}
	_ io.Closer = adminCloserLayer{}
)

func build(next Provider, s Stack) Provider {
	info := DescribeStore(next)
	l := &layer{next: next, stack: s.ForStore(info), store: info, tokens: newTokenMemory(MaxRememberedTokens)}
	l.admin, _ = next.(Admin)
	l.closer, _ = next.(io.Closer)
	switch {
	case l.admin != nil && l.closer != nil:
		return adminCloserLayer{adminLayer{l}}
	case l.admin != nil:
		return adminLayer{l}
	case l.closer != nil:
		return closerLayer{l}
	}
	return l
}

// layerOf returns p's layer, or nil when p is not one.
func layerOf(p Provider) *layer {
	switch v := p.(type) {
	case *layer:
		return v
	case adminLayer:
		return v.layer
	case closerLayer:
		return v.layer
	case adminCloserLayer:
		return v.layer
	}
	return nil
}

// Close closes the wrapped provider.
func (w closerLayer) Close() error { return w.closer.Close() }

// Close closes the wrapped provider.
func (w adminCloserLayer) Close() error { return w.closer.Close() }

// RememberedTokens returns how many lock tokens the chain p remembers to
// name the instance of by-token calls (at most MaxRememberedTokens), or 0
// when p is not a chain built with Intercept or Observe.
func RememberedTokens(p Provider) int {
	if l := layerOf(p); l != nil {
		return l.tokens.len()
	}
	return 0
}

// call is one Provider or Admin call through a layer: the Call its
// interceptors see, the layer, the call's arguments, the lock token it
// presents (or its result was issued), its result and its body, which runs
// the method on the next provider.
type call[A, R any] struct {
	Call
	w     *layer
	token string
	args  A
	res   R
	body  func(ctx context.Context, k *call[A, R]) error
}

func (k *call[A, R]) run(ctx context.Context, _ *Call) error { return k.body(ctx, k) }

// issued records what a fetch or dequeue returned: the lock token it
// issued, its instance and its size.
func (k *call[A, R]) issued(token, instance string, size int) {
	k.token, k.instance, k.size = token, instance, size
}

// A layer's pools hold its calls of each op (an op always uses one call
// type), so that a call through a chain allocates nothing. Measured on BenchmarkChain
// (bench module; BENCHMARKS.md, "Chain before/after (issue 19)"): without
// them each call allocates its call[A, R] (208-384 B: the *Call escapes
// through the Interceptor interface), one allocation per call where the
// budget is none, and costs about 270-1,100 more instructions per call
// (GC included). A pooled call is cleared before it goes back (see Call's
// lifetime), and pools are per layer, so a Call an interceptor wrongly
// keeps can only ever carry later calls of its own op through its own
// chain; under the race detector calls are not pooled (race.go).

// run is every wrapper method: it runs body as op through the layer's
// stack, with the instance the arguments name ("" when none), the lock
// token the call presents ("" when none) and the other arguments, and
// returns body's result. What the op does with a lock token is a column of
// the catalogue: a by-token call without an instance is named by the fetch
// or dequeue that issued its token; a call that ends the lock forgets the
// token, unless it failed in a way a retry may fix.
func run[A, R any](ctx context.Context, w *layer, op Op, instance, token string, args A, body func(context.Context, *call[A, R]) error) (R, error) {
	k, _ := w.pools[op].Get().(*call[A, R])
	if k == nil {
		k = new(call[A, R])
	}
	k.start(ctx, w.stack, op, "", instance, k)
	k.w, k.token, k.args, k.body = w, token, args, body
	lock := ops[op].lock
	var tokenInst string
	if token != "" && (lock == lockPresents || lock == lockEnds) {
		if lock == lockEnds {
			tokenInst = w.tokens.take(token)
		} else {
			tokenInst = w.tokens.lookup(token)
		}
		if k.instance == "" {
			k.instance = tokenInst
		}
	}
	err := k.Invoke(ctx)
	switch {
	case lock == lockIssues && k.token != "":
		w.tokens.remember(k.token, k.instance)
	case lock == lockEnds && err != nil && IsRetryable(err):
		w.tokens.restore(token, tokenInst)
	}
	res := k.res
	*k = call[A, R]{}
	if pooled {
		w.pools[op].Put(k)
	}
	return res, err
}

// none is the result of a method that returns only an error; errOf drops it.
type none struct{}

func errOf(_ none, err error) error { return err }

func (w *layer) FetchOrchestrationItem(ctx context.Context, opts FetchOptions) (*OrchestrationItem, error) {
	return run(ctx, w, OpFetch, "", "", opts, func(ctx context.Context, k *call[FetchOptions, *OrchestrationItem]) (err error) {
		if k.res, err = k.w.next.FetchOrchestrationItem(ctx, k.args); k.res != nil {
			k.issued(k.res.LockToken, k.res.InstanceID, len(k.res.Messages))
		}
		return err
	})
}

func (w *layer) AckOrchestrationItem(ctx context.Context, lockToken string, ack OrchestrationAck) error {
	return errOf(run(ctx, w, OpAckOrch, "", lockToken, ack, func(ctx context.Context, k *call[OrchestrationAck, none]) error {
		k.size = len(k.args.HistoryDelta)
		return k.w.next.AckOrchestrationItem(ctx, k.token, k.args)
	}))
}

func (w *layer) AbandonOrchestrationItem(ctx context.Context, lockToken string, opts AbandonOptions) error {
	return errOf(run(ctx, w, OpAbandonOrch, "", lockToken, opts, func(ctx context.Context, k *call[AbandonOptions, none]) error {
		return k.w.next.AbandonOrchestrationItem(ctx, k.token, k.args)
	}))
}

func (w *layer) RenewOrchestrationItemLock(ctx context.Context, lockToken string, extendFor time.Duration) error {
	return errOf(run(ctx, w, OpRenewOrch, "", lockToken, extendFor, func(ctx context.Context, k *call[time.Duration, none]) error {
		return k.w.next.RenewOrchestrationItemLock(ctx, k.token, k.args)
	}))
}

type enqueueArgs struct {
	item  WorkItem
	delay time.Duration
}

func (w *layer) EnqueueOrchestrator(ctx context.Context, item WorkItem, delay time.Duration) error {
	return errOf(run(ctx, w, OpEnqueue, item.InstanceID, "", enqueueArgs{item, delay}, func(ctx context.Context, k *call[enqueueArgs, none]) error {
		return k.w.next.EnqueueOrchestrator(ctx, k.args.item, k.args.delay)
	}))
}

func (w *layer) EnqueueWorker(ctx context.Context, item WorkItem) error {
	return errOf(run(ctx, w, OpEnqueueWorker, item.InstanceID, "", item, func(ctx context.Context, k *call[WorkItem, none]) error {
		return k.w.next.EnqueueWorker(ctx, k.args)
	}))
}

type dequeueArgs struct {
	opts    FetchOptions
	session *SessionConfig
}

func (w *layer) DequeueWorker(ctx context.Context, opts FetchOptions, session *SessionConfig) (*WorkerItem, error) {
	return run(ctx, w, OpDequeue, "", "", dequeueArgs{opts, session}, func(ctx context.Context, k *call[dequeueArgs, *WorkerItem]) (err error) {
		if k.res, err = k.w.next.DequeueWorker(ctx, k.args.opts, k.args.session); k.res != nil {
			k.issued(k.res.LockToken, k.res.Item.InstanceID, 1)
		}
		return err
	})
}

func (w *layer) AckWorker(ctx context.Context, lockToken string, completion *WorkItem) error {
	instance := ""
	if completion != nil {
		instance = completion.InstanceID
	}
	return errOf(run(ctx, w, OpAckWorker, instance, lockToken, completion, func(ctx context.Context, k *call[*WorkItem, none]) error {
		return k.w.next.AckWorker(ctx, k.token, k.args)
	}))
}

func (w *layer) AbandonWorker(ctx context.Context, lockToken string, opts AbandonOptions) error {
	return errOf(run(ctx, w, OpAbandonWorker, "", lockToken, opts, func(ctx context.Context, k *call[AbandonOptions, none]) error {
		return k.w.next.AbandonWorker(ctx, k.token, k.args)
	}))
}

func (w *layer) RenewWorkerLock(ctx context.Context, lockToken string, extendFor time.Duration) error {
	return errOf(run(ctx, w, OpRenewWorker, "", lockToken, extendFor, func(ctx context.Context, k *call[time.Duration, none]) error {
		return k.w.next.RenewWorkerLock(ctx, k.token, k.args)
	}))
}

type sessionArgs struct {
	owners          []string
	extendFor, idle time.Duration
}

func (w *layer) RenewSessionLock(ctx context.Context, ownerIDs []string, extendFor, idleTimeout time.Duration) (int, error) {
	return run(ctx, w, OpRenewSessionLock, "", "", sessionArgs{ownerIDs, extendFor, idleTimeout}, func(ctx context.Context, k *call[sessionArgs, int]) (err error) {
		k.res, err = k.w.next.RenewSessionLock(ctx, k.args.owners, k.args.extendFor, k.args.idle)
		k.size = k.res
		return err
	})
}

func (w *layer) CleanupOrphanedSessions(ctx context.Context, idleTimeout time.Duration) (int, error) {
	return run(ctx, w, OpCleanupOrphanedSessions, "", "", idleTimeout, func(ctx context.Context, k *call[time.Duration, int]) (err error) {
		k.res, err = k.w.next.CleanupOrphanedSessions(ctx, k.args)
		k.size = k.res
		return err
	})
}

type historyArgs struct {
	instance  string
	execution uint64
}

func (w *layer) ReadHistory(ctx context.Context, instanceID string, executionID uint64) ([]Event, error) {
	return run(ctx, w, OpReadHistory, instanceID, "", historyArgs{instanceID, executionID}, func(ctx context.Context, k *call[historyArgs, []Event]) (err error) {
		k.res, err = k.w.next.ReadHistory(ctx, k.args.instance, k.args.execution)
		k.size = len(k.res)
		return err
	})
}

func (w adminLayer) QueueDepths(ctx context.Context) (QueueDepths, error) {
	return run(ctx, w.layer, OpQueueDepths, "", "", none{}, func(ctx context.Context, k *call[none, QueueDepths]) (err error) {
		k.res, err = k.w.admin.QueueDepths(ctx)
		k.size = int(k.res.Orchestrator + k.res.Worker + k.res.Timer)
		return err
	})
}

func (w adminLayer) ListInstances(ctx context.Context, opts ListOptions) ([]InstanceInfo, error) {
	return run(ctx, w.layer, OpListInstances, "", "", opts, func(ctx context.Context, k *call[ListOptions, []InstanceInfo]) (err error) {
		k.res, err = k.w.admin.ListInstances(ctx, k.args)
		k.size = len(k.res)
		return err
	})
}

func (w adminLayer) InstanceInfo(ctx context.Context, instanceID string) (*InstanceInfo, error) {
	return run(ctx, w.layer, OpInstanceInfo, instanceID, "", instanceID, func(ctx context.Context, k *call[string, *InstanceInfo]) (err error) {
		if k.res, err = k.w.admin.InstanceInfo(ctx, k.args); k.res != nil {
			k.size = 1
		}
		return err
	})
}
