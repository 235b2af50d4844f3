package provobs

import "strconv"

// Op identifies one provider operation. The operation catalogue (label,
// metric name and the attribute that carries the result size) is defined
// here, once; see the table in the package documentation.
type Op uint8

// The operations, one per Provider and Admin method.
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

	// NumOps is one more than the highest Op, so a [NumOps]T array indexed
	// by Op holds one slot per operation (slot 0 unused).
	NumOps = iota + 1
)

// Result-size attribute keys: what Call.Size counts for each operation.
const (
	SizeMessages        = "messages"
	SizeEvents          = "events"
	SizeItems           = "items"
	SizeSessionsRenewed = "sessions_renewed"
	SizeSessionsCleaned = "sessions_cleaned"
	SizeInstances       = "instances"
)

type opInfo struct {
	label   string
	method  string
	metric  string
	sizeKey string
}

var ops = [NumOps]opInfo{
	OpFetch:                   {"fetch", "FetchOrchestrationItem", "provider_fetch_orchestration_item_duration_ms", SizeMessages},
	OpAckOrch:                 {"ack_orch", "AckOrchestrationItem", "provider_ack_orchestration_item_duration_ms", SizeEvents},
	OpAbandonOrch:             {"abandon_orch", "AbandonOrchestrationItem", "provider_abandon_orch_duration_ms", ""},
	OpRenewOrch:               {"renew_orch", "RenewOrchestrationItemLock", "provider_renew_orch_duration_ms", ""},
	OpEnqueue:                 {"enqueue", "EnqueueOrchestrator", "provider_enqueue_orchestrator_duration_ms", ""},
	OpEnqueueWorker:           {"enqueue_worker", "EnqueueWorker", "provider_enqueue_worker_duration_ms", ""},
	OpDequeue:                 {"dequeue", "DequeueWorker", "provider_dequeue_worker_duration_ms", SizeMessages},
	OpAckWorker:               {"ack_worker", "AckWorker", "provider_ack_worker_duration_ms", ""},
	OpAbandonWorker:           {"abandon_worker", "AbandonWorker", "provider_abandon_worker_duration_ms", ""},
	OpRenewWorker:             {"renew_worker", "RenewWorkerLock", "provider_renew_worker_duration_ms", ""},
	OpRenewSessionLock:        {"renew_session_lock", "RenewSessionLock", "provider_renew_session_lock_duration_ms", SizeSessionsRenewed},
	OpCleanupOrphanedSessions: {"cleanup_orphaned_sessions", "CleanupOrphanedSessions", "provider_cleanup_orphaned_sessions_duration_ms", SizeSessionsCleaned},
	OpReadHistory:             {"read_history", "ReadHistory", "provider_read_history_duration_ms", SizeEvents},
	OpQueueDepths:             {"queue_depths", "QueueDepths", "provider_queue_depths_duration_ms", SizeItems},
	OpListInstances:           {"list_instances", "ListInstances", "provider_list_instances_duration_ms", SizeInstances},
	OpInstanceInfo:            {"instance_info", "InstanceInfo", "provider_instance_info_duration_ms", SizeInstances},
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
// of the `operation` log attribute and metric label.
func (op Op) String() string {
	if op.Valid() {
		return ops[op].label
	}
	return "Op(" + strconv.Itoa(int(op)) + ")"
}

// Method returns the name of the Provider or Admin method the op stands for.
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

// Admin reports whether op belongs to the Admin capability.
func (op Op) Admin() bool { return op >= OpQueueDepths && op < NumOps }
