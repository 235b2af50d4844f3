package provobs

import (
	"fmt"
	"math"
	"time"
)

// The argument rules of the contract, written once for every provider: a
// provider calls these before it touches its store, so bad input fails the
// same way everywhere (TypeInvalidArgument, nothing changed).

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
		return invalidArgument(op, "empty instance id")
	}
	if !it.Kind.Valid() {
		return invalidArgument(op, "invalid work item kind %v", it.Kind)
	}
	if it.Kind == KindActivityExecute {
		return invalidArgument(op, "%v item on the orchestrator queue", it.Kind)
	}
	return validateItem(op, it)
}

// ValidateWorkerItem checks an item bound for the worker queue
// (EnqueueWorker, an ack's WorkerItems): a non-empty instance id, kind
// ActivityExecute and a representable fire time.
func ValidateWorkerItem(op Op, it WorkItem) error {
	if it.InstanceID == "" {
		return invalidArgument(op, "empty instance id")
	}
	if it.Kind != KindActivityExecute {
		return invalidArgument(op, "%v item on the worker queue", it.Kind)
	}
	return validateItem(op, it)
}

// ValidateAck checks an orchestration ack: an execution id in 1..MaxID,
// event ids up to MaxID, and every item it enqueues.
func ValidateAck(op Op, ack OrchestrationAck) error {
	if ack.ExecutionID == 0 {
		return invalidArgument(op, "ack with execution id 0")
	}
	if ack.ExecutionID > MaxID {
		return invalidArgument(op, "execution id %d out of range", ack.ExecutionID)
	}
	for _, e := range ack.HistoryDelta {
		if e.ID > MaxID {
			return invalidArgument(op, "event id %d out of range", e.ID)
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
		return invalidArgument(op, "fire time %v outside the years 1678 to 2262", it.FireAt)
	}
	return nil
}

func invalidArgument(op Op, format string, args ...any) *Error {
	return NewError(op, TypeInvalidArgument, fmt.Errorf(format, args...))
}
