package provobs

import "strconv"

// Op identifies one storage operation. The operation catalogue below is the
// single source of each op's label, method, latency histogram, size key and
// interface; the package documentation shows it as a table and a test keeps
// the two, the Provider and Admin interfaces and the wrapper in step.
type Op uint8

// The operations: one per Provider and Admin method, then the operations
// that other storage interfaces have and Provider does not.
const (
	OpFetch Op = iota + 1
	OpAckOrch
	OpAbandonOrch
	OpRenewOrch
	OpEnqueue
	OpEnqueueWorker
	OpDequeue
	OpAckWorker
	OpAbandonWorker
	OpRenewWorker
	OpRenewSessionLock
	OpCleanupOrphanedSessions
	OpReadHistory
	OpQueueDepths
	OpListInstances
	OpInstanceInfo
	OpRemoveInstance
	OpPrepareQueues

	// NumOps is one more than the highest Op, so a [NumOps]T array indexed
	// by Op holds one slot per operation (slot 0 unused).
	NumOps = iota + 1
)

// Interface says which provobs interface has an op's method.
type Interface uint8

// The interfaces of the catalogue.
const (
	// InterfaceNone: no provobs method; the op exists for other storage
	// interfaces (go-workflows' instance removal, queue preparation).
	InterfaceNone Interface = iota
	// InterfaceProvider: a Provider method.
	InterfaceProvider
	// InterfaceAdmin: an Admin method.
	InterfaceAdmin
)

type opInfo struct {
	label   string
	method  string
	metric  string
	sizeKey string
	iface   Interface
}

var ops = [NumOps]opInfo{
	OpFetch:                   {"fetch", "FetchOrchestrationItem", "provider_fetch_orchestration_item_duration_ms", SizeMessages, InterfaceProvider},
	OpAckOrch:                 {"ack_orch", "AckOrchestrationItem", "provider_ack_orchestration_item_duration_ms", SizeEvents, InterfaceProvider},
	OpAbandonOrch:             {"abandon_orch", "AbandonOrchestrationItem", "provider_abandon_orch_duration_ms", "", InterfaceProvider},
	OpRenewOrch:               {"renew_orch", "RenewOrchestrationItemLock", "provider_renew_orch_duration_ms", "", InterfaceProvider},
	OpEnqueue:                 {"enqueue", "EnqueueOrchestrator", "provider_enqueue_orchestrator_duration_ms", "", InterfaceProvider},
	OpEnqueueWorker:           {"enqueue_worker", "EnqueueWorker", "provider_enqueue_worker_duration_ms", "", InterfaceProvider},
	OpDequeue:                 {"dequeue", "DequeueWorker", "provider_dequeue_worker_duration_ms", SizeMessages, InterfaceProvider},
	OpAckWorker:               {"ack_worker", "AckWorker", "provider_ack_worker_duration_ms", "", InterfaceProvider},
	OpAbandonWorker:           {"abandon_worker", "AbandonWorker", "provider_abandon_worker_duration_ms", "", InterfaceProvider},
	OpRenewWorker:             {"renew_worker", "RenewWorkerLock", "provider_renew_worker_duration_ms", "", InterfaceProvider},
	OpRenewSessionLock:        {"renew_session_lock", "RenewSessionLock", "provider_renew_session_lock_duration_ms", SizeSessionsRenewed, InterfaceProvider},
	OpCleanupOrphanedSessions: {"cleanup_orphaned_sessions", "CleanupOrphanedSessions", "provider_cleanup_orphaned_sessions_duration_ms", SizeSessionsCleaned, InterfaceProvider},
	OpReadHistory:             {"read_history", "ReadHistory", "provider_read_history_duration_ms", SizeEvents, InterfaceProvider},
	OpQueueDepths:             {"queue_depths", "QueueDepths", "provider_queue_depths_duration_ms", SizeItems, InterfaceAdmin},
	OpListInstances:           {"list_instances", "ListInstances", "provider_list_instances_duration_ms", SizeInstances, InterfaceAdmin},
	OpInstanceInfo:            {"instance_info", "InstanceInfo", "provider_instance_info_duration_ms", SizeInstances, InterfaceAdmin},
	OpRemoveInstance:          {"remove_instance", "", "provider_remove_instance_duration_ms", "", InterfaceNone},
	OpPrepareQueues:           {"prepare_queues", "", "provider_prepare_queues_duration_ms", "", InterfaceNone},
}

// Ops returns every operation in catalogue order. The slice is new on each
// call.
func Ops() []Op {
	out := make([]Op, 0, NumOps-1)
	for op := OpFetch; op < NumOps; op++ {
		out = append(out, op)
	}
	return out
}

// Valid reports whether op is a defined operation.
func (op Op) Valid() bool { return op >= OpFetch && op < NumOps }

// String returns the operation's label ("fetch", "ack_orch", ...), the value
// of the operation log attribute and metric label.
func (op Op) String() string {
	if op.Valid() {
		return ops[op].label
	}
	return "Op(" + strconv.Itoa(int(op)) + ")"
}

// Method returns the name of the Provider or Admin method the op stands for,
// or "" when no provobs interface has one (Interface() == InterfaceNone).
func (op Op) Method() string {
	if op.Valid() {
		return ops[op].method
	}
	return ""
}

// MetricName returns the name of the op's latency histogram in milliseconds,
// as exposed to Prometheus ("provider_fetch_orchestration_item_duration_ms").
func (op Op) MetricName() string {
	if op.Valid() {
		return ops[op].metric
	}
	return ""
}

// SizeKey returns the log attribute key for the op's result size
// ("messages", "events", ...), or "" when the op has no meaningful size.
func (op Op) SizeKey() string {
	if op.Valid() {
		return ops[op].sizeKey
	}
	return ""
}

// Interface returns the provobs interface that has the op's method.
func (op Op) Interface() Interface {
	if op.Valid() {
		return ops[op].iface
	}
	return InterfaceNone
}

// Admin reports whether op belongs to the Admin capability.
func (op Op) Admin() bool { return op.Interface() == InterfaceAdmin }

// Polls reports whether op waits for work (fetch and dequeue), so that a
// success with size 0 is an empty poll.
func (op Op) Polls() bool { return op == OpFetch || op == OpDequeue }

// ParseOp returns the Op whose label is s ("fetch", ...).
func ParseOp(s string) (Op, bool) {
	for op := OpFetch; op < NumOps; op++ {
		if ops[op].label == s {
			return op, true
		}
	}
	return 0, false
}

// MethodOps returns, in catalogue order, the operations that a Provider or
// Admin method runs (every op but those of InterfaceNone). The slice is new
// on each call.
func MethodOps() []Op {
	out := make([]Op, 0, NumOps-1)
	for op := OpFetch; op < NumOps; op++ {
		if ops[op].iface != InterfaceNone {
			out = append(out, op)
		}
	}
	return out
}
