package goworkflows

import (
	"context"

	"github.com/cschleiden/go-workflows/backend"
	"github.com/cschleiden/go-workflows/backend/history"
	"github.com/cschleiden/go-workflows/backend/metrics"
	"github.com/cschleiden/go-workflows/core"
	"github.com/cschleiden/go-workflows/diag"
	"github.com/cschleiden/go-workflows/workflow"
	"go.opentelemetry.io/otel/trace"

	"github.com/provobs/provobs"
)

// The go-workflows methods, as they appear in the method attribute of
// records and spans.
const (
	methodCreateWorkflowInstance     = "CreateWorkflowInstance"
	methodCancelWorkflowInstance     = "CancelWorkflowInstance"
	methodRemoveWorkflowInstance     = "RemoveWorkflowInstance"
	methodRemoveWorkflowInstances    = "RemoveWorkflowInstances"
	methodGetWorkflowInstanceState   = "GetWorkflowInstanceState"
	methodGetWorkflowInstanceHistory = "GetWorkflowInstanceHistory"
	methodSignalWorkflow             = "SignalWorkflow"
	methodPrepareWorkflowQueues      = "PrepareWorkflowQueues"
	methodPrepareActivityQueues      = "PrepareActivityQueues"
	methodGetWorkflowTask            = "GetWorkflowTask"
	methodExtendWorkflowTask         = "ExtendWorkflowTask"
	methodCompleteWorkflowTask       = "CompleteWorkflowTask"
	methodGetActivityTask            = "GetActivityTask"
	methodExtendActivityTask         = "ExtendActivityTask"
	methodCompleteActivityTask       = "CompleteActivityTask"
	methodGetStats                   = "GetStats"
	methodGetWorkflowInstance        = "GetWorkflowInstance"
	methodGetWorkflowInstances       = "GetWorkflowInstances"
	methodGetWorkflowTree            = "GetWorkflowTree"
)

// FutureEventer is the test hook of go-workflows' backend/test.TestBackend
// (GetFutureEvents), which its SQLite backend implements. A wrapper has it
// exactly when the wrapped backend has it; the call is forwarded, not
// instrumented.
type FutureEventer interface {
	GetFutureEvents(ctx context.Context) ([]*history.Event, error)
}

// Wrap returns b with every storage call run through the interceptors ics,
// outermost first, as provobs.Chain orders middlewares:
//
//	wb := goworkflows.Wrap(b,
//		tracing.Interceptor(tp),
//		retry.Interceptor(retry.Config{OnRetry: m.RetryHook()}),
//		slogprov.Interceptor(logger, slogprov.WithEmptyPollSampling(100)),
//		m.Interceptor(),
//	)
//
// The wrapper implements diag.Backend exactly when b does (its three calls
// are instrumented too) and FutureEventer exactly when b does, so wrapping
// changes no type assertion a caller makes. Options, Tracer, Metrics, Close
// and FeatureSupported are forwarded as they are. Errors reach the caller
// exactly as b returned them (errors.Is and == keep working); only the
// interceptors see them typed. An error an interceptor makes itself (an
// injected fault, a retry cut short by the context) is a *provobs.Error.
// With no interceptor, Wrap returns b.
func Wrap(b backend.Backend, ics ...provobs.Interceptor) backend.Backend {
	var all []provobs.Interceptor
	for _, ic := range ics {
		if ic != nil {
			all = append(all, ic)
		}
	}
	if b == nil || len(all) == 0 {
		return b
	}
	if w, ok := b.(wrapper); ok {
		// Wrapping a wrapper adds layers to one Stack: one Call per storage
		// call, whatever the depth.
		inner := w.base()
		all = append(all, inner.ics...)
		b = inner.next
	}
	info := Describe(b)
	w := &wrapped{next: b, stack: provobs.NewStack(all...).ForStore(info), ics: all, info: info}
	w.diag, _ = b.(diag.Backend)
	w.future, _ = b.(FutureEventer)
	switch {
	case w.diag != nil && w.future != nil:
		return diagFutureWrapped{diagWrapped{w}}
	case w.diag != nil:
		return diagWrapped{w}
	case w.future != nil:
		return futureWrapped{w}
	}
	return w
}

// Unwrap returns the backend a Wrap result wraps, or b itself when b is not
// one.
func Unwrap(b backend.Backend) backend.Backend {
	if w, ok := b.(wrapper); ok {
		return w.base().next
	}
	return b
}

// wrapper is every type Wrap returns.
type wrapper interface{ base() *wrapped }

// wrapped runs every backend.Backend method of next through stack.
type wrapped struct {
	next   backend.Backend
	diag   diag.Backend          // next as a diag.Backend, or nil
	future FutureEventer         // next as a FutureEventer, or nil
	stack  provobs.Stack         // bound to info
	ics    []provobs.Interceptor // the interceptors of stack, unbound, for re-wrapping
	info   provobs.StoreInfo     // Describe(next)
}

// The wrappers expose exactly the capabilities of the wrapped backend.
type (
	diagWrapped       struct{ *wrapped }
	futureWrapped     struct{ *wrapped }
	diagFutureWrapped struct{ diagWrapped }
)

var (
	_ backend.Backend   = (*wrapped)(nil)
	_ provobs.Describer = (*wrapped)(nil)
	_ diag.Backend      = diagWrapped{}
	_ FutureEventer     = futureWrapped{}
	_ diag.Backend      = diagFutureWrapped{}
	_ FutureEventer     = diagFutureWrapped{}
)

func (w *wrapped) base() *wrapped { return w }

// StoreInfo describes the wrapped backend (Describe), so a wrapper answers
// for what it wraps (provobs.Describer).
func (w *wrapped) StoreInfo() provobs.StoreInfo { return w.info }

// run runs body as op through the stack. body's error is typed for the
// interceptors; if the stack returns that very error, the caller gets
// body's error as the backend returned it.
//
// A poll (GetWorkflowTask, GetActivityTask) that ends on its own deadline
// (provobs.PollExpired) is what go-workflows' worker gives each poll (30 s)
// and reads as "no task": the interceptors see an empty poll (success, size
// 0), and the caller still gets the backend's error.
func (w *wrapped) run(ctx context.Context, op provobs.Op, method, instance string, body provobs.Func) error {
	var typed *provobs.Error // the typed form of body's last error
	var raw error            // body's last error
	var expired error        // body's last error, when it was an expired poll
	err := w.stack.Run(ctx, op, method, instance, func(ctx context.Context, c *provobs.Call) error {
		typed, raw, expired = nil, nil, nil
		if err := body(ctx, c); err != nil {
			t := classify(op, err)
			if provobs.PollExpired(ctx, op, t) {
				expired = err
				c.SetSize(0)
				return nil
			}
			typed, raw = t, err
			return typed
		}
		return nil
	})
	if err != nil && typed != nil && err == error(typed) {
		return raw
	}
	if err == nil && expired != nil {
		return expired
	}
	return err
}

func instanceID(wi *core.WorkflowInstance) string {
	if wi == nil {
		return ""
	}
	return wi.InstanceID
}

// CreateWorkflowInstance runs as provobs.OpEnqueue.
func (w *wrapped) CreateWorkflowInstance(ctx context.Context, instance *workflow.Instance, event *history.Event) error {
	return w.run(ctx, provobs.OpEnqueue, methodCreateWorkflowInstance, instanceID(instance), func(ctx context.Context, _ *provobs.Call) error {
		return w.next.CreateWorkflowInstance(ctx, instance, event)
	})
}

// CancelWorkflowInstance runs as provobs.OpEnqueue: it enqueues a
// cancellation event.
func (w *wrapped) CancelWorkflowInstance(ctx context.Context, instance *workflow.Instance, cancelEvent *history.Event) error {
	return w.run(ctx, provobs.OpEnqueue, methodCancelWorkflowInstance, instanceID(instance), func(ctx context.Context, _ *provobs.Call) error {
		return w.next.CancelWorkflowInstance(ctx, instance, cancelEvent)
	})
}

// RemoveWorkflowInstance runs as provobs.OpRemoveInstance.
func (w *wrapped) RemoveWorkflowInstance(ctx context.Context, instance *workflow.Instance) error {
	return w.run(ctx, provobs.OpRemoveInstance, methodRemoveWorkflowInstance, instanceID(instance), func(ctx context.Context, _ *provobs.Call) error {
		return w.next.RemoveWorkflowInstance(ctx, instance)
	})
}

// RemoveWorkflowInstances runs as provobs.OpRemoveInstance, with no
// instance.
func (w *wrapped) RemoveWorkflowInstances(ctx context.Context, options ...backend.RemovalOption) error {
	return w.run(ctx, provobs.OpRemoveInstance, methodRemoveWorkflowInstances, "", func(ctx context.Context, _ *provobs.Call) error {
		return w.next.RemoveWorkflowInstances(ctx, options...)
	})
}

// GetWorkflowInstanceState runs as provobs.OpInstanceInfo.
func (w *wrapped) GetWorkflowInstanceState(ctx context.Context, instance *workflow.Instance) (core.WorkflowInstanceState, error) {
	var state core.WorkflowInstanceState
	err := w.run(ctx, provobs.OpInstanceInfo, methodGetWorkflowInstanceState, instanceID(instance), func(ctx context.Context, c *provobs.Call) error {
		var err error
		state, err = w.next.GetWorkflowInstanceState(ctx, instance)
		if err == nil {
			c.SetSize(1)
		}
		return err
	})
	return state, err
}

// GetWorkflowInstanceHistory runs as provobs.OpReadHistory; its size is the
// number of events returned.
func (w *wrapped) GetWorkflowInstanceHistory(ctx context.Context, instance *workflow.Instance, lastSequenceID *int64) ([]*history.Event, error) {
	var events []*history.Event
	err := w.run(ctx, provobs.OpReadHistory, methodGetWorkflowInstanceHistory, instanceID(instance), func(ctx context.Context, c *provobs.Call) error {
		var err error
		events, err = w.next.GetWorkflowInstanceHistory(ctx, instance, lastSequenceID)
		if err == nil {
			c.SetSize(len(events))
		}
		return err
	})
	return events, err
}

// SignalWorkflow runs as provobs.OpEnqueue.
func (w *wrapped) SignalWorkflow(ctx context.Context, instanceID string, event *history.Event) error {
	return w.run(ctx, provobs.OpEnqueue, methodSignalWorkflow, instanceID, func(ctx context.Context, _ *provobs.Call) error {
		return w.next.SignalWorkflow(ctx, instanceID, event)
	})
}

// PrepareWorkflowQueues runs as provobs.OpPrepareQueues.
func (w *wrapped) PrepareWorkflowQueues(ctx context.Context, queues []workflow.Queue) error {
	return w.run(ctx, provobs.OpPrepareQueues, methodPrepareWorkflowQueues, "", func(ctx context.Context, _ *provobs.Call) error {
		return w.next.PrepareWorkflowQueues(ctx, queues)
	})
}

// PrepareActivityQueues runs as provobs.OpPrepareQueues.
func (w *wrapped) PrepareActivityQueues(ctx context.Context, queues []workflow.Queue) error {
	return w.run(ctx, provobs.OpPrepareQueues, methodPrepareActivityQueues, "", func(ctx context.Context, _ *provobs.Call) error {
		return w.next.PrepareActivityQueues(ctx, queues)
	})
}

// GetWorkflowTask runs as provobs.OpFetch. A task found has its instance
// and a size of its new events (at least 1); no task is an empty poll
// (size 0).
func (w *wrapped) GetWorkflowTask(ctx context.Context, queues []workflow.Queue) (*backend.WorkflowTask, error) {
	var task *backend.WorkflowTask
	err := w.run(ctx, provobs.OpFetch, methodGetWorkflowTask, "", func(ctx context.Context, c *provobs.Call) error {
		var err error
		task, err = w.next.GetWorkflowTask(ctx, queues)
		if err == nil && task != nil {
			c.SetInstance(instanceID(task.WorkflowInstance))
			c.SetSize(max(1, len(task.NewEvents)))
		}
		return err
	})
	return task, err
}

// ExtendWorkflowTask runs as provobs.OpRenewOrch.
func (w *wrapped) ExtendWorkflowTask(ctx context.Context, task *backend.WorkflowTask) error {
	return w.run(ctx, provobs.OpRenewOrch, methodExtendWorkflowTask, workflowTaskInstance(task), func(ctx context.Context, _ *provobs.Call) error {
		return w.next.ExtendWorkflowTask(ctx, task)
	})
}

// CompleteWorkflowTask runs as provobs.OpAckOrch; its size is the number of
// executed events appended to the history.
func (w *wrapped) CompleteWorkflowTask(
	ctx context.Context, task *backend.WorkflowTask, state core.WorkflowInstanceState,
	executedEvents, activityEvents, timerEvents []*history.Event, workflowEvents []*history.WorkflowEvent,
) error {
	return w.run(ctx, provobs.OpAckOrch, methodCompleteWorkflowTask, workflowTaskInstance(task), func(ctx context.Context, c *provobs.Call) error {
		err := w.next.CompleteWorkflowTask(ctx, task, state, executedEvents, activityEvents, timerEvents, workflowEvents)
		if err == nil {
			c.SetSize(len(executedEvents))
		}
		return err
	})
}

// GetActivityTask runs as provobs.OpDequeue: size 1 and the task's instance
// when a task is found, an empty poll otherwise.
func (w *wrapped) GetActivityTask(ctx context.Context, queues []workflow.Queue) (*backend.ActivityTask, error) {
	var task *backend.ActivityTask
	err := w.run(ctx, provobs.OpDequeue, methodGetActivityTask, "", func(ctx context.Context, c *provobs.Call) error {
		var err error
		task, err = w.next.GetActivityTask(ctx, queues)
		if err == nil && task != nil {
			c.SetInstance(instanceID(task.WorkflowInstance))
			c.SetSize(1)
		}
		return err
	})
	return task, err
}

// ExtendActivityTask runs as provobs.OpRenewWorker.
func (w *wrapped) ExtendActivityTask(ctx context.Context, task *backend.ActivityTask) error {
	return w.run(ctx, provobs.OpRenewWorker, methodExtendActivityTask, activityTaskInstance(task), func(ctx context.Context, _ *provobs.Call) error {
		return w.next.ExtendActivityTask(ctx, task)
	})
}

// CompleteActivityTask runs as provobs.OpAckWorker.
func (w *wrapped) CompleteActivityTask(ctx context.Context, task *backend.ActivityTask, result *history.Event) error {
	return w.run(ctx, provobs.OpAckWorker, methodCompleteActivityTask, activityTaskInstance(task), func(ctx context.Context, _ *provobs.Call) error {
		return w.next.CompleteActivityTask(ctx, task, result)
	})
}

// GetStats runs as provobs.OpQueueDepths; its size is the number of pending
// workflow and activity tasks over all queues.
func (w *wrapped) GetStats(ctx context.Context) (*backend.Stats, error) {
	var stats *backend.Stats
	err := w.run(ctx, provobs.OpQueueDepths, methodGetStats, "", func(ctx context.Context, c *provobs.Call) error {
		var err error
		stats, err = w.next.GetStats(ctx)
		if err == nil && stats != nil {
			var n int64
			for _, v := range stats.PendingWorkflowTasks {
				n += v
			}
			for _, v := range stats.PendingActivityTasks {
				n += v
			}
			c.SetSize(int(n))
		}
		return err
	})
	return stats, err
}

// Tracer returns the wrapped backend's Tracer.
func (w *wrapped) Tracer() trace.Tracer { return w.next.Tracer() }

// Metrics returns the wrapped backend's metrics client.
func (w *wrapped) Metrics() metrics.Client { return w.next.Metrics() }

// Options returns the wrapped backend's options: the same pointer, so a
// change through it reaches the backend.
func (w *wrapped) Options() *backend.Options { return w.next.Options() }

// Close closes the wrapped backend.
func (w *wrapped) Close() error { return w.next.Close() }

// FeatureSupported asks the wrapped backend.
func (w *wrapped) FeatureSupported(feature backend.Feature) bool {
	return w.next.FeatureSupported(feature)
}

func workflowTaskInstance(t *backend.WorkflowTask) string {
	if t == nil {
		return ""
	}
	return instanceID(t.WorkflowInstance)
}

func activityTaskInstance(t *backend.ActivityTask) string {
	if t == nil {
		return ""
	}
	return instanceID(t.WorkflowInstance)
}

// GetWorkflowInstance runs the wrapped diag.Backend's call as
// provobs.OpInstanceInfo.
func (w diagWrapped) GetWorkflowInstance(ctx context.Context, instance *core.WorkflowInstance) (*diag.WorkflowInstanceRef, error) {
	var ref *diag.WorkflowInstanceRef
	err := w.run(ctx, provobs.OpInstanceInfo, methodGetWorkflowInstance, instanceID(instance), func(ctx context.Context, c *provobs.Call) error {
		var err error
		ref, err = w.diag.GetWorkflowInstance(ctx, instance)
		if err == nil && ref != nil {
			c.SetSize(1)
		}
		return err
	})
	return ref, err
}

// GetWorkflowInstances runs the wrapped diag.Backend's call as
// provobs.OpListInstances; its size is the number of instances returned.
func (w diagWrapped) GetWorkflowInstances(ctx context.Context, afterInstanceID, afterExecutionID string, count int) ([]*diag.WorkflowInstanceRef, error) {
	var refs []*diag.WorkflowInstanceRef
	err := w.run(ctx, provobs.OpListInstances, methodGetWorkflowInstances, "", func(ctx context.Context, c *provobs.Call) error {
		var err error
		refs, err = w.diag.GetWorkflowInstances(ctx, afterInstanceID, afterExecutionID, count)
		if err == nil {
			c.SetSize(len(refs))
		}
		return err
	})
	return refs, err
}

// GetWorkflowTree runs the wrapped diag.Backend's call as
// provobs.OpInstanceInfo.
func (w diagWrapped) GetWorkflowTree(ctx context.Context, instance *core.WorkflowInstance) (*diag.WorkflowInstanceTree, error) {
	var tree *diag.WorkflowInstanceTree
	err := w.run(ctx, provobs.OpInstanceInfo, methodGetWorkflowTree, instanceID(instance), func(ctx context.Context, c *provobs.Call) error {
		var err error
		tree, err = w.diag.GetWorkflowTree(ctx, instance)
		if err == nil && tree != nil {
			c.SetSize(1)
		}
		return err
	})
	return tree, err
}

// GetFutureEvents forwards to the wrapped backend, uninstrumented: it is a
// test hook, not a storage call of the engine.
func (w futureWrapped) GetFutureEvents(ctx context.Context) ([]*history.Event, error) {
	return w.future.GetFutureEvents(ctx)
}

// GetFutureEvents forwards to the wrapped backend, uninstrumented.
func (w diagFutureWrapped) GetFutureEvents(ctx context.Context) ([]*history.Event, error) {
	return w.future.GetFutureEvents(ctx)
}
