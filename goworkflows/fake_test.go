package goworkflows_test

import (
	"context"
	"sync"

	"github.com/cschleiden/go-workflows/backend"
	"github.com/cschleiden/go-workflows/backend/history"
	"github.com/cschleiden/go-workflows/backend/metrics"
	"github.com/cschleiden/go-workflows/core"
	"github.com/cschleiden/go-workflows/diag"
	"github.com/cschleiden/go-workflows/workflow"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/provobs/provobs"
)

// fakeBackend is a diag.Backend that returns canned results and err from
// every call, or blocks until its context ends when block is set. It is
// not under test: it feeds Wrap results no real backend returns on demand
// (a workflow task with no new events, as the Redis backend can).
type fakeBackend struct {
	err     error
	block   bool
	wfTask  *backend.WorkflowTask
	actTask *backend.ActivityTask
	history []*history.Event
	stats   *backend.Stats
	refs    []*diag.WorkflowInstanceRef
	opts    *backend.Options
}

func (f *fakeBackend) end(ctx context.Context) error {
	if f.block {
		<-ctx.Done()
		return ctx.Err()
	}
	return f.err
}

func (f *fakeBackend) CreateWorkflowInstance(ctx context.Context, _ *workflow.Instance, _ *history.Event) error {
	return f.end(ctx)
}
func (f *fakeBackend) CancelWorkflowInstance(ctx context.Context, _ *workflow.Instance, _ *history.Event) error {
	return f.end(ctx)
}
func (f *fakeBackend) RemoveWorkflowInstance(ctx context.Context, _ *workflow.Instance) error {
	return f.end(ctx)
}
func (f *fakeBackend) RemoveWorkflowInstances(ctx context.Context, _ ...backend.RemovalOption) error {
	return f.end(ctx)
}
func (f *fakeBackend) GetWorkflowInstanceState(ctx context.Context, _ *workflow.Instance) (core.WorkflowInstanceState, error) {
	return core.WorkflowInstanceStateActive, f.end(ctx)
}
func (f *fakeBackend) GetWorkflowInstanceHistory(ctx context.Context, _ *workflow.Instance, _ *int64) ([]*history.Event, error) {
	if err := f.end(ctx); err != nil {
		return nil, err
	}
	return f.history, nil
}
func (f *fakeBackend) SignalWorkflow(ctx context.Context, _ string, _ *history.Event) error {
	return f.end(ctx)
}
func (f *fakeBackend) PrepareWorkflowQueues(ctx context.Context, _ []workflow.Queue) error {
	return f.end(ctx)
}
func (f *fakeBackend) PrepareActivityQueues(ctx context.Context, _ []workflow.Queue) error {
	return f.end(ctx)
}
func (f *fakeBackend) GetWorkflowTask(ctx context.Context, _ []workflow.Queue) (*backend.WorkflowTask, error) {
	if err := f.end(ctx); err != nil {
		return nil, err
	}
	return f.wfTask, nil
}
func (f *fakeBackend) ExtendWorkflowTask(ctx context.Context, _ *backend.WorkflowTask) error {
	return f.end(ctx)
}
func (f *fakeBackend) CompleteWorkflowTask(ctx context.Context, _ *backend.WorkflowTask, _ core.WorkflowInstanceState,
	_, _, _ []*history.Event, _ []*history.WorkflowEvent) error {
	return f.end(ctx)
}
func (f *fakeBackend) GetActivityTask(ctx context.Context, _ []workflow.Queue) (*backend.ActivityTask, error) {
	if err := f.end(ctx); err != nil {
		return nil, err
	}
	return f.actTask, nil
}
func (f *fakeBackend) ExtendActivityTask(ctx context.Context, _ *backend.ActivityTask) error {
	return f.end(ctx)
}
func (f *fakeBackend) CompleteActivityTask(ctx context.Context, _ *backend.ActivityTask, _ *history.Event) error {
	return f.end(ctx)
}
func (f *fakeBackend) GetStats(ctx context.Context) (*backend.Stats, error) {
	if err := f.end(ctx); err != nil {
		return nil, err
	}
	return f.stats, nil
}
func (f *fakeBackend) Tracer() trace.Tracer    { return noop.NewTracerProvider().Tracer("fake") }
func (f *fakeBackend) Metrics() metrics.Client { return nil }
func (f *fakeBackend) Options() *backend.Options {
	if f.opts == nil {
		f.opts = backend.ApplyOptions()
	}
	return f.opts
}
func (f *fakeBackend) Close() error                          { return nil }
func (f *fakeBackend) FeatureSupported(backend.Feature) bool { return true }
func (f *fakeBackend) GetWorkflowInstance(ctx context.Context, instance *core.WorkflowInstance) (*diag.WorkflowInstanceRef, error) {
	if err := f.end(ctx); err != nil {
		return nil, err
	}
	return &diag.WorkflowInstanceRef{Instance: instance}, nil
}
func (f *fakeBackend) GetWorkflowInstances(ctx context.Context, _, _ string, _ int) ([]*diag.WorkflowInstanceRef, error) {
	if err := f.end(ctx); err != nil {
		return nil, err
	}
	return f.refs, nil
}
func (f *fakeBackend) GetWorkflowTree(ctx context.Context, _ *core.WorkflowInstance) (*diag.WorkflowInstanceTree, error) {
	if err := f.end(ctx); err != nil {
		return nil, err
	}
	return &diag.WorkflowInstanceTree{}, nil
}

var _ diag.Backend = (*fakeBackend)(nil)

// seen is what an interceptor saw of one call.
type seen struct {
	op       provobs.Op
	method   string
	instance string
	size     int
	err      error
}

// recorder is an interceptor that keeps what it saw of every call.
type recorder struct {
	mu    sync.Mutex
	calls []seen
}

func (r *recorder) Intercept(ctx context.Context, c *provobs.Call) error {
	err := c.Invoke(ctx)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, seen{c.Op(), c.Method(), c.Instance(), c.Size(), err})
	return err
}

func (r *recorder) all() []seen {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]seen(nil), r.calls...)
}
