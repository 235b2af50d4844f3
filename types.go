package provobs

import "time"

// WorkItem is a message on the orchestrator queue or, for
// KindActivityExecute, on the worker queue. Payload is opaque: providers
// store it as given and middlewares never log it.
type WorkItem struct {
	// Kind says what the item asks for; it must be Valid.
	Kind WorkItemKind
	// InstanceID routes the item to its instance; it must not be empty.
	InstanceID string
	// ExecutionID is the execution the item belongs to (0 when not yet
	// known, as for a start message).
	ExecutionID uint64
	// CorrelationID ties a completion to what scheduled it: the activity's,
	// timer's or sub-orchestration's event id.
	CorrelationID uint64
	// SessionID pins an activity item to a session ("" for none). Only
	// worker items use it.
	SessionID string
	// FireAt is when a KindTimerFired item becomes visible when it is
	// enqueued by an ack. Zero means now.
	FireAt time.Time
	// Payload is the opaque, runtime-encoded content.
	Payload []byte
}

// Event is one entry of an execution's append-only history. The runtime
// assigns every ID; a provider never invents or overwrites one.
type Event struct {
	// ID is unique within (instance, execution) and orders the history.
	ID uint64
	// Kind names the event.
	Kind EventKind
	// Payload is the opaque, runtime-encoded content.
	Payload []byte
}

// OrchestrationItem is one fetched, locked orchestration turn: the batch of
// visible messages of one instance and its current execution's history.
type OrchestrationItem struct {
	// InstanceID is the locked instance.
	InstanceID string
	// ExecutionID is the instance's current execution, 0 when the instance
	// row does not exist yet.
	ExecutionID uint64
	// Messages is the batch, in enqueue order; the ack deletes exactly these.
	Messages []WorkItem
	// History is the current execution's events in id order.
	History []Event
	// LockToken identifies the lock for ack, abandon and renew.
	LockToken string
	// AttemptCount is the highest attempt count in the batch (1 on the first
	// fetch).
	AttemptCount int
}

// InstanceMetadata creates or updates the instance and execution rows in an
// ack. Empty fields leave the stored values unchanged.
type InstanceMetadata struct {
	// Name is the orchestration name, set when the instance is created.
	Name string
	// Version is the orchestration version, set when the instance is created.
	Version string
	// Status is the new status ("" leaves it unchanged).
	Status InstanceStatus
	// Output is the execution's output (nil leaves it unchanged).
	Output []byte
}

// OrchestrationAck is everything one orchestration turn commits.
type OrchestrationAck struct {
	// ExecutionID is the execution the delta belongs to; a new id (as after
	// continue-as-new) creates that execution and makes it current. It must
	// not be 0. An ack for an execution older than the current one (a stale
	// turn) appends its delta and items and updates that execution's status
	// and output, but never the instance's: InstanceInfo and ListInstances
	// keep reporting the current execution. A new execution acked without a
	// status is Running.
	ExecutionID uint64
	// HistoryDelta is appended to the execution's history.
	HistoryDelta []Event
	// WorkerItems are enqueued to the worker queue (KindActivityExecute).
	WorkerItems []WorkItem
	// OrchestratorItems are enqueued to the orchestrator queue; a
	// KindTimerFired item becomes visible at its FireAt.
	OrchestratorItems []WorkItem
	// Metadata creates the instance and execution rows idempotently and
	// updates status and output.
	Metadata InstanceMetadata
	// CancelledActivities are correlation ids of this instance's activity
	// items (of ExecutionID) to delete from the worker queue, after
	// WorkerItems are enqueued.
	CancelledActivities []uint64
}

// WorkerItem is one dequeued, locked activity item.
type WorkerItem struct {
	// Item is the activity work item.
	Item WorkItem
	// LockToken identifies the lock for ack, abandon and renew.
	LockToken string
	// AttemptCount counts the deliveries of this item (1 on the first).
	AttemptCount int
}

// FetchOptions tunes a fetch or dequeue.
type FetchOptions struct {
	// LockTimeout is how long the lock is held before it expires. Zero uses
	// the provider's default.
	LockTimeout time.Duration
	// PollTimeout is how long to wait for work when none is visible. Zero
	// returns at once.
	PollTimeout time.Duration
}

// AbandonOptions tunes an abandon.
type AbandonOptions struct {
	// Delay keeps the released messages invisible for this long.
	Delay time.Duration
	// IgnoreAttempt gives back the attempt counted at fetch (never below 0).
	IgnoreAttempt bool
}

// SessionConfig makes a dequeue session-aware.
type SessionConfig struct {
	// OwnerID identifies the worker that holds sessions.
	OwnerID string
	// LockTimeout is the session lease claimed or kept by a dequeue. Zero
	// uses the provider's default.
	LockTimeout time.Duration
}

// QueueDepths is a snapshot of the queues, from Admin.QueueDepths.
type QueueDepths struct {
	// Orchestrator counts visible orchestrator messages that are unlocked
	// or whose lock expired.
	Orchestrator int64
	// Worker counts visible worker items that are unlocked or whose lock
	// expired.
	Worker int64
	// Timer counts orchestrator messages scheduled in the future.
	Timer int64
}

// ListOptions filters and pages Admin.ListInstances.
type ListOptions struct {
	// Status keeps only instances in this status ("" keeps all).
	Status InstanceStatus
	// After starts the listing after this instance id ("" from the start).
	After string
	// Limit caps the result; zero or less uses the provider's default.
	Limit int
}

// InstanceInfo describes an instance for an operator.
type InstanceInfo struct {
	// InstanceID identifies the instance.
	InstanceID string
	// Name and Version are the orchestration's, set by the first ack.
	Name    string
	Version string
	// Status is the runtime status of the current execution.
	Status InstanceStatus
	// ExecutionID is the current execution.
	ExecutionID uint64
	// Output is the current execution's output, if any.
	Output []byte
	// CreatedAt is when the first ack created the instance; UpdatedAt when
	// an ack last changed it.
	CreatedAt time.Time
	UpdatedAt time.Time
}
