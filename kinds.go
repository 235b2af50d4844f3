package provobs

import "strconv"

// WorkItemKind says what a WorkItem asks of the runtime. The zero value is
// invalid; providers reject it with TypeInvalidArgument.
type WorkItemKind uint8

// The work item kinds. ActivityExecute items live on the worker queue; every
// other kind lives on the orchestrator queue.
const (
	KindStartOrchestration WorkItemKind = iota + 1
	KindActivityExecute
	KindActivityCompleted
	KindActivityFailed
	KindTimerFired
	KindExternalRaised
	KindSubOrchCompleted
	KindSubOrchFailed
	KindCancelInstance
	KindContinueAsNew

	numWorkItemKinds = iota
)

var workItemKindNames = [...]string{
	KindStartOrchestration: "StartOrchestration",
	KindActivityExecute:    "ActivityExecute",
	KindActivityCompleted:  "ActivityCompleted",
	KindActivityFailed:     "ActivityFailed",
	KindTimerFired:         "TimerFired",
	KindExternalRaised:     "ExternalRaised",
	KindSubOrchCompleted:   "SubOrchCompleted",
	KindSubOrchFailed:      "SubOrchFailed",
	KindCancelInstance:     "CancelInstance",
	KindContinueAsNew:      "ContinueAsNew",
}

// Valid reports whether k is one of the defined kinds.
func (k WorkItemKind) Valid() bool { return k >= KindStartOrchestration && k <= numWorkItemKinds }

// String returns the kind's name, or "WorkItemKind(n)" for an invalid kind.
func (k WorkItemKind) String() string {
	if k.Valid() {
		return workItemKindNames[k]
	}
	return "WorkItemKind(" + strconv.Itoa(int(k)) + ")"
}

// EventKind names a history event. Providers store it as given; the constants
// below are the kinds the stress harness and the conformance suite use, and a
// runtime may add its own.
type EventKind string

// Common history event kinds.
const (
	EventOrchestrationStarted   EventKind = "OrchestrationStarted"
	EventOrchestrationCompleted EventKind = "OrchestrationCompleted"
	EventOrchestrationFailed    EventKind = "OrchestrationFailed"
	EventActivityScheduled      EventKind = "ActivityScheduled"
	EventActivityCompleted      EventKind = "ActivityCompleted"
	EventActivityFailed         EventKind = "ActivityFailed"
	EventTimerCreated           EventKind = "TimerCreated"
	EventTimerFired             EventKind = "TimerFired"
	EventExternalRaised         EventKind = "ExternalRaised"
	EventContinuedAsNew         EventKind = "ContinuedAsNew"
	EventCancelRequested        EventKind = "CancelRequested"
)

// InstanceStatus is an instance's runtime status. The empty status in an
// InstanceMetadata means "leave unchanged".
type InstanceStatus string

// Instance statuses.
const (
	StatusPending        InstanceStatus = "Pending"
	StatusRunning        InstanceStatus = "Running"
	StatusCompleted      InstanceStatus = "Completed"
	StatusFailed         InstanceStatus = "Failed"
	StatusContinuedAsNew InstanceStatus = "ContinuedAsNew"
	StatusTerminated     InstanceStatus = "Terminated"
)

// Terminal reports whether s is a final status (Completed, Failed or
// Terminated).
func (s InstanceStatus) Terminal() bool {
	return s == StatusCompleted || s == StatusFailed || s == StatusTerminated
}
