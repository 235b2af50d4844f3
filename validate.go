package provobs

import (
	"context"
	"math"
	"time"
)

// The argument rules of the contract, written once for every provider: a
// provider calls these before it touches its store, so bad input fails the
// same way everywhere (TypeInvalidArgument, TypeLockLost for an empty
// token; nothing changed). The providertest suite checks each rule through
// the provider under test. A provider's method opens with ValidateCall and
// the rules of its arguments:
//
//	FetchOrchestrationItem      ValidateFetch
//	AckOrchestrationItem        ValidateAck, ValidateToken
//	AbandonOrchestrationItem    ValidateAbandon, ValidateToken
//	RenewOrchestrationItemLock  ValidateExtension, ValidateToken
//	EnqueueOrchestrator         ValidateOrchestratorItem, ValidateDelay
//	EnqueueWorker               ValidateWorkerItem
//	DequeueWorker               ValidateFetch, ValidateSession
//	AckWorker                   ValidateCompletion, ValidateToken
//	AbandonWorker               ValidateAbandon, ValidateToken
//	RenewWorkerLock             ValidateExtension, ValidateToken
//	RenewSessionLock            ValidateExtension
//	CleanupOrphanedSessions     ValidateIdleTimeout
//	ReadHistory, InstanceInfo   ValidateInstanceID
//
// all given to ValidateCall in one call, and takes its durations and page
// size from LockDuration and ListLimit.

// The defaults of the contract.
const (
	// DefaultLockTimeout is the lock (and session lease) duration a
	// provider uses when a call asks for zero, unless it is configured with
	// another.
	DefaultLockTimeout = 30 * time.Second
	// DefaultListLimit is the page size of ListInstances when
	// ListOptions.Limit is zero or less.
	DefaultListLimit = 100
)

// MaxID is the largest execution or event id a provider stores and orders:
// SQL stores keep ids as signed 64-bit integers.
const MaxID = math.MaxInt64

// Fire times are stored as Unix nanoseconds, which hold the years 1678 to
// 2262; the zero time means "no fire time".
var (
	minFireAt = time.Unix(0, math.MinInt64)
	maxFireAt = time.Unix(0, math.MaxInt64)
)

// ValidateOrchestratorItem checks an item bound for the orchestrator queue
// (EnqueueOrchestrator, an ack's OrchestratorItems, an AckWorker
// completion): a non-empty instance id, a valid kind other than
// ActivityExecute and a representable fire time.
func ValidateOrchestratorItem(op Op, it WorkItem) error {
	if it.InstanceID == "" {
		return InvalidArgumentError(op, "empty instance id")
	}
	if !it.Kind.Valid() {
		return InvalidArgumentError(op, "invalid work item kind %v", it.Kind)
	}
	if it.Kind == KindActivityExecute {
		return InvalidArgumentError(op, "%v item on the orchestrator queue", it.Kind)
	}
	return validateItem(op, it)
}

// ValidateWorkerItem checks an item bound for the worker queue
// (EnqueueWorker, an ack's WorkerItems): a non-empty instance id, kind
// ActivityExecute and a representable fire time.
func ValidateWorkerItem(op Op, it WorkItem) error {
	if it.InstanceID == "" {
		return InvalidArgumentError(op, "empty instance id")
	}
	if it.Kind != KindActivityExecute {
		return InvalidArgumentError(op, "%v item on the worker queue", it.Kind)
	}
	return validateItem(op, it)
}

// ValidateCompletion checks an AckWorker completion: nil (delete the item
// only) or an item for the orchestrator queue (ValidateOrchestratorItem).
func ValidateCompletion(op Op, completion *WorkItem) error {
	if completion == nil {
		return nil
	}
	return ValidateOrchestratorItem(op, *completion)
}

// ValidateAck checks an orchestration ack: an execution id in 1..MaxID,
// event ids up to MaxID, and every item it enqueues.
func ValidateAck(op Op, ack OrchestrationAck) error {
	if ack.ExecutionID == 0 {
		return InvalidArgumentError(op, "ack with execution id 0")
	}
	if ack.ExecutionID > MaxID {
		return InvalidArgumentError(op, "execution id %d out of range", ack.ExecutionID)
	}
	for _, e := range ack.HistoryDelta {
		if e.ID > MaxID {
			return InvalidArgumentError(op, "event id %d out of range", e.ID)
		}
	}
	for _, it := range ack.WorkerItems {
		if err := ValidateWorkerItem(op, it); err != nil {
			return err
		}
	}
	for _, it := range ack.OrchestratorItems {
		if err := ValidateOrchestratorItem(op, it); err != nil {
			return err
		}
	}
	return nil
}

// fireAtRepresentable reports whether t is the zero time or fits in Unix
// nanoseconds (the years 1678 to 2262).
func fireAtRepresentable(t time.Time) bool {
	return t.IsZero() || (!t.Before(minFireAt) && !t.After(maxFireAt))
}

func validateItem(op Op, it WorkItem) error {
	if !fireAtRepresentable(it.FireAt) {
		return InvalidArgumentError(op, "fire time %v outside the years 1678 to 2262", it.FireAt)
	}
	return nil
}

// ValidateCall is the opening check of every operation, given the results
// of the argument rules that apply to it (see the table above): TypeClosed
// when the provider is closed, then the context's error (see ContextError)
// when ctx is done, then the first rule that failed. Whatever it returns,
// the call must fail with it and change nothing:
//
//	if err := provobs.ValidateCall(ctx, op, p.closed.Load(),
//		provobs.ValidateAbandon(op, opts), provobs.ValidateToken(op, token)); err != nil {
//		return err
//	}
func ValidateCall(ctx context.Context, op Op, closed bool, rules ...error) error {
	if closed {
		return ClosedError(op, nil)
	}
	if err := ctx.Err(); err != nil {
		return ContextError(op, err)
	}
	for _, err := range rules {
		if err != nil {
			return err
		}
	}
	return nil
}

// ValidateToken refuses an empty lock token with TypeLockLost, as for any
// token the provider does not hold: a by-token operation need not ask its
// store about it.
func ValidateToken(op Op, token string) error {
	if token == "" {
		return LockLostError(op)
	}
	return nil
}

// ValidateFetch checks the options of a fetch or dequeue: neither the lock
// timeout nor the poll timeout may be negative (zero means the provider's
// default lock and no waiting).
func ValidateFetch(op Op, opts FetchOptions) error {
	if opts.LockTimeout < 0 {
		return InvalidArgumentError(op, "negative lock timeout %v", opts.LockTimeout)
	}
	if opts.PollTimeout < 0 {
		return InvalidArgumentError(op, "negative poll timeout %v", opts.PollTimeout)
	}
	return nil
}

// ValidateSession checks a dequeue's session config: nil (no session) is
// valid; otherwise the owner id must not be empty and the lease must not be
// negative (zero means the provider's default).
func ValidateSession(op Op, s *SessionConfig) error {
	if s == nil {
		return nil
	}
	if s.OwnerID == "" {
		return InvalidArgumentError(op, "session config with an empty owner id")
	}
	if s.LockTimeout < 0 {
		return InvalidArgumentError(op, "negative session lock timeout %v", s.LockTimeout)
	}
	return nil
}

// ValidateAbandon checks an abandon's options: the delay may not be
// negative.
func ValidateAbandon(op Op, opts AbandonOptions) error {
	return ValidateDelay(op, opts.Delay)
}

// ValidateDelay refuses a negative visibility delay (EnqueueOrchestrator,
// AbandonOptions.Delay).
func ValidateDelay(op Op, d time.Duration) error {
	if d < 0 {
		return InvalidArgumentError(op, "negative delay %v", d)
	}
	return nil
}

// ValidateExtension refuses a negative lock or lease extension (the renew
// operations); zero means the provider's default lock timeout.
func ValidateExtension(op Op, d time.Duration) error {
	if d < 0 {
		return InvalidArgumentError(op, "negative extension %v", d)
	}
	return nil
}

// ValidateIdleTimeout refuses a negative idle timeout for
// CleanupOrphanedSessions (zero means no idle rule).
func ValidateIdleTimeout(op Op, d time.Duration) error {
	if d < 0 {
		return InvalidArgumentError(op, "negative idle timeout %v", d)
	}
	return nil
}

// ValidateInstanceID refuses an empty instance id where a call names one
// outside a work item (ReadHistory, InstanceInfo). An unknown instance is
// not an error.
func ValidateInstanceID(op Op, id string) error {
	if id == "" {
		return InvalidArgumentError(op, "empty instance id")
	}
	return nil
}

// LockDuration is the lock, lease or extension a call gets: requested when
// it is positive, otherwise def (the provider's default lock timeout,
// DefaultLockTimeout unless configured).
func LockDuration(requested, def time.Duration) time.Duration {
	if requested > 0 {
		return requested
	}
	return def
}

// ListLimit is the page size of a ListInstances call: opts.Limit when it
// is positive, otherwise DefaultListLimit.
func ListLimit(opts ListOptions) int {
	if opts.Limit > 0 {
		return opts.Limit
	}
	return DefaultListLimit
}
