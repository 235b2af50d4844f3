package provobs_test

import (
	"context"
	"time"

	"github.com/provobs/provobs"
)

// stubProvider answers every call with canned results and records which
// method ran. It stands in for a store in tests of the middleware mechanism,
// which is what those tests are about.
type stubProvider struct {
	err    error
	orch   *provobs.OrchestrationItem
	worker *provobs.WorkerItem
	n      int
	events []provobs.Event
	depths provobs.QueueDepths
	list   []provobs.InstanceInfo
	info   *provobs.InstanceInfo
	calls  []string
}

func (s *stubProvider) rec(m string) { s.calls = append(s.calls, m) }

func (s *stubProvider) FetchOrchestrationItem(context.Context, provobs.FetchOptions) (*provobs.OrchestrationItem, error) {
	s.rec("FetchOrchestrationItem")
	return s.orch, s.err
}
func (s *stubProvider) AckOrchestrationItem(context.Context, string, provobs.OrchestrationAck) error {
	s.rec("AckOrchestrationItem")
	return s.err
}
func (s *stubProvider) AbandonOrchestrationItem(context.Context, string, provobs.AbandonOptions) error {
	s.rec("AbandonOrchestrationItem")
	return s.err
}
func (s *stubProvider) RenewOrchestrationItemLock(context.Context, string, time.Duration) error {
	s.rec("RenewOrchestrationItemLock")
	return s.err
}
func (s *stubProvider) EnqueueOrchestrator(context.Context, provobs.WorkItem, time.Duration) error {
	s.rec("EnqueueOrchestrator")
	return s.err
}
func (s *stubProvider) EnqueueWorker(context.Context, provobs.WorkItem) error {
	s.rec("EnqueueWorker")
	return s.err
}
func (s *stubProvider) DequeueWorker(context.Context, provobs.FetchOptions, *provobs.SessionConfig) (*provobs.WorkerItem, error) {
	s.rec("DequeueWorker")
	return s.worker, s.err
}
func (s *stubProvider) AckWorker(context.Context, string, *provobs.WorkItem) error {
	s.rec("AckWorker")
	return s.err
}
func (s *stubProvider) AbandonWorker(context.Context, string, provobs.AbandonOptions) error {
	s.rec("AbandonWorker")
	return s.err
}
func (s *stubProvider) RenewWorkerLock(context.Context, string, time.Duration) error {
	s.rec("RenewWorkerLock")
	return s.err
}
func (s *stubProvider) RenewSessionLock(context.Context, []string, time.Duration, time.Duration) (int, error) {
	s.rec("RenewSessionLock")
	return s.n, s.err
}
func (s *stubProvider) CleanupOrphanedSessions(context.Context, time.Duration) (int, error) {
	s.rec("CleanupOrphanedSessions")
	return s.n, s.err
}
func (s *stubProvider) ReadHistory(context.Context, string, uint64) ([]provobs.Event, error) {
	s.rec("ReadHistory")
	return s.events, s.err
}

// stubAdmin adds the Admin capability to stubProvider.
type stubAdmin struct{ stubProvider }

func (s *stubAdmin) QueueDepths(context.Context) (provobs.QueueDepths, error) {
	s.rec("QueueDepths")
	return s.depths, s.err
}
func (s *stubAdmin) ListInstances(context.Context, provobs.ListOptions) ([]provobs.InstanceInfo, error) {
	s.rec("ListInstances")
	return s.list, s.err
}
func (s *stubAdmin) InstanceInfo(context.Context, string) (*provobs.InstanceInfo, error) {
	s.rec("InstanceInfo")
	return s.info, s.err
}
