package provobs_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/provobs/provobs"
)

func TestValidate(t *testing.T) {
	t.Parallel()
	orch := provobs.WorkItem{Kind: provobs.KindTimerFired, InstanceID: "i", FireAt: time.Unix(100, 0)}
	work := provobs.WorkItem{Kind: provobs.KindActivityExecute, InstanceID: "i"}
	with := func(it provobs.WorkItem, f func(*provobs.WorkItem)) provobs.WorkItem { f(&it); return it }
	op := provobs.OpEnqueue
	cases := []struct {
		name string
		err  error
		ok   bool
	}{
		{"orchestrator item", provobs.ValidateOrchestratorItem(op, orch), true},
		{"worker item", provobs.ValidateWorkerItem(op, work), true},
		{"empty instance", provobs.ValidateOrchestratorItem(op, with(orch, func(w *provobs.WorkItem) { w.InstanceID = "" })), false},
		{"invalid kind", provobs.ValidateOrchestratorItem(op, with(orch, func(w *provobs.WorkItem) { w.Kind = 0 })), false},
		{"activity on the orchestrator queue", provobs.ValidateOrchestratorItem(op, work), false},
		{"timer on the worker queue", provobs.ValidateWorkerItem(op, orch), false},
		{"fire time past 2262", provobs.ValidateOrchestratorItem(op, with(orch, func(w *provobs.WorkItem) { w.FireAt = time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC) })), false},
		{"zero fire time", provobs.ValidateOrchestratorItem(op, with(orch, func(w *provobs.WorkItem) { w.FireAt = time.Time{} })), true},
		{"ack", provobs.ValidateAck(op, provobs.OrchestrationAck{ExecutionID: 1, HistoryDelta: []provobs.Event{{ID: 1}}, WorkerItems: []provobs.WorkItem{work}, OrchestratorItems: []provobs.WorkItem{orch}}), true},
		{"ack of execution 0", provobs.ValidateAck(op, provobs.OrchestrationAck{}), false},
		{"ack execution past MaxID", provobs.ValidateAck(op, provobs.OrchestrationAck{ExecutionID: provobs.MaxID + 1}), false},
		{"ack event past MaxID", provobs.ValidateAck(op, provobs.OrchestrationAck{ExecutionID: 1, HistoryDelta: []provobs.Event{{ID: provobs.MaxID + 1}}}), false},
		{"ack with a bad worker item", provobs.ValidateAck(op, provobs.OrchestrationAck{ExecutionID: 1, WorkerItems: []provobs.WorkItem{orch}}), false},
		{"ack with a bad orchestrator item", provobs.ValidateAck(op, provobs.OrchestrationAck{ExecutionID: 1, OrchestratorItems: []provobs.WorkItem{work}}), false},
	}
	for _, tc := range cases {
		if tc.ok {
			assert.NoError(t, tc.err, tc.name)
			continue
		}
		assert.Equal(t, provobs.TypeInvalidArgument, provobs.TypeOf(tc.err), tc.name)
		assert.Equal(t, op, tc.err.(*provobs.Error).Op, tc.name)
	}
}
