package provobs

import (
	"context"
	"io"
	"time"
)

// Intercept returns a Middleware that routes every Provider and Admin method
// of the wrapped provider through ic. The wrapper implements Admin exactly
// when the wrapped provider does, and io.Closer exactly when it does (Close
// is forwarded, not intercepted).
//
// Adjacent Intercept middlewares in a chain share one layer: one wrapper and
// one Call carry the operation through all of their interceptors, in chain
// order. The layer remembers which instance each lock token it handed out
// belongs to (up to MaxRememberedTokens), so the by-token calls (ack,
// abandon, renew) are observed with their instance without WithInstance.
func Intercept(ic Interceptor) Middleware {
	return func(next Provider) Provider {
		if ic == nil {
			return next
		}
		if l := layerOf(next); l != nil {
			ics := append(append(make([]Interceptor, 0, len(l.stack.ics)+1), ic), l.stack.ics...)
			return build(l.next, Stack{ics: ics})
		}
		return build(next, Stack{ics: []Interceptor{ic}})
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
	tokens *tokenMemory
}

// The wrappers expose exactly the capabilities of the wrapped provider.
type (
	adminLayer       struct{ *layer }
	closerLayer      struct{ *layer }
	adminCloserLayer struct{ adminLayer }
)

var (
	_ Provider  = (*layer)(nil)
	_ Admin     = adminLayer{}
	_ io.Closer = closerLayer{}
	_ Admin     = adminCloserLayer{}
	_ io.Closer = adminCloserLayer{}
)

func build(next Provider, s Stack) Provider {
	l := &layer{next: next, stack: s, tokens: newTokenMemory(MaxRememberedTokens)}
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
// that runs it on the next provider. One allocation carries the Call too.
type call[A, R any] struct {
	Call
	next  Provider
	admin Admin
	args  A
	res   R
	do    func(ctx context.Context, k *call[A, R]) error
}

func (k *call[A, R]) run(ctx context.Context, _ *Call) error { return k.do(ctx, k) }

// invoke runs k as op through the layer's stack. token, when not empty, is
// the lock token the call presents: its remembered instance is the call's
// fallback instance.
func invoke[A, R any](ctx context.Context, w *layer, op Op, instance, token string, k *call[A, R]) error {
	k.op, k.instance, k.ics, k.body, k.ctx = op, instance, w.stack.ics, k, ctx
	k.next, k.admin = w.next, w.admin
	if token != "" {
		k.tokenInst = w.tokens.lookup(token)
	}
	return k.Invoke(ctx)
}

// release forgets token once a call that ends its lock (ack, abandon) has
// run: on success, or on a failure that a retry cannot fix.
func (w *layer) release(token string, err error) {
	if err == nil || !IsRetryable(err) {
		w.tokens.forget(token)
	}
}

type withToken[T any] struct {
	token string
	v     T
}

type none struct{}

func (w *layer) FetchOrchestrationItem(ctx context.Context, opts FetchOptions) (*OrchestrationItem, error) {
	k := &call[FetchOptions, *OrchestrationItem]{args: opts, do: func(ctx context.Context, k *call[FetchOptions, *OrchestrationItem]) (err error) {
		k.res, err = k.next.FetchOrchestrationItem(ctx, k.args)
		if k.res != nil {
			k.size, k.instance = len(k.res.Messages), k.res.InstanceID
		}
		return err
	}}
	err := invoke(ctx, w, OpFetch, "", "", k)
	if k.res != nil {
		w.tokens.remember(k.res.LockToken, k.res.InstanceID)
	}
	return k.res, err
}

func (w *layer) AckOrchestrationItem(ctx context.Context, lockToken string, ack OrchestrationAck) error {
	k := &call[withToken[OrchestrationAck], none]{args: withToken[OrchestrationAck]{lockToken, ack}, do: func(ctx context.Context, k *call[withToken[OrchestrationAck], none]) error {
		err := k.next.AckOrchestrationItem(ctx, k.args.token, k.args.v)
		k.size = len(k.args.v.HistoryDelta)
		return err
	}}
	err := invoke(ctx, w, OpAckOrch, "", lockToken, k)
	w.release(lockToken, err)
	return err
}

func (w *layer) AbandonOrchestrationItem(ctx context.Context, lockToken string, opts AbandonOptions) error {
	k := &call[withToken[AbandonOptions], none]{args: withToken[AbandonOptions]{lockToken, opts}, do: func(ctx context.Context, k *call[withToken[AbandonOptions], none]) error {
		return k.next.AbandonOrchestrationItem(ctx, k.args.token, k.args.v)
	}}
	err := invoke(ctx, w, OpAbandonOrch, "", lockToken, k)
	w.release(lockToken, err)
	return err
}

func (w *layer) RenewOrchestrationItemLock(ctx context.Context, lockToken string, extendFor time.Duration) error {
	k := &call[withToken[time.Duration], none]{args: withToken[time.Duration]{lockToken, extendFor}, do: func(ctx context.Context, k *call[withToken[time.Duration], none]) error {
		return k.next.RenewOrchestrationItemLock(ctx, k.args.token, k.args.v)
	}}
	return invoke(ctx, w, OpRenewOrch, "", lockToken, k)
}

type enqueueArgs struct {
	item  WorkItem
	delay time.Duration
}

func (w *layer) EnqueueOrchestrator(ctx context.Context, item WorkItem, delay time.Duration) error {
	k := &call[enqueueArgs, none]{args: enqueueArgs{item, delay}, do: func(ctx context.Context, k *call[enqueueArgs, none]) error {
		return k.next.EnqueueOrchestrator(ctx, k.args.item, k.args.delay)
	}}
	return invoke(ctx, w, OpEnqueue, item.InstanceID, "", k)
}

func (w *layer) EnqueueWorker(ctx context.Context, item WorkItem) error {
	k := &call[WorkItem, none]{args: item, do: func(ctx context.Context, k *call[WorkItem, none]) error {
		return k.next.EnqueueWorker(ctx, k.args)
	}}
	return invoke(ctx, w, OpEnqueueWorker, item.InstanceID, "", k)
}

type dequeueArgs struct {
	opts    FetchOptions
	session *SessionConfig
}

func (w *layer) DequeueWorker(ctx context.Context, opts FetchOptions, session *SessionConfig) (*WorkerItem, error) {
	k := &call[dequeueArgs, *WorkerItem]{args: dequeueArgs{opts, session}, do: func(ctx context.Context, k *call[dequeueArgs, *WorkerItem]) (err error) {
		k.res, err = k.next.DequeueWorker(ctx, k.args.opts, k.args.session)
		if k.res != nil {
			k.size, k.instance = 1, k.res.Item.InstanceID
		}
		return err
	}}
	err := invoke(ctx, w, OpDequeue, "", "", k)
	if k.res != nil {
		w.tokens.remember(k.res.LockToken, k.res.Item.InstanceID)
	}
	return k.res, err
}

func (w *layer) AckWorker(ctx context.Context, lockToken string, completion *WorkItem) error {
	k := &call[withToken[*WorkItem], none]{args: withToken[*WorkItem]{lockToken, completion}, do: func(ctx context.Context, k *call[withToken[*WorkItem], none]) error {
		return k.next.AckWorker(ctx, k.args.token, k.args.v)
	}}
	instance := ""
	if completion != nil {
		instance = completion.InstanceID
	}
	err := invoke(ctx, w, OpAckWorker, instance, lockToken, k)
	w.release(lockToken, err)
	return err
}

func (w *layer) AbandonWorker(ctx context.Context, lockToken string, opts AbandonOptions) error {
	k := &call[withToken[AbandonOptions], none]{args: withToken[AbandonOptions]{lockToken, opts}, do: func(ctx context.Context, k *call[withToken[AbandonOptions], none]) error {
		return k.next.AbandonWorker(ctx, k.args.token, k.args.v)
	}}
	err := invoke(ctx, w, OpAbandonWorker, "", lockToken, k)
	w.release(lockToken, err)
	return err
}

func (w *layer) RenewWorkerLock(ctx context.Context, lockToken string, extendFor time.Duration) error {
	k := &call[withToken[time.Duration], none]{args: withToken[time.Duration]{lockToken, extendFor}, do: func(ctx context.Context, k *call[withToken[time.Duration], none]) error {
		return k.next.RenewWorkerLock(ctx, k.args.token, k.args.v)
	}}
	return invoke(ctx, w, OpRenewWorker, "", lockToken, k)
}

type sessionArgs struct {
	owners          []string
	extendFor, idle time.Duration
}

func (w *layer) RenewSessionLock(ctx context.Context, ownerIDs []string, extendFor, idleTimeout time.Duration) (int, error) {
	k := &call[sessionArgs, int]{args: sessionArgs{ownerIDs, extendFor, idleTimeout}, do: func(ctx context.Context, k *call[sessionArgs, int]) (err error) {
		k.res, err = k.next.RenewSessionLock(ctx, k.args.owners, k.args.extendFor, k.args.idle)
		k.size = k.res
		return err
	}}
	err := invoke(ctx, w, OpRenewSessionLock, "", "", k)
	return k.res, err
}

func (w *layer) CleanupOrphanedSessions(ctx context.Context, idleTimeout time.Duration) (int, error) {
	k := &call[time.Duration, int]{args: idleTimeout, do: func(ctx context.Context, k *call[time.Duration, int]) (err error) {
		k.res, err = k.next.CleanupOrphanedSessions(ctx, k.args)
		k.size = k.res
		return err
	}}
	err := invoke(ctx, w, OpCleanupOrphanedSessions, "", "", k)
	return k.res, err
}

type historyArgs struct {
	instance  string
	execution uint64
}

func (w *layer) ReadHistory(ctx context.Context, instanceID string, executionID uint64) ([]Event, error) {
	k := &call[historyArgs, []Event]{args: historyArgs{instanceID, executionID}, do: func(ctx context.Context, k *call[historyArgs, []Event]) (err error) {
		k.res, err = k.next.ReadHistory(ctx, k.args.instance, k.args.execution)
		k.size = len(k.res)
		return err
	}}
	err := invoke(ctx, w, OpReadHistory, instanceID, "", k)
	return k.res, err
}

func (w adminLayer) QueueDepths(ctx context.Context) (QueueDepths, error) {
	k := &call[none, QueueDepths]{do: func(ctx context.Context, k *call[none, QueueDepths]) (err error) {
		k.res, err = k.admin.QueueDepths(ctx)
		k.size = int(k.res.Orchestrator + k.res.Worker + k.res.Timer)
		return err
	}}
	err := invoke(ctx, w.layer, OpQueueDepths, "", "", k)
	return k.res, err
}

func (w adminLayer) ListInstances(ctx context.Context, opts ListOptions) ([]InstanceInfo, error) {
	k := &call[ListOptions, []InstanceInfo]{args: opts, do: func(ctx context.Context, k *call[ListOptions, []InstanceInfo]) (err error) {
		k.res, err = k.admin.ListInstances(ctx, k.args)
		k.size = len(k.res)
		return err
	}}
	err := invoke(ctx, w.layer, OpListInstances, "", "", k)
	return k.res, err
}

func (w adminLayer) InstanceInfo(ctx context.Context, instanceID string) (*InstanceInfo, error) {
	k := &call[string, *InstanceInfo]{args: instanceID, do: func(ctx context.Context, k *call[string, *InstanceInfo]) (err error) {
		k.res, err = k.admin.InstanceInfo(ctx, k.args)
		if k.res != nil {
			k.size = 1
		}
		return err
	}}
	err := invoke(ctx, w.layer, OpInstanceInfo, instanceID, "", k)
	return k.res, err
}
