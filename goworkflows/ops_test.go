package goworkflows_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/cschleiden/go-workflows/backend"
	"github.com/cschleiden/go-workflows/backend/history"
	"github.com/cschleiden/go-workflows/client"
	"github.com/cschleiden/go-workflows/core"
	"github.com/cschleiden/go-workflows/diag"
	"github.com/cschleiden/go-workflows/worker"
	"github.com/cschleiden/go-workflows/workflow"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/goworkflows"
)

// TestEveryMethodReportsItsOperation pins, for every instrumented method,
// the operation, method, instance and size the interceptors see, through
// Wrap over a fake backend: the table of the package documentation.
func TestEveryMethodReportsItsOperation(t *testing.T) {
	t.Parallel()
	inst := core.NewWorkflowInstance("wf-1", "ex-1")
	ev := func() *history.Event {
		return history.NewPendingEvent(time.Now(), history.EventType_SignalReceived, &history.SignalReceivedAttributes{Name: "s"})
	}
	wfTask := &backend.WorkflowTask{ID: "t1", WorkflowInstance: inst, NewEvents: []*history.Event{ev(), ev(), ev()}}
	actTask := &backend.ActivityTask{ID: "a1", WorkflowInstance: inst}
	fake := &fakeBackend{
		wfTask:  wfTask,
		actTask: actTask,
		history: []*history.Event{ev(), ev()},
		stats: &backend.Stats{
			PendingWorkflowTasks: map[workflow.Queue]int64{workflow.QueueDefault: 2, "q": 1},
			PendingActivityTasks: map[workflow.Queue]int64{workflow.QueueDefault: 4},
		},
		refs: []*diag.WorkflowInstanceRef{{Instance: inst}, {Instance: inst}, {Instance: inst}, {Instance: inst}},
	}
	rec := &recorder{}
	b := goworkflows.Wrap(fake, rec)
	d, ok := b.(diag.Backend)
	require.True(t, ok)
	ctx := context.Background()
	q := []workflow.Queue{workflow.QueueDefault}

	for _, tc := range []struct {
		method   string
		call     func() error
		op       provobs.Op
		instance string
		size     int
	}{
		{"CreateWorkflowInstance", func() error { return b.CreateWorkflowInstance(ctx, inst, ev()) }, provobs.OpEnqueue, "wf-1", 0},
		{"CancelWorkflowInstance", func() error { return b.CancelWorkflowInstance(ctx, inst, ev()) }, provobs.OpEnqueue, "wf-1", 0},
		{"SignalWorkflow", func() error { return b.SignalWorkflow(ctx, "wf-2", ev()) }, provobs.OpEnqueue, "wf-2", 0},
		{"RemoveWorkflowInstance", func() error { return b.RemoveWorkflowInstance(ctx, inst) }, provobs.OpRemoveInstance, "wf-1", 0},
		{"RemoveWorkflowInstances", func() error { return b.RemoveWorkflowInstances(ctx) }, provobs.OpRemoveInstance, "", 0},
		{"GetWorkflowInstanceState", func() error { _, err := b.GetWorkflowInstanceState(ctx, inst); return err }, provobs.OpInstanceInfo, "wf-1", 1},
		{"GetWorkflowInstanceHistory", func() error { _, err := b.GetWorkflowInstanceHistory(ctx, inst, nil); return err }, provobs.OpReadHistory, "wf-1", 2},
		{"PrepareWorkflowQueues", func() error { return b.PrepareWorkflowQueues(ctx, q) }, provobs.OpPrepareQueues, "", 0},
		{"PrepareActivityQueues", func() error { return b.PrepareActivityQueues(ctx, q) }, provobs.OpPrepareQueues, "", 0},
		{"GetWorkflowTask", func() error { _, err := b.GetWorkflowTask(ctx, q); return err }, provobs.OpFetch, "wf-1", 3},
		{"ExtendWorkflowTask", func() error { return b.ExtendWorkflowTask(ctx, wfTask) }, provobs.OpRenewOrch, "wf-1", 0},
		{"CompleteWorkflowTask", func() error {
			return b.CompleteWorkflowTask(ctx, wfTask, core.WorkflowInstanceStateActive, []*history.Event{ev(), ev(), ev(), ev(), ev()}, nil, nil, nil)
		}, provobs.OpAckOrch, "wf-1", 5},
		{"GetActivityTask", func() error { _, err := b.GetActivityTask(ctx, q); return err }, provobs.OpDequeue, "wf-1", 1},
		{"ExtendActivityTask", func() error { return b.ExtendActivityTask(ctx, actTask) }, provobs.OpRenewWorker, "wf-1", 0},
		{"CompleteActivityTask", func() error { return b.CompleteActivityTask(ctx, actTask, ev()) }, provobs.OpAckWorker, "wf-1", 0},
		{"GetStats", func() error { _, err := b.GetStats(ctx); return err }, provobs.OpQueueDepths, "", 7},
		{"GetWorkflowInstance", func() error { _, err := d.GetWorkflowInstance(ctx, inst); return err }, provobs.OpInstanceInfo, "wf-1", 1},
		{"GetWorkflowInstances", func() error { _, err := d.GetWorkflowInstances(ctx, "", "", 10); return err }, provobs.OpListInstances, "", 4},
		{"GetWorkflowTree", func() error { _, err := d.GetWorkflowTree(ctx, inst); return err }, provobs.OpInstanceInfo, "wf-1", 1},
	} {
		t.Run(tc.method, func(t *testing.T) {
			before := len(rec.all())
			require.NoError(t, tc.call())
			calls := rec.all()[before:]
			require.Len(t, calls, 1, "one intercepted call")
			got := calls[0]
			assert.Equal(t, tc.op, got.op, "operation")
			assert.Equal(t, tc.method, got.method, "method")
			assert.Equal(t, tc.instance, got.instance, "instance")
			assert.Equal(t, tc.size, got.size, "size")
		})
	}
}

// A workflow task with no new events (go-workflows' Redis backend can
// return one) is work found, not an empty poll: size 1 and its instance.
// No task, and a poll that ends on its own deadline, are empty polls.
func TestWorkflowTaskSizes(t *testing.T) {
	t.Parallel()
	inst := core.NewWorkflowInstance("wf-9", "ex-9")
	q := []workflow.Queue{workflow.QueueDefault}
	for _, tc := range []struct {
		name     string
		task     *backend.WorkflowTask
		size     int
		instance string
	}{
		{"no new events", &backend.WorkflowTask{ID: "t", WorkflowInstance: inst}, 1, "wf-9"},
		{"empty new events", &backend.WorkflowTask{ID: "t", WorkflowInstance: inst, NewEvents: []*history.Event{}}, 1, "wf-9"},
		{"no task", nil, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := &recorder{}
			b := goworkflows.Wrap(&fakeBackend{wfTask: tc.task}, rec)
			task, err := b.GetWorkflowTask(context.Background(), q)
			require.NoError(t, err)
			assert.Same(t, tc.task, task)
			calls := rec.all()
			require.Len(t, calls, 1)
			assert.Equal(t, provobs.OpFetch, calls[0].op)
			assert.Equal(t, tc.size, calls[0].size, "size")
			assert.Equal(t, tc.instance, calls[0].instance)
		})
	}
}

// The caller gets the backend's errors unchanged from every method; the
// interceptors see them typed.
func TestFakeErrorsReachTheCaller(t *testing.T) {
	t.Parallel()
	boom := errors.New("could not extend activity")
	rec := &recorder{}
	b := goworkflows.Wrap(&fakeBackend{err: boom}, rec)
	err := b.ExtendActivityTask(context.Background(), &backend.ActivityTask{ID: "a", WorkflowInstance: core.NewWorkflowInstance("i", "e")})
	assert.Same(t, boom, err) //nolint:errorlint // identity is the point
	calls := rec.all()
	require.Len(t, calls, 1)
	assert.Equal(t, provobs.OpRenewWorker, calls[0].op)
	assert.Equal(t, provobs.TypeLockLost, provobs.TypeOf(calls[0].err))
}

// longActivity outlives a few heartbeat intervals.
func longActivity(context.Context) (int, error) {
	time.Sleep(150 * time.Millisecond)
	return 1, nil
}

func heartbeatWorkflow(ctx workflow.Context) (int, error) {
	return workflow.ExecuteActivity[int](ctx, workflow.DefaultActivityOptions, longActivity).Get(ctx)
}

// TestActivityHeartbeatIsRenewWorker runs an activity that outlives the
// worker's heartbeat interval on a wrapped SQLite backend: every
// ExtendActivityTask the worker makes reports as renew_worker with the
// activity's instance.
func TestActivityHeartbeatIsRenewWorker(t *testing.T) {
	rec := &recorder{}
	b := goworkflows.Wrap(quietSQLite(), rec)
	defer b.Close()
	opts := worker.DefaultOptions
	opts.ActivityHeartbeatInterval = 10 * time.Millisecond
	opts.WorkflowPollingInterval = 5 * time.Millisecond
	opts.ActivityPollingInterval = 5 * time.Millisecond
	w := worker.New(b, &opts)
	require.NoError(t, w.RegisterWorkflow(heartbeatWorkflow))
	require.NoError(t, w.RegisterActivity(longActivity))
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	require.NoError(t, w.Start(ctx))

	c := client.New(b)
	id := uuid.NewString()
	inst, err := c.CreateWorkflowInstance(context.Background(), client.WorkflowInstanceOptions{InstanceID: id}, heartbeatWorkflow)
	require.NoError(t, err)
	got, err := client.GetWorkflowResult[int](context.Background(), c, inst, 30*time.Second)
	require.NoError(t, err)
	assert.Equal(t, 1, got)
	stop()
	require.NoError(t, w.WaitForCompletion())

	var extends, ok int
	for _, s := range rec.all() {
		if s.method != "ExtendActivityTask" {
			continue
		}
		extends++
		assert.Equal(t, provobs.OpRenewWorker, s.op, "ExtendActivityTask's operation")
		assert.Equal(t, id, s.instance)
		if s.err == nil {
			ok++
			continue
		}
		// go-workflows keeps heartbeating until its handler returns, so
		// the last heartbeat may race the activity's completion: the
		// task's context cancelled, or the activity already gone.
		assert.Contains(t, []provobs.ErrorType{provobs.TypeCanceled, provobs.TypeLockLost}, provobs.TypeOf(s.err), "%v", s.err)
	}
	assert.Positive(t, ok, "the activity was heartbeaten through Wrap")
	t.Logf("%d heartbeats", extends)
}
