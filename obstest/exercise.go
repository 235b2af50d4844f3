package obstest

import (
	"context"
	"fmt"
	"time"

	"github.com/provobs/provobs"
)

// ExerciseInstance is the instance id Exercise works on.
const ExerciseInstance = "obstest-exercise"

// Exercise drives p through one orchestration turn that calls every
// Provider operation at least once, and every Admin operation once when p
// implements provobs.Admin. Every call is expected to succeed. The calls by
// lock token carry provobs.WithInstance, so every call knows its instance.
//
// p must start empty. Fetch and dequeue are called twice each, all other
// operations once; no poll comes back empty. Put a Calls middleware in the
// chain to compare the calls with what the middleware under test recorded.
func Exercise(ctx context.Context, p provobs.Provider) error {
	const id = ExerciseInstance
	ictx := provobs.WithInstance(ctx, id)
	step := func(op provobs.Op, err error) error {
		if err != nil {
			return fmt.Errorf("obstest.Exercise: %s: %w", op, err)
		}
		return nil
	}
	lease := provobs.FetchOptions{LockTimeout: time.Minute}

	start := provobs.WorkItem{Kind: provobs.KindStartOrchestration, InstanceID: id, Payload: []byte(`{}`)}
	if err := p.EnqueueOrchestrator(ctx, start, 0); err != nil {
		return step(provobs.OpEnqueue, err)
	}
	orch, err := p.FetchOrchestrationItem(ctx, lease)
	if err := step(provobs.OpFetch, nonNil(orch, err)); err != nil {
		return err
	}
	if err := p.RenewOrchestrationItemLock(ictx, orch.LockToken, time.Minute); err != nil {
		return step(provobs.OpRenewOrch, err)
	}
	if err := p.AbandonOrchestrationItem(ictx, orch.LockToken, provobs.AbandonOptions{}); err != nil {
		return step(provobs.OpAbandonOrch, err)
	}
	orch, err = p.FetchOrchestrationItem(ctx, lease)
	if err := step(provobs.OpFetch, nonNil(orch, err)); err != nil {
		return err
	}
	ack := provobs.OrchestrationAck{
		ExecutionID: 1,
		HistoryDelta: []provobs.Event{
			{ID: 1, Kind: provobs.EventOrchestrationStarted},
			{ID: 2, Kind: provobs.EventActivityScheduled},
			{ID: 3, Kind: provobs.EventActivityScheduled},
		},
		WorkerItems: []provobs.WorkItem{
			{Kind: provobs.KindActivityExecute, InstanceID: id, ExecutionID: 1, CorrelationID: 2, SessionID: "obstest-session"},
			{Kind: provobs.KindActivityExecute, InstanceID: id, ExecutionID: 1, CorrelationID: 3},
		},
		Metadata: provobs.InstanceMetadata{Name: "obstest", Version: "1", Status: provobs.StatusRunning},
	}
	if err := p.AckOrchestrationItem(ictx, orch.LockToken, ack); err != nil {
		return step(provobs.OpAckOrch, err)
	}
	if _, err := p.ReadHistory(ctx, id, 0); err != nil {
		return step(provobs.OpReadHistory, err)
	}

	// Without a session only the session-less item is eligible.
	plain, err := p.DequeueWorker(ctx, lease, nil)
	if err := step(provobs.OpDequeue, nonNil(plain, err)); err != nil {
		return err
	}
	if err := p.RenewWorkerLock(ictx, plain.LockToken, time.Minute); err != nil {
		return step(provobs.OpRenewWorker, err)
	}
	// Delayed, so the next dequeue finds the session item.
	if err := p.AbandonWorker(ictx, plain.LockToken, provobs.AbandonOptions{Delay: time.Hour}); err != nil {
		return step(provobs.OpAbandonWorker, err)
	}
	session := &provobs.SessionConfig{OwnerID: "obstest-worker", LockTimeout: time.Minute}
	sess, err := p.DequeueWorker(ctx, lease, session)
	if err := step(provobs.OpDequeue, nonNil(sess, err)); err != nil {
		return err
	}
	if _, err := p.RenewSessionLock(ctx, []string{session.OwnerID}, time.Minute, time.Hour); err != nil {
		return step(provobs.OpRenewSessionLock, err)
	}
	done := &provobs.WorkItem{Kind: provobs.KindActivityCompleted, InstanceID: id, ExecutionID: 1, CorrelationID: sess.Item.CorrelationID}
	if err := p.AckWorker(ictx, sess.LockToken, done); err != nil {
		return step(provobs.OpAckWorker, err)
	}
	more := provobs.WorkItem{Kind: provobs.KindActivityExecute, InstanceID: id, ExecutionID: 1, CorrelationID: 4}
	if err := p.EnqueueWorker(ctx, more); err != nil {
		return step(provobs.OpEnqueueWorker, err)
	}
	if _, err := p.CleanupOrphanedSessions(ctx, time.Hour); err != nil {
		return step(provobs.OpCleanupOrphanedSessions, err)
	}

	a, ok := p.(provobs.Admin)
	if !ok {
		return nil
	}
	if _, err := a.QueueDepths(ctx); err != nil {
		return step(provobs.OpQueueDepths, err)
	}
	if _, err := a.ListInstances(ctx, provobs.ListOptions{}); err != nil {
		return step(provobs.OpListInstances, err)
	}
	if _, err := a.InstanceInfo(ctx, id); err != nil {
		return step(provobs.OpInstanceInfo, err)
	}
	return nil
}

// nonNil turns "no work" into an error: Exercise always expects work.
func nonNil[T any](v *T, err error) error {
	if err == nil && v == nil {
		return fmt.Errorf("found no work")
	}
	return err
}
