package bench

import (
	"github.com/provobs/provobs"
	"github.com/provobs/provobs/obstest"
)

// newStub answers every call at once without allocating: a fetch and a
// dequeue return a fixed item of one message for a known instance, so every
// layer sees a full result (instance id, size).
func newStub() *obstest.Stub {
	return &obstest.Stub{
		Orch: &provobs.OrchestrationItem{InstanceID: "instance-1", ExecutionID: 1, LockToken: "token", AttemptCount: 1,
			Messages: []provobs.WorkItem{{Kind: provobs.KindStartOrchestration, InstanceID: "instance-1"}}},
		Worker: &provobs.WorkerItem{LockToken: "token", AttemptCount: 1,
			Item: provobs.WorkItem{Kind: provobs.KindActivityExecute, InstanceID: "instance-1", ExecutionID: 1, CorrelationID: 1}},
	}
}
