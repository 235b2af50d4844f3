package provobs

import (
	"context"
	"sync"
	"time"
)

// Interceptor runs around every operation of a wrapped Provider. Intercept
// must call c.Invoke to run the operation on the next provider (once, several
// times to retry, or not at all to fail fast) and return the error the caller
// should see. It must not keep c, or call c.Invoke, after it returns.
type Interceptor interface {
	Intercept(ctx context.Context, c *Call) error
}

// InterceptorFunc adapts a function to an Interceptor.
type InterceptorFunc func(ctx context.Context, c *Call) error

// Intercept calls f(ctx, c).
func (f InterceptorFunc) Intercept(ctx context.Context, c *Call) error { return f(ctx, c) }

// ObserverFunc is told of every finished operation: the call (for its Op,
// Instance and Size), the error it returned, and how long it took.
type ObserverFunc func(ctx context.Context, c *Call, err error, elapsed time.Duration)

// Intercept returns a Middleware that routes every Provider and Admin method
// of the wrapped provider through ic. The wrapper implements Admin exactly
// when the wrapped provider does.
//
// Adjacent Intercept (and Observe) middlewares in a chain share one layer:
// one wrapper and one Call carry the operation through all of them, in
// chain order, so stacking middlewares costs an interface call each rather
// than a layer each.
func Intercept(ic Interceptor) Middleware {
	return func(next Provider) Provider { return wrap(next, ic) }
}

// Observe returns a Middleware that runs each operation once and then calls
// fn with its outcome. It is the shape of a logging or metrics middleware.
//
// Adjacent Observe middlewares in a chain share one interceptor: one clock
// reading serves them all, innermost first, so stacking observers costs a
// function call each.
func Observe(fn ObserverFunc) Middleware {
	return func(next Provider) Provider {
		if w := wrapper(next); w != nil {
			if obs, ok := w.ics[0].(*observer); ok {
				fused := &observer{fns: append(append(make([]ObserverFunc, 0, len(obs.fns)+1), obs.fns...), fn)}
				ics := append([]Interceptor{fused}, w.ics[1:]...)
				return build(w.next, ics)
			}
		}
		return wrap(next, &observer{fns: []ObserverFunc{fn}})
	}
}

// epoch is a fixed instant: a duration since it reads only the monotonic
// clock, where time.Now reads the wall clock too. On virtual machines each
// clock read is a noticeable part of a call's overhead.
var epoch = time.Now()

// observer is the Interceptor of Observe.
type observer struct{ fns []ObserverFunc }

func (o *observer) Intercept(ctx context.Context, c *Call) error {
	start := time.Since(epoch)
	err := c.Invoke(ctx)
	elapsed := time.Since(epoch) - start
	for _, fn := range o.fns {
		fn(ctx, c, err, elapsed)
	}
	return err
}

// wrap returns next behind ic: when next is itself an interceptor layer, one
// layer with ic outermost, else a new layer.
func wrap(next Provider, ic Interceptor) Provider {
	if w := wrapper(next); w != nil {
		return build(w.next, append([]Interceptor{ic}, w.ics...))
	}
	return build(next, []Interceptor{ic})
}

// build returns a layer running ics, outermost first, around next: an Admin
// when next is one.
func build(next Provider, ics []Interceptor) Provider {
	w := interceptor{next: next, ics: ics}
	if a, ok := next.(Admin); ok {
		w.admin = a
		return &interceptorAdmin{interceptor: w}
	}
	return &w
}

// wrapper returns p's interceptor layer, or nil when p is not one.
func wrapper(p Provider) *interceptor {
	switch v := p.(type) {
	case *interceptor:
		return v
	case *interceptorAdmin:
		return &v.interceptor
	}
	return nil
}

// Call is one operation in flight through an Interceptor. It knows the
// operation, the instance it concerns and, after Invoke, the result size.
// A Call is valid only during the Intercept call it was given to.
type Call struct {
	op       Op
	depth    int // interceptors entered: ics[depth] runs at the next Invoke
	ics      []Interceptor
	ctx      context.Context
	instance string
	size     int
	attempts int
	next     Provider
	admin    Admin
	a        callArgs
	r        callResults
}

type callArgs struct {
	fetch      FetchOptions
	token      string
	ack        OrchestrationAck
	abandon    AbandonOptions
	dur        time.Duration
	idle       time.Duration
	item       WorkItem
	completion *WorkItem
	session    *SessionConfig
	owners     []string
	instance   string
	execution  uint64
	list       ListOptions
}

type callResults struct {
	orch      *OrchestrationItem
	worker    *WorkerItem
	n         int
	events    []Event
	depths    QueueDepths
	instances []InstanceInfo
	info      *InstanceInfo
}

// Op returns the operation.
func (c *Call) Op() Op { return c.op }

// Instance returns the instance the call concerns: from its arguments (a
// work item, an instance id), from its result after Invoke (a fetched batch
// or worker item), or else from the context (WithInstance). It may be "".
func (c *Call) Instance() string {
	if c.instance != "" {
		return c.instance
	}
	return InstanceFromContext(c.ctx)
}

// Size returns the result size after Invoke: messages fetched or dequeued,
// events appended or read, sessions renewed or cleaned, instances listed,
// items queued. Op.SizeKey names it; it is 0 before Invoke and on error.
func (c *Call) Size() int { return c.size }

// Attempts returns how many times the operation has run on the provider so
// far in this call.
func (c *Call) Attempts() int { return c.attempts }

// Invoke runs the rest of the call with ctx: the next interceptor of the
// layer or, after the last, the operation on the provider, whose result it
// records in the Call; the last run's result is what the caller receives.
func (c *Call) Invoke(ctx context.Context) error {
	if c.depth < len(c.ics) {
		ic := c.ics[c.depth]
		c.depth++
		err := ic.Intercept(ctx, c)
		c.depth--
		return err
	}
	if c.attempts > 0 {
		c.clearResult()
	}
	c.attempts++
	c.size = 0
	var err error
	switch c.op {
	case OpFetch:
		c.r.orch, err = c.next.FetchOrchestrationItem(ctx, c.a.fetch)
		if c.r.orch != nil {
			c.size = len(c.r.orch.Messages)
			if c.instance == "" {
				c.instance = c.r.orch.InstanceID
			}
		}
	case OpAckOrch:
		err = c.next.AckOrchestrationItem(ctx, c.a.token, c.a.ack)
		c.size = len(c.a.ack.HistoryDelta)
	case OpAbandonOrch:
		err = c.next.AbandonOrchestrationItem(ctx, c.a.token, c.a.abandon)
	case OpRenewOrch:
		err = c.next.RenewOrchestrationItemLock(ctx, c.a.token, c.a.dur)
	case OpEnqueue:
		err = c.next.EnqueueOrchestrator(ctx, c.a.item, c.a.dur)
	case OpEnqueueWorker:
		err = c.next.EnqueueWorker(ctx, c.a.item)
	case OpDequeue:
		c.r.worker, err = c.next.DequeueWorker(ctx, c.a.fetch, c.a.session)
		if c.r.worker != nil {
			c.size = 1
			if c.instance == "" {
				c.instance = c.r.worker.Item.InstanceID
			}
		}
	case OpAckWorker:
		err = c.next.AckWorker(ctx, c.a.token, c.a.completion)
	case OpAbandonWorker:
		err = c.next.AbandonWorker(ctx, c.a.token, c.a.abandon)
	case OpRenewWorker:
		err = c.next.RenewWorkerLock(ctx, c.a.token, c.a.dur)
	case OpRenewSessionLock:
		c.r.n, err = c.next.RenewSessionLock(ctx, c.a.owners, c.a.dur, c.a.idle)
		c.size = c.r.n
	case OpCleanupOrphanedSessions:
		c.r.n, err = c.next.CleanupOrphanedSessions(ctx, c.a.idle)
		c.size = c.r.n
	case OpReadHistory:
		c.r.events, err = c.next.ReadHistory(ctx, c.a.instance, c.a.execution)
		c.size = len(c.r.events)
	case OpQueueDepths:
		c.r.depths, err = c.admin.QueueDepths(ctx)
		c.size = int(c.r.depths.Orchestrator + c.r.depths.Worker + c.r.depths.Timer)
	case OpListInstances:
		c.r.instances, err = c.admin.ListInstances(ctx, c.a.list)
		c.size = len(c.r.instances)
	case OpInstanceInfo:
		c.r.info, err = c.admin.InstanceInfo(ctx, c.a.instance)
		if c.r.info != nil {
			c.size = 1
		}
	}
	if err != nil {
		c.size = 0
	}
	return err
}

var callPool = sync.Pool{New: func() any { return new(Call) }}

// interceptor is a layer: the interceptors of adjacent Intercept and
// Observe middlewares, outermost first, around the next provider.
type interceptor struct {
	next  Provider
	admin Admin // next as an Admin, for interceptorAdmin
	ics   []Interceptor
}

type interceptorAdmin struct {
	interceptor
}

var (
	_ Provider = (*interceptor)(nil)
	_ Admin    = (*interceptorAdmin)(nil)
)

func (w *interceptor) start(ctx context.Context, op Op, admin Admin) *Call {
	c := callPool.Get().(*Call)
	c.op, c.ctx, c.next, c.admin, c.ics = op, ctx, w.next, admin, w.ics
	return c
}

// release clears c, so the pool retains nothing of the caller's, and returns
// it to the pool. Results must be read before. Only the fields the op used
// are cleared: zeroing the whole Call costs more than the call itself.
func release(c *Call) {
	switch c.op {
	case OpFetch, OpDequeue:
		c.a.session = nil
	case OpAckOrch:
		c.a.ack = OrchestrationAck{}
	case OpEnqueue, OpEnqueueWorker:
		c.a.item = WorkItem{}
	case OpAckWorker:
		c.a.completion = nil
	case OpRenewSessionLock:
		c.a.owners = nil
	case OpReadHistory, OpInstanceInfo:
		c.a.instance = ""
	case OpListInstances:
		c.a.list = ListOptions{}
	}
	c.a.token = ""
	c.clearResult()
	c.op, c.ctx, c.instance, c.size, c.attempts, c.next, c.admin = 0, nil, "", 0, 0, nil, nil
	c.ics, c.depth = nil, 0
	callPool.Put(c)
}

// clearResult drops the result of the op's last Invoke.
func (c *Call) clearResult() {
	switch c.op {
	case OpFetch:
		c.r.orch = nil
	case OpDequeue:
		c.r.worker = nil
	case OpReadHistory:
		c.r.events = nil
	case OpListInstances:
		c.r.instances = nil
	case OpInstanceInfo:
		c.r.info = nil
	case OpQueueDepths:
		c.r.depths = QueueDepths{}
	case OpRenewSessionLock, OpCleanupOrphanedSessions:
		c.r.n = 0
	}
}

func (w *interceptor) FetchOrchestrationItem(ctx context.Context, opts FetchOptions) (*OrchestrationItem, error) {
	c := w.start(ctx, OpFetch, nil)
	c.a.fetch = opts
	err := c.Invoke(ctx)
	res := c.r.orch
	release(c)
	return res, err
}

func (w *interceptor) AckOrchestrationItem(ctx context.Context, lockToken string, ack OrchestrationAck) error {
	c := w.start(ctx, OpAckOrch, nil)
	c.a.token, c.a.ack = lockToken, ack
	err := c.Invoke(ctx)
	release(c)
	return err
}

func (w *interceptor) AbandonOrchestrationItem(ctx context.Context, lockToken string, opts AbandonOptions) error {
	c := w.start(ctx, OpAbandonOrch, nil)
	c.a.token, c.a.abandon = lockToken, opts
	err := c.Invoke(ctx)
	release(c)
	return err
}

func (w *interceptor) RenewOrchestrationItemLock(ctx context.Context, lockToken string, extendFor time.Duration) error {
	c := w.start(ctx, OpRenewOrch, nil)
	c.a.token, c.a.dur = lockToken, extendFor
	err := c.Invoke(ctx)
	release(c)
	return err
}

func (w *interceptor) EnqueueOrchestrator(ctx context.Context, item WorkItem, delay time.Duration) error {
	c := w.start(ctx, OpEnqueue, nil)
	c.a.item, c.a.dur, c.instance = item, delay, item.InstanceID
	err := c.Invoke(ctx)
	release(c)
	return err
}

func (w *interceptor) EnqueueWorker(ctx context.Context, item WorkItem) error {
	c := w.start(ctx, OpEnqueueWorker, nil)
	c.a.item, c.instance = item, item.InstanceID
	err := c.Invoke(ctx)
	release(c)
	return err
}

func (w *interceptor) DequeueWorker(ctx context.Context, opts FetchOptions, session *SessionConfig) (*WorkerItem, error) {
	c := w.start(ctx, OpDequeue, nil)
	c.a.fetch, c.a.session = opts, session
	err := c.Invoke(ctx)
	res := c.r.worker
	release(c)
	return res, err
}

func (w *interceptor) AckWorker(ctx context.Context, lockToken string, completion *WorkItem) error {
	c := w.start(ctx, OpAckWorker, nil)
	c.a.token, c.a.completion = lockToken, completion
	if completion != nil {
		c.instance = completion.InstanceID
	}
	err := c.Invoke(ctx)
	release(c)
	return err
}

func (w *interceptor) AbandonWorker(ctx context.Context, lockToken string, opts AbandonOptions) error {
	c := w.start(ctx, OpAbandonWorker, nil)
	c.a.token, c.a.abandon = lockToken, opts
	err := c.Invoke(ctx)
	release(c)
	return err
}

func (w *interceptor) RenewWorkerLock(ctx context.Context, lockToken string, extendFor time.Duration) error {
	c := w.start(ctx, OpRenewWorker, nil)
	c.a.token, c.a.dur = lockToken, extendFor
	err := c.Invoke(ctx)
	release(c)
	return err
}

func (w *interceptor) RenewSessionLock(ctx context.Context, ownerIDs []string, extendFor, idleTimeout time.Duration) (int, error) {
	c := w.start(ctx, OpRenewSessionLock, nil)
	c.a.owners, c.a.dur, c.a.idle = ownerIDs, extendFor, idleTimeout
	err := c.Invoke(ctx)
	n := c.r.n
	release(c)
	return n, err
}

func (w *interceptor) CleanupOrphanedSessions(ctx context.Context, idleTimeout time.Duration) (int, error) {
	c := w.start(ctx, OpCleanupOrphanedSessions, nil)
	c.a.idle = idleTimeout
	err := c.Invoke(ctx)
	n := c.r.n
	release(c)
	return n, err
}

func (w *interceptor) ReadHistory(ctx context.Context, instanceID string, executionID uint64) ([]Event, error) {
	c := w.start(ctx, OpReadHistory, nil)
	c.a.instance, c.a.execution, c.instance = instanceID, executionID, instanceID
	err := c.Invoke(ctx)
	res := c.r.events
	release(c)
	return res, err
}

func (w *interceptorAdmin) QueueDepths(ctx context.Context) (QueueDepths, error) {
	c := w.start(ctx, OpQueueDepths, w.admin)
	err := c.Invoke(ctx)
	res := c.r.depths
	release(c)
	return res, err
}

func (w *interceptorAdmin) ListInstances(ctx context.Context, opts ListOptions) ([]InstanceInfo, error) {
	c := w.start(ctx, OpListInstances, w.admin)
	c.a.list = opts
	err := c.Invoke(ctx)
	res := c.r.instances
	release(c)
	return res, err
}

func (w *interceptorAdmin) InstanceInfo(ctx context.Context, instanceID string) (*InstanceInfo, error) {
	c := w.start(ctx, OpInstanceInfo, w.admin)
	c.a.instance, c.instance = instanceID, instanceID
	err := c.Invoke(ctx)
	res := c.r.info
	release(c)
	return res, err
}
