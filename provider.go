package provobs

import (
	"context"
	"time"
)

// Provider is the storage contract under a durable orchestration runtime: an
// orchestrator queue with instance-level peek-locks, a worker queue with
// item-level peek-locks, sessions, timers and append-only history.
//
// Every method takes a context first. A fetch or dequeue that finds no
// eligible work returns (nil, nil). Every error a Provider returns should be a
// *Error so callers can branch on its Type without matching text; see TypeOf.
// Implementations must be safe for concurrent use.
//
// Rules every implementation follows (the providertest suite checks them):
//   - Lock tokens are fresh UUID strings. An empty, unknown, expired or
//     already used token fails with TypeLockLost and changes nothing.
//   - A failed ack changes nothing and leaves the lock as it was, so the
//     caller can retry or abandon.
//   - Attempt counts start at 0, are incremented on every fetch or dequeue
//     (including a refetch after lock expiry), and decremented (never below
//     0) by an abandon with IgnoreAttempt.
//   - Bad arguments fail with TypeInvalidArgument: an empty instance id, an
//     invalid kind, an ActivityExecute item given to EnqueueOrchestrator or
//     any other kind given to EnqueueWorker, a negative delay, an ack with
//     ExecutionID 0.
//   - A cancelled context fails with TypeCanceled, a context whose
//     deadline passed with TypeDeadlineExceeded, a closed provider with
//     TypeClosed; none changes the store.
//   - These rules are code in validate.go (ValidateCall, ValidateFetch,
//     ValidateSession, ...) with the defaults (DefaultLockTimeout,
//     DefaultListLimit) and errors.go's constructors (LockLostError, ...):
//     a provider calls them rather than restating them.
//   - Payloads round-trip byte for byte; an empty payload reads back empty.
type Provider interface {
	// FetchOrchestrationItem locks the first visible instance whose lock is
	// free or expired, tags its visible messages with a fresh lock token,
	// increments their attempt counts and returns them with the instance's
	// current execution history. With opts.PollTimeout > 0 it may wait that
	// long for work. (nil, nil) means no eligible work, never a lost race.
	FetchOrchestrationItem(ctx context.Context, opts FetchOptions) (*OrchestrationItem, error)

	// AckOrchestrationItem commits one orchestration turn atomically: it
	// deletes the tagged messages, creates the instance and execution rows
	// idempotently, appends the history delta, updates status and output,
	// enqueues worker items before deleting cancelled activities (locked
	// ones too: the worker's next renew or ack then fails with
	// TypeLockLost), enqueues orchestrator items and releases the lock. Only
	// messages tagged at fetch are deleted; messages that arrived since stay
	// for the next fetch. A duplicate event id fails
	// the whole ack with TypeConflict and changes nothing. An invalid or
	// expired token fails with TypeLockLost.
	AckOrchestrationItem(ctx context.Context, lockToken string, ack OrchestrationAck) error

	// AbandonOrchestrationItem releases an instance lock without acking. The
	// messages become visible again after opts.Delay; opts.IgnoreAttempt
	// gives back the attempt counted at fetch (never below zero).
	AbandonOrchestrationItem(ctx context.Context, lockToken string, opts AbandonOptions) error

	// RenewOrchestrationItemLock extends a lock that is still valid to
	// now+extendFor. An invalid or expired token fails with TypeLockLost.
	RenewOrchestrationItemLock(ctx context.Context, lockToken string, extendFor time.Duration) error

	// EnqueueOrchestrator inserts a message for item.InstanceID, visible at
	// now+delay. It never creates the instance row: an event may arrive
	// before the instance starts.
	EnqueueOrchestrator(ctx context.Context, item WorkItem, delay time.Duration) error

	// EnqueueWorker inserts an unlocked, visible activity item. Items are
	// dequeued in insertion order.
	EnqueueWorker(ctx context.Context, item WorkItem) error

	// DequeueWorker peek-locks one worker item and increments its attempt
	// count. With session == nil only items without a session are eligible;
	// with a session config, session-less items, items of sessions the owner
	// holds and items of unowned or expired sessions (claimed in the same
	// transaction) are. (nil, nil) means no eligible work.
	DequeueWorker(ctx context.Context, opts FetchOptions, session *SessionConfig) (*WorkerItem, error)

	// AckWorker deletes a locked worker item and, when completion is not
	// nil, enqueues it to the orchestrator queue, in one transaction. An
	// invalid or expired token fails with TypeLockLost and the item stays
	// fetchable after its lock expires. It touches the session's
	// last-activity time.
	AckWorker(ctx context.Context, lockToken string, completion *WorkItem) error

	// AbandonWorker releases a worker item lock without acking, as
	// AbandonOrchestrationItem does for instances.
	AbandonWorker(ctx context.Context, lockToken string, opts AbandonOptions) error

	// RenewWorkerLock extends a worker item lock that is still valid and
	// touches its session's last-activity time. TypeLockLost here is the
	// worker's signal that its activity was cancelled or taken over.
	RenewWorkerLock(ctx context.Context, lockToken string, extendFor time.Duration) error

	// RenewSessionLock extends the leases of the live sessions of ownerIDs
	// that were active within idleTimeout, and returns how many it renewed.
	// It never re-acquires an expired lease.
	RenewSessionLock(ctx context.Context, ownerIDs []string, extendFor, idleTimeout time.Duration) (int, error)

	// CleanupOrphanedSessions deletes the sessions that have no queued
	// worker items and whose lease expired or (idleTimeout > 0) whose last
	// activity is older than idleTimeout; it returns how many it deleted.
	CleanupOrphanedSessions(ctx context.Context, idleTimeout time.Duration) (int, error)

	// ReadHistory returns one execution's events in event-id order;
	// executionID 0 means the latest execution. An unknown instance yields
	// an empty slice and no error.
	ReadHistory(ctx context.Context, instanceID string, executionID uint64) ([]Event, error)
}

// Admin is the optional operator capability of a Provider, discovered by
// type assertion (p.(provobs.Admin)). A Provider built with Chain implements
// Admin exactly when the innermost provider does, and admin calls are
// intercepted like every other operation.
type Admin interface {
	// QueueDepths counts the visible, unlocked (or lock-expired) messages of
	// the orchestrator and worker queues, and the timers scheduled in the
	// future.
	QueueDepths(ctx context.Context) (QueueDepths, error)

	// ListInstances lists instances in instance-id order, filtered and paged
	// by opts.
	ListInstances(ctx context.Context, opts ListOptions) ([]InstanceInfo, error)

	// InstanceInfo describes one instance; an unknown instance yields
	// (nil, nil).
	InstanceInfo(ctx context.Context, instanceID string) (*InstanceInfo, error)
}
