package provobs

import "strconv"

// Op identifies one storage operation. The operation catalogue below is the
// single source of each op's label, method, latency histogram, size key,
// interface and use of a lock token; the package documentation shows it as
// a table and a test keeps the two, the Provider and Admin interfaces and
// their documentation, and the wrapper in step.
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

// iface says which provobs interface has an op's method.
type iface uint8

// The interfaces of the catalogue.
const (
	// ifaceNone: no provobs method; the op exists for other storage
	// interfaces (go-workflows' instance removal, queue preparation).
	ifaceNone iface = iota
	// ifaceProvider: a Provider method.
	ifaceProvider
	// ifaceAdmin: an Admin method.
	ifaceAdmin
)

// lockUse says what an op's method does with a lock token.
type lockUse uint8

// The lock columns of the catalogue.
const (
	// lockNone: the method neither takes nor returns a lock token.
	lockNone lockUse = iota
	// lockIssues: the method waits for work and returns it with a fresh
	// lock token (fetch, dequeue).
	lockIssues
	// lockPresents: the method presents a lock token and keeps the lock
	// (renew).
	lockPresents
	// lockEnds: the method presents a lock token and ends the lock (ack,
	// abandon).
	lockEnds
)

// opInfo is one row of the catalogue. A new Provider or Admin method is one
// new row (and its Op constant); the compiler and the tests then name every
// other place to change (tried with a throwaway method): the compiler
// wrap.go (one run line), obstest.Stub, the sqlite and postgres providers;
// the tests doc.go's table, the method's doc in provider.go, providertest
// (no case calls it), postgres' round-trip benchmark, obstest.Exercise and
// the per-operation tables of the root, slogprov, tracing, metrics,
// dashboards (a latency panel) and cmd/provobs tests.
type opInfo struct {
	label   string
	method  string
	metric  string
	sizeKey string
	iface   iface
	lock    lockUse
}

var ops = [NumOps]opInfo{
	OpFetch:                   {"fetch", "FetchOrchestrationItem", "provider_fetch_orchestration_item_duration_ms", SizeMessages, ifaceProvider, lockIssues},
	OpAckOrch:                 {"ack_orch", "AckOrchestrationItem", "provider_ack_orchestration_item_duration_ms", SizeEvents, ifaceProvider, lockEnds},
	OpAbandonOrch:             {"abandon_orch", "AbandonOrchestrationItem", "provider_abandon_orch_duration_ms", "", ifaceProvider, lockEnds},
	OpRenewOrch:               {"renew_orch", "RenewOrchestrationItemLock", "provider_renew_orch_duration_ms", "", ifaceProvider, lockPresents},
	OpEnqueue:                 {"enqueue", "EnqueueOrchestrator", "provider_enqueue_orchestrator_duration_ms", "", ifaceProvider, lockNone},
	OpEnqueueWorker:           {"enqueue_worker", "EnqueueWorker", "provider_enqueue_worker_duration_ms", "", ifaceProvider, lockNone},
	OpDequeue:                 {"dequeue", "DequeueWorker", "provider_dequeue_worker_duration_ms", SizeMessages, ifaceProvider, lockIssues},
	OpAckWorker:               {"ack_worker", "AckWorker", "provider_ack_worker_duration_ms", "", ifaceProvider, lockEnds},
	OpAbandonWorker:           {"abandon_worker", "AbandonWorker", "provider_abandon_worker_duration_ms", "", ifaceProvider, lockEnds},
	OpRenewWorker:             {"renew_worker", "RenewWorkerLock", "provider_renew_worker_duration_ms", "", ifaceProvider, lockPresents},
	OpRenewSessionLock:        {"renew_session_lock", "RenewSessionLock", "provider_renew_session_lock_duration_ms", SizeSessionsRenewed, ifaceProvider, lockNone},
	OpCleanupOrphanedSessions: {"cleanup_orphaned_sessions", "CleanupOrphanedSessions", "provider_cleanup_orphaned_sessions_duration_ms", SizeSessionsCleaned, ifaceProvider, lockNone},
	OpReadHistory:             {"read_history", "ReadHistory", "provider_read_history_duration_ms", SizeEvents, ifaceProvider, lockNone},
	OpQueueDepths:             {"queue_depths", "QueueDepths", "provider_queue_depths_duration_ms", SizeItems, ifaceAdmin, lockNone},
	OpListInstances:           {"list_instances", "ListInstances", "provider_list_instances_duration_ms", SizeInstances, ifaceAdmin, lockNone},
	OpInstanceInfo:            {"instance_info", "InstanceInfo", "provider_instance_info_duration_ms", SizeInstances, ifaceAdmin, lockNone},
	OpRemoveInstance:          {"remove_instance", "", "provider_remove_instance_duration_ms", "", ifaceNone, lockNone},
	OpPrepareQueues:           {"prepare_queues", "", "provider_prepare_queues_duration_ms", "", ifaceNone, lockNone},
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
// or "" when no provobs interface has one (an op of other storage
// interfaces: remove_instance, prepare_queues).
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

// Polls reports whether op waits for work and hands it out under a fresh
// lock token (fetch and dequeue), so that a success with size 0 is an empty
// poll.
func (op Op) Polls() bool { return op.Valid() && ops[op].lock == lockIssues }

// PresentsToken reports whether op's method presents a lock token that an
// earlier fetch or dequeue issued (ack, abandon, renew): its instance can be
// learned from that fetch or dequeue.
func (op Op) PresentsToken() bool {
	return op.Valid() && (ops[op].lock == lockPresents || ops[op].lock == lockEnds)
}

// EndsLock reports whether op's method presents a lock token and ends the
// lock (ack, abandon): after it succeeds the token is spent.
func (op Op) EndsLock() bool { return op.Valid() && ops[op].lock == lockEnds }

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
// Admin method runs (every op whose Method is not ""). The slice is new on
// each call.
func MethodOps() []Op {
	out := make([]Op, 0, NumOps-1)
	for op := OpFetch; op < NumOps; op++ {
		if ops[op].iface != ifaceNone {
			out = append(out, op)
		}
	}
	return out
}
