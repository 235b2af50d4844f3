package providertest

import (
	"github.com/provobs/provobs"
)

var cancellationCases = []testCase{
	{"cancelled_activities_are_removed", "activities named in CancelledActivities leave the worker queue; the others stay", cancelledRemoved},
	{"cancelled_locked_activity_renew_lock_lost", "cancelling a dequeued activity makes the worker's RenewWorkerLock fail with TypeLockLost", cancelledRenewLost},
	{"cancelled_locked_activity_ack_lock_lost", "cancelling a dequeued activity makes the worker's AckWorker fail with TypeLockLost, enqueueing nothing", cancelledAckLost},
	{"cancelled_locked_activity_abandon_lock_lost", "cancelling a dequeued activity makes AbandonWorker fail with TypeLockLost; the item does not come back", cancelledAbandonLost},
	{"schedule_and_cancel_in_one_ack_is_noop", "an activity scheduled and cancelled by the same ack never reaches the worker queue", scheduleAndCancel},
	{"cancel_scoped_to_instance", "cancelling correlation id n leaves other instances' activities with the same id", cancelScopedInstance},
	{"cancel_scoped_to_execution", "cancelling in execution 2 leaves execution 1's activity with the same correlation id", cancelScopedExecution},
	{"cancel_unknown_activity_is_noop", "cancelling a correlation id with no queued activity succeeds and changes nothing else", cancelUnknown},
	{"cancel_removes_session_items", "cancelling removes a queued activity pinned to a session", cancelSessionItem},
	{"cancel_after_completion_keeps_completion", "cancelling an activity whose completion arrived during the turn keeps the completion message", cancelAfterCompletion},
}

// cancelTurn runs a turn of instance id that cancels corrs in exec.
func (h *harness) cancelTurn(id string, exec uint64, corrs ...uint64) {
	h.Helper()
	it := h.raise(id)
	h.ack(it.LockToken, provobs.OrchestrationAck{ExecutionID: exec, CancelledActivities: corrs})
}

func cancelledRemoved(h *harness) {
	h.startInstance("a")
	h.schedule("a", 1, 1, 2, 3, 4)
	h.cancelTurn("a", 1, 2, 4)
	h.dequeueOne(nil, activity("a", 1, 1))
	h.dequeueOne(nil, activity("a", 1, 3))
	h.dequeueNone(nil, "activities 2 and 4 were cancelled")
}

// cancelLocked schedules activity 1 of a, dequeues it, cancels it, and
// returns the worker's lock token.
func (h *harness) cancelLocked() string {
	h.Helper()
	h.startInstance("a")
	h.schedule("a", 1, 1)
	w := h.dequeueOne(nil, activity("a", 1, 1))
	h.cancelTurn("a", 1, 1)
	return w.LockToken
}

func cancelledRenewLost(h *harness) {
	tok := h.cancelLocked()
	h.wantLockLost(h.p.RenewWorkerLock(h.ctx(), tok, longLock), "RenewWorkerLock of a cancelled activity")
}

func cancelledAckLost(h *harness) {
	tok := h.cancelLocked()
	h.wantLockLost(h.p.AckWorker(h.ctx(), tok, completion("a", 1, 1)), "AckWorker of a cancelled activity")
	h.fetchNone("the cancelled activity's completion was not enqueued")
}

func cancelledAbandonLost(h *harness) {
	tok := h.cancelLocked()
	h.wantLockLost(h.p.AbandonWorker(h.ctx(), tok, provobs.AbandonOptions{}), "AbandonWorker of a cancelled activity")
	h.dequeueNone(nil, "the cancelled activity")
}

func scheduleAndCancel(h *harness) {
	h.startInstance("a")
	it := h.raise("a")
	h.ack(it.LockToken, provobs.OrchestrationAck{
		ExecutionID:         1,
		WorkerItems:         []provobs.WorkItem{activity("a", 1, 5), activity("a", 1, 6)},
		CancelledActivities: []uint64{5},
	})
	h.dequeueOne(nil, activity("a", 1, 6))
	h.dequeueNone(nil, "activity 5 was scheduled and cancelled in one ack")
}

func cancelScopedInstance(h *harness) {
	h.startInstance("a")
	h.startInstance("b")
	h.schedule("a", 1, 1)
	h.schedule("b", 1, 1)
	h.cancelTurn("a", 1, 1)
	h.dequeueOne(nil, activity("b", 1, 1))
	h.dequeueNone(nil, "a's activity 1 was cancelled")
}

func cancelScopedExecution(h *harness) {
	h.startInstance("a")
	h.schedule("a", 1, 1)
	h.continueAsNew("a", 1)
	h.schedule("a", 2, 1)
	h.cancelTurn("a", 2, 1)
	h.dequeueOne(nil, activity("a", 1, 1))
	h.dequeueNone(nil, "execution 2's activity 1 was cancelled")
}

func cancelUnknown(h *harness) {
	h.startInstance("a")
	h.schedule("a", 1, 1)
	h.cancelTurn("a", 1, 99)
	h.dequeueOne(nil, activity("a", 1, 1))
}

func cancelSessionItem(h *harness) {
	h.startInstance("a")
	it := h.raise("a")
	h.ack(it.LockToken, provobs.OrchestrationAck{ExecutionID: 1, WorkerItems: []provobs.WorkItem{sessionActivity("a", 1, "s1")}})
	h.cancelTurn("a", 1, 1)
	h.dequeueNone(owner("A", longLease), "the cancelled session activity")
}

func cancelAfterCompletion(h *harness) {
	h.startInstance("a")
	h.schedule("a", 1, 1)
	w := h.dequeueOne(nil, activity("a", 1, 1))
	it := h.raise("a")
	h.ackWorker(w.LockToken, completion("a", 1, 1))
	h.ack(it.LockToken, provobs.OrchestrationAck{ExecutionID: 1, CancelledActivities: []uint64{1}})
	h.wantItems(h.fetchOne("a").Messages, *completion("a", 1, 1))
}
