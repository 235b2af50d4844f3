package bench

import (
	"context"
	"time"

	"github.com/provobs/provobs"
)

// nopProvider answers every call at once without allocating: a fetch and a
// dequeue return a fixed item of one message for a known instance, so every
// layer sees a full result (instance id, size).
type nopProvider struct {
	orch   provobs.OrchestrationItem
	worker provobs.WorkerItem
}

var _ provobs.Provider = (*nopProvider)(nil)

func newNop() *nopProvider {
	return &nopProvider{
		orch: provobs.OrchestrationItem{InstanceID: "instance-1", ExecutionID: 1, LockToken: "token", AttemptCount: 1,
			Messages: []provobs.WorkItem{{Kind: provobs.KindStartOrchestration, InstanceID: "instance-1"}}},
		worker: provobs.WorkerItem{LockToken: "token", AttemptCount: 1,
			Item: provobs.WorkItem{Kind: provobs.KindActivityExecute, InstanceID: "instance-1", ExecutionID: 1, CorrelationID: 1}},
	}
}

func (n *nopProvider) FetchOrchestrationItem(context.Context, provobs.FetchOptions) (*provobs.OrchestrationItem, error) {
	return &n.orch, nil
}
func (*nopProvider) AckOrchestrationItem(context.Context, string, provobs.OrchestrationAck) error {
	return nil
}
func (*nopProvider) AbandonOrchestrationItem(context.Context, string, provobs.AbandonOptions) error {
	return nil
}
func (*nopProvider) RenewOrchestrationItemLock(context.Context, string, time.Duration) error {
	return nil
}
func (*nopProvider) EnqueueOrchestrator(context.Context, provobs.WorkItem, time.Duration) error {
	return nil
}
func (*nopProvider) EnqueueWorker(context.Context, provobs.WorkItem) error { return nil }
func (n *nopProvider) DequeueWorker(context.Context, provobs.FetchOptions, *provobs.SessionConfig) (*provobs.WorkerItem, error) {
	return &n.worker, nil
}
func (*nopProvider) AckWorker(context.Context, string, *provobs.WorkItem) error { return nil }
func (*nopProvider) AbandonWorker(context.Context, string, provobs.AbandonOptions) error {
	return nil
}
func (*nopProvider) RenewWorkerLock(context.Context, string, time.Duration) error { return nil }
func (*nopProvider) RenewSessionLock(context.Context, []string, time.Duration, time.Duration) (int, error) {
	return 0, nil
}
func (*nopProvider) CleanupOrphanedSessions(context.Context, time.Duration) (int, error) {
	return 0, nil
}
func (*nopProvider) ReadHistory(context.Context, string, uint64) ([]provobs.Event, error) {
	return nil, nil
}
