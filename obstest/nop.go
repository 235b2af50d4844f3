package obstest

import (
	"context"
	"time"

	"github.com/provobs/provobs"
)

// Nop is a provobs.Provider and provobs.Admin that does nothing: every
// method returns zero results and Err. It is the cheapest possible provider,
// so a benchmark of a middleware around it measures the middleware alone, and
// with Err set it fails every call the same way. It never allocates.
type Nop struct {
	// Err is returned by every method (nil: every call succeeds).
	Err error
}

var (
	_ provobs.Provider = Nop{}
	_ provobs.Admin    = Nop{}
)

// FetchOrchestrationItem returns (nil, n.Err).
func (n Nop) FetchOrchestrationItem(context.Context, provobs.FetchOptions) (*provobs.OrchestrationItem, error) {
	return nil, n.Err
}

// AckOrchestrationItem returns n.Err.
func (n Nop) AckOrchestrationItem(context.Context, string, provobs.OrchestrationAck) error {
	return n.Err
}

// AbandonOrchestrationItem returns n.Err.
func (n Nop) AbandonOrchestrationItem(context.Context, string, provobs.AbandonOptions) error {
	return n.Err
}

// RenewOrchestrationItemLock returns n.Err.
func (n Nop) RenewOrchestrationItemLock(context.Context, string, time.Duration) error {
	return n.Err
}

// EnqueueOrchestrator returns n.Err.
func (n Nop) EnqueueOrchestrator(context.Context, provobs.WorkItem, time.Duration) error {
	return n.Err
}

// EnqueueWorker returns n.Err.
func (n Nop) EnqueueWorker(context.Context, provobs.WorkItem) error { return n.Err }

// DequeueWorker returns (nil, n.Err).
func (n Nop) DequeueWorker(context.Context, provobs.FetchOptions, *provobs.SessionConfig) (*provobs.WorkerItem, error) {
	return nil, n.Err
}

// AckWorker returns n.Err.
func (n Nop) AckWorker(context.Context, string, *provobs.WorkItem) error { return n.Err }

// AbandonWorker returns n.Err.
func (n Nop) AbandonWorker(context.Context, string, provobs.AbandonOptions) error { return n.Err }

// RenewWorkerLock returns n.Err.
func (n Nop) RenewWorkerLock(context.Context, string, time.Duration) error { return n.Err }

// RenewSessionLock returns (0, n.Err).
func (n Nop) RenewSessionLock(context.Context, []string, time.Duration, time.Duration) (int, error) {
	return 0, n.Err
}

// CleanupOrphanedSessions returns (0, n.Err).
func (n Nop) CleanupOrphanedSessions(context.Context, time.Duration) (int, error) {
	return 0, n.Err
}

// ReadHistory returns (nil, n.Err).
func (n Nop) ReadHistory(context.Context, string, uint64) ([]provobs.Event, error) {
	return nil, n.Err
}

// QueueDepths returns (QueueDepths{}, n.Err).
func (n Nop) QueueDepths(context.Context) (provobs.QueueDepths, error) {
	return provobs.QueueDepths{}, n.Err
}

// ListInstances returns (nil, n.Err).
func (n Nop) ListInstances(context.Context, provobs.ListOptions) ([]provobs.InstanceInfo, error) {
	return nil, n.Err
}

// InstanceInfo returns (nil, n.Err).
func (n Nop) InstanceInfo(context.Context, string) (*provobs.InstanceInfo, error) {
	return nil, n.Err
}
