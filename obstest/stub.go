package obstest

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/provobs/provobs"
)

// Stub is a provobs.Provider, provobs.Admin and io.Closer that answers every
// call with the canned results in its fields (zero fields: no work, zero
// counts) and Err, and counts how often each method ran. The zero Stub is
// the cheapest possible provider, so a benchmark of a middleware around it
// measures the middleware alone; it never allocates. Set the fields before
// the first call; a Stub is then safe for concurrent use.
type Stub struct {
	Orch      *provobs.OrchestrationItem // FetchOrchestrationItem's result
	Worker    *provobs.WorkerItem        // DequeueWorker's result
	Sessions  int                        // RenewSessionLock's and CleanupOrphanedSessions' count
	Events    []provobs.Event            // ReadHistory's result
	Depths    provobs.QueueDepths        // QueueDepths' result
	Instances []provobs.InstanceInfo     // ListInstances' result
	Info      *provobs.InstanceInfo      // InstanceInfo's result
	// Err is returned by every method (nil: every call succeeds).
	Err error

	runs   [provobs.NumOps]atomic.Int64
	closed atomic.Int64
}

var (
	_ provobs.Provider = (*Stub)(nil)
	_ provobs.Admin    = (*Stub)(nil)
)

// Runs returns how many times the method of op ran.
func (s *Stub) Runs(op provobs.Op) int {
	if !op.Valid() {
		return 0
	}
	return int(s.runs[op].Load())
}

// TotalRuns returns how many times any method ran.
func (s *Stub) TotalRuns() int {
	n := 0
	for op := range s.runs {
		n += int(s.runs[op].Load())
	}
	return n
}

// Closed returns how many times Close ran.
func (s *Stub) Closed() int { return int(s.closed.Load()) }

func (s *Stub) ran(op provobs.Op) { s.runs[op].Add(1) }

// FetchOrchestrationItem returns (s.Orch, s.Err).
func (s *Stub) FetchOrchestrationItem(context.Context, provobs.FetchOptions) (*provobs.OrchestrationItem, error) {
	s.ran(provobs.OpFetch)
	return s.Orch, s.Err
}

// AckOrchestrationItem returns s.Err.
func (s *Stub) AckOrchestrationItem(context.Context, string, provobs.OrchestrationAck) error {
	s.ran(provobs.OpAckOrch)
	return s.Err
}

// AbandonOrchestrationItem returns s.Err.
func (s *Stub) AbandonOrchestrationItem(context.Context, string, provobs.AbandonOptions) error {
	s.ran(provobs.OpAbandonOrch)
	return s.Err
}

// RenewOrchestrationItemLock returns s.Err.
func (s *Stub) RenewOrchestrationItemLock(context.Context, string, time.Duration) error {
	s.ran(provobs.OpRenewOrch)
	return s.Err
}

// EnqueueOrchestrator returns s.Err.
func (s *Stub) EnqueueOrchestrator(context.Context, provobs.WorkItem, time.Duration) error {
	s.ran(provobs.OpEnqueue)
	return s.Err
}

// EnqueueWorker returns s.Err.
func (s *Stub) EnqueueWorker(context.Context, provobs.WorkItem) error {
	s.ran(provobs.OpEnqueueWorker)
	return s.Err
}

// DequeueWorker returns (s.Worker, s.Err).
func (s *Stub) DequeueWorker(context.Context, provobs.FetchOptions, *provobs.SessionConfig) (*provobs.WorkerItem, error) {
	s.ran(provobs.OpDequeue)
	return s.Worker, s.Err
}

// AckWorker returns s.Err.
func (s *Stub) AckWorker(context.Context, string, *provobs.WorkItem) error {
	s.ran(provobs.OpAckWorker)
	return s.Err
}

// AbandonWorker returns s.Err.
func (s *Stub) AbandonWorker(context.Context, string, provobs.AbandonOptions) error {
	s.ran(provobs.OpAbandonWorker)
	return s.Err
}

// RenewWorkerLock returns s.Err.
func (s *Stub) RenewWorkerLock(context.Context, string, time.Duration) error {
	s.ran(provobs.OpRenewWorker)
	return s.Err
}

// RenewSessionLock returns (s.Sessions, s.Err).
func (s *Stub) RenewSessionLock(context.Context, []string, time.Duration, time.Duration) (int, error) {
	s.ran(provobs.OpRenewSessionLock)
	return s.Sessions, s.Err
}

// CleanupOrphanedSessions returns (s.Sessions, s.Err).
func (s *Stub) CleanupOrphanedSessions(context.Context, time.Duration) (int, error) {
	s.ran(provobs.OpCleanupOrphanedSessions)
	return s.Sessions, s.Err
}

// ReadHistory returns (s.Events, s.Err).
func (s *Stub) ReadHistory(context.Context, string, uint64) ([]provobs.Event, error) {
	s.ran(provobs.OpReadHistory)
	return s.Events, s.Err
}

// QueueDepths returns (s.Depths, s.Err).
func (s *Stub) QueueDepths(context.Context) (provobs.QueueDepths, error) {
	s.ran(provobs.OpQueueDepths)
	return s.Depths, s.Err
}

// ListInstances returns (s.Instances, s.Err).
func (s *Stub) ListInstances(context.Context, provobs.ListOptions) ([]provobs.InstanceInfo, error) {
	s.ran(provobs.OpListInstances)
	return s.Instances, s.Err
}

// InstanceInfo returns (s.Info, s.Err).
func (s *Stub) InstanceInfo(context.Context, string) (*provobs.InstanceInfo, error) {
	s.ran(provobs.OpInstanceInfo)
	return s.Info, s.Err
}

// Close counts the call and returns nil.
func (s *Stub) Close() error {
	s.closed.Add(1)
	return nil
}

// ProviderOnly hides every method of p but the Provider's, for tests of
// what a wrapper does around a provider without the Admin or io.Closer
// capability.
func ProviderOnly(p provobs.Provider) provobs.Provider { return providerOnly{p} }

type providerOnly struct{ provobs.Provider }
