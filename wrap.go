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

// call is one typed Provider call: its arguments, its result and the body
// that runs it on the next provider, with its Call. Calls are pooled per
// op: an allocation per call costs more than the whole chain (GC included;
// see BENCHMARKS.md), and put zeroes the whole struct, so nothing of a
// caller's stays in the pool.
type call[A, R any] struct {
	Call
	next  Provider
	admin Admin
	args  A
	res   R
	do    func(ctx context.Context, k *call[A, R]) error
}

func (k *call[A, R]) run(ctx context.Context, _ *Call) error { return k.do(ctx, k) }

// pools holds the calls of each op; an op always uses one call type.
var pools [NumOps]sync.Pool

func get[A, R any](op Op, args A, do func(ctx context.Context, k *call[A, R]) error) *call[A, R] {
	k, _ := pools[op].Get().(*call[A, R])
	if k == nil {
		k = new(call[A, R])
	}
	k.args, k.do = args, do
	return k
}

// put zeroes k and returns it to its op's pool. Results must be read before.
func put[A, R any](k *call[A, R]) {
	op := k.op
	*k = call[A, R]{}
	pools[op].Put(k)
}

// invoke runs k as op through the layer's stack. token, when not empty, is
// the lock token the call presents: its remembered instance is the call's
// fallback instance. A call that ends the lock (ack, abandon) forgets the
// token, unless it failed in a way a retry may fix.
func invoke[A, R any](ctx context.Context, w *layer, op Op, instance, token string, ends bool, k *call[A, R]) error {
	k.op, k.instance, k.ics, k.body, k.ctx = op, instance, w.stack.ics, k, ctx
	k.next, k.admin = w.next, w.admin
	if token == "" {
		return k.Invoke(ctx)
	}
	if !ends {
		k.tokenInst = w.tokens.lookup(token)
		return k.Invoke(ctx)
	}
	k.tokenInst = w.tokens.take(token)
	err := k.Invoke(ctx)
	if err != nil && IsRetryable(err) {
		w.tokens.restore(token, k.tokenInst)
	}
	return err
}

type withToken[T any] struct {
	token string
	v     T
}

type none struct{}

func (w *layer) FetchOrchestrationItem(ctx context.Context, opts FetchOptions) (*OrchestrationItem, error) {
	k := get(OpFetch, opts, func(ctx context.Context, k *call[FetchOptions, *OrchestrationItem]) (err error) {
		k.res, err = k.next.FetchOrchestrationItem(ctx, k.args)
		if k.res != nil {
			k.size, k.instance = len(k.res.Messages), k.res.InstanceID
		}
		return err
	})
	err := invoke(ctx, w, OpFetch, "", "", false, k)
	if k.res != nil {
		w.tokens.remember(k.res.LockToken, k.res.InstanceID)
	}
	res := k.res
	put(k)
	return res, err
}

func (w *layer) AckOrchestrationItem(ctx context.Context, lockToken string, ack OrchestrationAck) error {
	k := get(OpAckOrch, withToken[OrchestrationAck]{lockToken, ack}, func(ctx context.Context, k *call[withToken[OrchestrationAck], none]) error {
		err := k.next.AckOrchestrationItem(ctx, k.args.token, k.args.v)
		k.size = len(k.args.v.HistoryDelta)
		return err
	})
	err := invoke(ctx, w, OpAckOrch, "", lockToken, true, k)
	put(k)
	return err
}

func (w *layer) AbandonOrchestrationItem(ctx context.Context, lockToken string, opts AbandonOptions) error {
	k := get(OpAbandonOrch, withToken[AbandonOptions]{lockToken, opts}, func(ctx context.Context, k *call[withToken[AbandonOptions], none]) error {
		return k.next.AbandonOrchestrationItem(ctx, k.args.token, k.args.v)
	})
	err := invoke(ctx, w, OpAbandonOrch, "", lockToken, true, k)
	put(k)
	return err
}

func (w *layer) RenewOrchestrationItemLock(ctx context.Context, lockToken string, extendFor time.Duration) error {
	k := get(OpRenewOrch, withToken[time.Duration]{lockToken, extendFor}, func(ctx context.Context, k *call[withToken[time.Duration], none]) error {
		return k.next.RenewOrchestrationItemLock(ctx, k.args.token, k.args.v)
	})
	err := invoke(ctx, w, OpRenewOrch, "", lockToken, false, k)
	put(k)
	return err
}

type enqueueArgs struct {
	item  WorkItem
	delay time.Duration
}

func (w *layer) EnqueueOrchestrator(ctx context.Context, item WorkItem, delay time.Duration) error {
	k := get(OpEnqueue, enqueueArgs{item, delay}, func(ctx context.Context, k *call[enqueueArgs, none]) error {
		return k.next.EnqueueOrchestrator(ctx, k.args.item, k.args.delay)
	})
	err := invoke(ctx, w, OpEnqueue, item.InstanceID, "", false, k)
	put(k)
	return err
}

func (w *layer) EnqueueWorker(ctx context.Context, item WorkItem) error {
	k := get(OpEnqueueWorker, item, func(ctx context.Context, k *call[WorkItem, none]) error {
		return k.next.EnqueueWorker(ctx, k.args)
	})
	err := invoke(ctx, w, OpEnqueueWorker, item.InstanceID, "", false, k)
	put(k)
	return err
}

type dequeueArgs struct {
	opts    FetchOptions
	session *SessionConfig
}

func (w *layer) DequeueWorker(ctx context.Context, opts FetchOptions, session *SessionConfig) (*WorkerItem, error) {
	k := get(OpDequeue, dequeueArgs{opts, session}, func(ctx context.Context, k *call[dequeueArgs, *WorkerItem]) (err error) {
		k.res, err = k.next.DequeueWorker(ctx, k.args.opts, k.args.session)
		if k.res != nil {
			k.size, k.instance = 1, k.res.Item.InstanceID
		}
		return err
	})
	err := invoke(ctx, w, OpDequeue, "", "", false, k)
	if k.res != nil {
		w.tokens.remember(k.res.LockToken, k.res.Item.InstanceID)
	}
	res := k.res
	put(k)
	return res, err
}

func (w *layer) AckWorker(ctx context.Context, lockToken string, completion *WorkItem) error {
	k := get(OpAckWorker, withToken[*WorkItem]{lockToken, completion}, func(ctx context.Context, k *call[withToken[*WorkItem], none]) error {
		return k.next.AckWorker(ctx, k.args.token, k.args.v)
	})
	instance := ""
	if completion != nil {
		instance = completion.InstanceID
	}
	err := invoke(ctx, w, OpAckWorker, instance, lockToken, true, k)
	put(k)
	return err
}

func (w *layer) AbandonWorker(ctx context.Context, lockToken string, opts AbandonOptions) error {
	k := get(OpAbandonWorker, withToken[AbandonOptions]{lockToken, opts}, func(ctx context.Context, k *call[withToken[AbandonOptions], none]) error {
		return k.next.AbandonWorker(ctx, k.args.token, k.args.v)
	})
	err := invoke(ctx, w, OpAbandonWorker, "", lockToken, true, k)
	put(k)
	return err
}

func (w *layer) RenewWorkerLock(ctx context.Context, lockToken string, extendFor time.Duration) error {
	k := get(OpRenewWorker, withToken[time.Duration]{lockToken, extendFor}, func(ctx context.Context, k *call[withToken[time.Duration], none]) error {
		return k.next.RenewWorkerLock(ctx, k.args.token, k.args.v)
	})
	err := invoke(ctx, w, OpRenewWorker, "", lockToken, false, k)
	put(k)
	return err
}

type sessionArgs struct {
	owners          []string
	extendFor, idle time.Duration
}

func (w *layer) RenewSessionLock(ctx context.Context, ownerIDs []string, extendFor, idleTimeout time.Duration) (int, error) {
	k := get(OpRenewSessionLock, sessionArgs{ownerIDs, extendFor, idleTimeout}, func(ctx context.Context, k *call[sessionArgs, int]) (err error) {
		k.res, err = k.next.RenewSessionLock(ctx, k.args.owners, k.args.extendFor, k.args.idle)
		k.size = k.res
		return err
	})
	err := invoke(ctx, w, OpRenewSessionLock, "", "", false, k)
	res := k.res
	put(k)
	return res, err
}

func (w *layer) CleanupOrphanedSessions(ctx context.Context, idleTimeout time.Duration) (int, error) {
	k := get(OpCleanupOrphanedSessions, idleTimeout, func(ctx context.Context, k *call[time.Duration, int]) (err error) {
		k.res, err = k.next.CleanupOrphanedSessions(ctx, k.args)
		k.size = k.res
		return err
	})
	err := invoke(ctx, w, OpCleanupOrphanedSessions, "", "", false, k)
	res := k.res
	put(k)
	return res, err
}

type historyArgs struct {
	instance  string
	execution uint64
}

func (w *layer) ReadHistory(ctx context.Context, instanceID string, executionID uint64) ([]Event, error) {
	k := get(OpReadHistory, historyArgs{instanceID, executionID}, func(ctx context.Context, k *call[historyArgs, []Event]) (err error) {
		k.res, err = k.next.ReadHistory(ctx, k.args.instance, k.args.execution)
		k.size = len(k.res)
		return err
	})
	err := invoke(ctx, w, OpReadHistory, instanceID, "", false, k)
	res := k.res
	put(k)
	return res, err
}

func (w adminLayer) QueueDepths(ctx context.Context) (QueueDepths, error) {
	k := get(OpQueueDepths, none{}, func(ctx context.Context, k *call[none, QueueDepths]) (err error) {
		k.res, err = k.admin.QueueDepths(ctx)
		k.size = int(k.res.Orchestrator + k.res.Worker + k.res.Timer)
		return err
	})
	err := invoke(ctx, w.layer, OpQueueDepths, "", "", false, k)
	res := k.res
	put(k)
	return res, err
}

func (w adminLayer) ListInstances(ctx context.Context, opts ListOptions) ([]InstanceInfo, error) {
	k := get(OpListInstances, opts, func(ctx context.Context, k *call[ListOptions, []InstanceInfo]) (err error) {
		k.res, err = k.admin.ListInstances(ctx, k.args)
		k.size = len(k.res)
		return err
	})
	err := invoke(ctx, w.layer, OpListInstances, "", "", false, k)
	res := k.res
	put(k)
	return res, err
}

func (w adminLayer) InstanceInfo(ctx context.Context, instanceID string) (*InstanceInfo, error) {
	k := get(OpInstanceInfo, instanceID, func(ctx context.Context, k *call[string, *InstanceInfo]) (err error) {
		k.res, err = k.admin.InstanceInfo(ctx, k.args)
		if k.res != nil {
			k.size = 1
		}
		return err
	})
	err := invoke(ctx, w.layer, OpInstanceInfo, instanceID, "", false, k)
	res := k.res
	put(k)
	return res, err
}
