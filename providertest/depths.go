package providertest

import (
	"time"

	"github.com/provobs/provobs"
)

var depthCases = []testCase{
	{"empty_depths_are_zero", "an empty provider reports zero for every queue", emptyDepths},
	{"orchestrator_depth_counts_visible_messages", "the orchestrator depth counts visible messages, not instances", orchDepthCounts},
	{"locked_messages_not_counted", "a fetched batch leaves the orchestrator depth while its lock holds", lockedNotCounted},
	{"expired_lock_messages_counted_again", "a batch whose lock expired counts in the orchestrator depth again", expiredCountedAgain},
	{"worker_depth_counts_items", "the worker depth counts unlocked worker items", workerDepthCounts},
	{"locked_worker_items_not_counted", "a dequeued item leaves the worker depth while its lock holds", lockedWorkerNotCounted},
	{"expired_worker_locks_counted_again", "a worker item whose lock expired counts in the worker depth again", expiredWorkerCounted},
	{"future_messages_count_as_timers", "a message enqueued with a delay counts as a timer, not in the orchestrator depth", futureAreTimers},
	{"ack_timers_count_as_timers", "a TimerFired item with a future FireAt, enqueued by an ack, counts as a timer", ackTimersCount},
	{"due_timers_move_to_orchestrator_depth", "a timer whose time has come counts in the orchestrator depth, no longer as a timer", dueTimersMove},
	{"acked_work_leaves_depths", "acked batches and worker items leave every depth", ackedLeaveDepths},
}

func emptyDepths(h *harness) {
	h.wantDepths(provobs.QueueDepths{}, "empty provider")
}

func orchDepthCounts(h *harness) {
	h.admin()
	h.enqueue(startMsg("a"), eventMsg("a", "e"), startMsg("b"))
	h.wantDepths(provobs.QueueDepths{Orchestrator: 3}, "three messages for two instances")
}

func lockedNotCounted(h *harness) {
	h.admin()
	h.enqueue(startMsg("a"), eventMsg("a", "e"), startMsg("b"))
	h.fetchOne("a")
	h.wantDepths(provobs.QueueDepths{Orchestrator: 1}, "a's two messages are locked")
}

func expiredCountedAgain(h *harness) {
	h.admin()
	h.enqueue(startMsg("a"), eventMsg("a", "e"))
	h.wantInstance(h.fetchWith(provobs.FetchOptions{LockTimeout: h.short()}), "a")
	expired(time.Now(), h.short())
	h.wantDepths(provobs.QueueDepths{Orchestrator: 2}, "a's lock expired")
}

func workerDepthCounts(h *harness) {
	h.admin()
	h.enqueueWorker(activity("a", 1, 1), activity("a", 1, 2), sessionActivity("a", 3, "s1"))
	h.wantDepths(provobs.QueueDepths{Worker: 3}, "three worker items")
}

func lockedWorkerNotCounted(h *harness) {
	h.admin()
	h.enqueueWorker(activity("a", 1, 1), activity("a", 1, 2))
	h.dequeueOne(nil, activity("a", 1, 1))
	h.wantDepths(provobs.QueueDepths{Worker: 1}, "one of two items is locked")
}

func expiredWorkerCounted(h *harness) {
	h.admin()
	h.enqueueWorker(activity("a", 1, 1))
	h.wantWorker(h.dequeueWith(provobs.FetchOptions{LockTimeout: h.short()}, nil), activity("a", 1, 1))
	expired(time.Now(), h.short())
	h.wantDepths(provobs.QueueDepths{Worker: 1}, "the item's lock expired")
}

func futureAreTimers(h *harness) {
	h.admin()
	h.enqueueAfter(eventMsg("a", "later"), time.Hour)
	h.enqueue(eventMsg("b", "now"))
	h.wantDepths(provobs.QueueDepths{Orchestrator: 1, Timer: 1}, "one delayed and one visible message")
}

func ackTimersCount(h *harness) {
	h.admin()
	h.startInstance("a")
	it := h.raise("a")
	timer := provobs.WorkItem{Kind: provobs.KindTimerFired, InstanceID: "a", ExecutionID: 1, CorrelationID: 2, FireAt: time.Now().Add(time.Hour)}
	h.ack(it.LockToken, provobs.OrchestrationAck{ExecutionID: 1, OrchestratorItems: []provobs.WorkItem{timer}})
	h.wantDepths(provobs.QueueDepths{Timer: 1}, "one timer an hour away")
}

func dueTimersMove(h *harness) {
	h.admin()
	d := h.medium()
	t0 := time.Now()
	h.enqueueAfter(eventMsg("a", "later"), d)
	if got := h.depths(); got != (provobs.QueueDepths{Timer: 1}) {
		h.inconclusive(t0, d-slack, "enqueue and QueueDepths")
		h.Fatalf("just after a delayed enqueue: depths %+v, want one timer", got)
	}
	sleepUntil(time.Now().Add(d + 2*slack))
	h.wantDepths(provobs.QueueDepths{Orchestrator: 1}, "the delayed message is due")
}

func ackedLeaveDepths(h *harness) {
	h.admin()
	h.enqueue(startMsg("a"))
	h.enqueueWorker(activity("b", 1, 1))
	h.ack(h.fetchOne("a").LockToken, startAck())
	h.ackWorker(h.dequeueOne(nil, activity("b", 1, 1)).LockToken, nil)
	h.wantDepths(provobs.QueueDepths{}, "everything was acked")
}
