package slogprov_test

import (
	"github.com/provobs/provobs"
	"github.com/provobs/provobs/obstest"
)

// newStub returns a store that answers every call with one batch, one
// worker item, three events and one session, for tests and benchmarks of
// the middleware alone.
func newStub() *obstest.Stub {
	return &obstest.Stub{
		Orch: &provobs.OrchestrationItem{
			InstanceID: obstest.ExerciseInstance, LockToken: "stub-token", AttemptCount: 1,
			Messages: []provobs.WorkItem{{Kind: provobs.KindStartOrchestration, InstanceID: obstest.ExerciseInstance}},
		},
		Worker: &provobs.WorkerItem{
			Item:      provobs.WorkItem{Kind: provobs.KindActivityExecute, InstanceID: obstest.ExerciseInstance, ExecutionID: 1, CorrelationID: 2},
			LockToken: "stub-token", AttemptCount: 1,
		},
		Events:   []provobs.Event{{ID: 1}, {ID: 2}, {ID: 3}},
		Sessions: 1,
		Depths:   provobs.QueueDepths{Orchestrator: 1, Worker: 2},
		Info:     &provobs.InstanceInfo{InstanceID: obstest.ExerciseInstance, Status: provobs.StatusRunning, ExecutionID: 1},
	}
}
