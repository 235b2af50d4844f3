package retry_test

import (
	"context"
	"time"

	"github.com/provobs/provobs"
)

// nopProvider does nothing and returns err from every method: the cheapest
// possible provider, so benchmarks measure the middleware alone.
type nopProvider struct{ err error }

var _ provobs.Provider = nopProvider{}

func (n nopProvider) FetchOrchestrationItem(context.Context, provobs.FetchOptions) (*provobs.OrchestrationItem, error) {
	return nil, n.err
}
func (n nopProvider) AckOrchestrationItem(context.Context, string, provobs.OrchestrationAck) error {
	return n.err
}
func (n nopProvider) AbandonOrchestrationItem(context.Context, string, provobs.AbandonOptions) error {
	return n.err
}
func (n nopProvider) RenewOrchestrationItemLock(context.Context, string, time.Duration) error {
	return n.err
}
func (n nopProvider) EnqueueOrchestrator(context.Context, provobs.WorkItem, time.Duration) error {
	return n.err
}
func (n nopProvider) EnqueueWorker(context.Context, provobs.WorkItem) error { return n.err }
func (n nopProvider) DequeueWorker(context.Context, provobs.FetchOptions, *provobs.SessionConfig) (*provobs.WorkerItem, error) {
	return nil, n.err
}
func (n nopProvider) AckWorker(context.Context, string, *provobs.WorkItem) error { return n.err }
func (n nopProvider) AbandonWorker(context.Context, string, provobs.AbandonOptions) error {
	return n.err
}
func (n nopProvider) RenewWorkerLock(context.Context, string, time.Duration) error { return n.err }
func (n nopProvider) RenewSessionLock(context.Context, []string, time.Duration, time.Duration) (int, error) {
	return 0, n.err
}
func (n nopProvider) CleanupOrphanedSessions(context.Context, time.Duration) (int, error) {
	return 0, n.err
}
func (n nopProvider) ReadHistory(context.Context, string, uint64) ([]provobs.Event, error) {
	return nil, n.err
}
