package providertest

import (
	"github.com/provobs/provobs"
)

var attemptCases = []testCase{
	{"first_fetch_attempt_is_one", "the first fetch of a batch reports AttemptCount 1", firstFetchAttempt},
	{"abandon_then_refetch_increments", "each refetch after an abandon adds one to the attempt count", abandonIncrements},
	{"expiry_then_refetch_increments", "a refetch after lock expiry adds one to the attempt count", expiryIncrements},
	{"batch_attempt_is_max", "a batch reports the highest attempt count among its messages", batchAttemptMax},
	{"untagged_messages_keep_their_count", "messages that arrived during a lock were not counted by that fetch", untaggedKeepCount},
	{"ignore_attempt_gives_attempt_back", "an abandon with IgnoreAttempt gives the fetch's attempt back", ignoreAttempt},
	{"ignore_attempt_never_below_zero", "repeated fetch and IgnoreAttempt abandons never drive the count below zero", ignoreAttemptFloor},
	{"new_messages_after_ack_start_at_one", "a message enqueued by or after an ack starts at attempt 1", newAfterAck},
	{"worker_first_dequeue_attempt_is_one", "the first dequeue of a worker item reports AttemptCount 1", workerFirstAttempt},
	{"worker_abandon_then_dequeue_increments", "each re-dequeue after an abandon adds one to the item's attempt count", workerAbandonIncrements},
	{"worker_expiry_then_dequeue_increments", "a re-dequeue after lock expiry adds one to the item's attempt count", workerExpiryIncrements},
	{"worker_ignore_attempt_gives_attempt_back", "a worker abandon with IgnoreAttempt gives the dequeue's attempt back", workerIgnoreAttempt},
	{"worker_ignore_attempt_never_below_zero", "repeated dequeue and IgnoreAttempt abandons never drive the item's count below zero", workerIgnoreFloor},
	{"worker_attempts_are_per_item", "abandoning one worker item does not count against another", workerAttemptsPerItem},
}

func (h *harness) wantAttempt(got, want int, what string) {
	h.Helper()
	if got != want {
		h.Fatalf("%s: AttemptCount %d, want %d", what, got, want)
	}
}

func firstFetchAttempt(h *harness) {
	h.enqueue(startMsg("a"))
	h.wantAttempt(h.fetchOne("a").AttemptCount, 1, "first fetch")
}

func abandonIncrements(h *harness) {
	h.enqueue(startMsg("a"))
	for want := 1; want <= 5; want++ {
		it := h.fetchOne("a")
		h.wantAttempt(it.AttemptCount, want, "fetch after abandons")
		h.abandon(it.LockToken, provobs.AbandonOptions{})
	}
}

func expiryIncrements(h *harness) {
	h.enqueue(startMsg("a"))
	h.wantAttempt(h.wantInstance(h.fetchWith(provobs.FetchOptions{LockTimeout: h.short()}), "a").AttemptCount, 1, "first fetch")
	var it *provobs.OrchestrationItem
	h.eventually("a is fetchable after expiry", func() bool { it = h.fetch(); return it != nil })
	h.wantAttempt(it.AttemptCount, 2, "refetch after expiry")
}

func batchAttemptMax(h *harness) {
	h.enqueue(eventMsg("a", "old"))
	for range 2 {
		h.abandon(h.fetchOne("a").LockToken, provobs.AbandonOptions{})
	}
	h.enqueue(eventMsg("a", "new"))
	it := h.fetchOne("a")
	h.wantItems(it.Messages, eventMsg("a", "old"), eventMsg("a", "new"))
	h.wantAttempt(it.AttemptCount, 3, "batch of a third-attempt and a first-attempt message")
}

func untaggedKeepCount(h *harness) {
	h.startInstance("a")
	h.enqueue(eventMsg("a", "m1"))
	it := h.fetchOne("a")
	h.enqueue(eventMsg("a", "m2"))
	h.ack(it.LockToken, provobs.OrchestrationAck{ExecutionID: 1})
	next := h.fetchOne("a")
	h.wantItems(next.Messages, eventMsg("a", "m2"))
	h.wantAttempt(next.AttemptCount, 1, "a message that arrived while the instance was locked")
}

func ignoreAttempt(h *harness) {
	h.enqueue(startMsg("a"))
	it := h.fetchOne("a")
	h.abandon(it.LockToken, provobs.AbandonOptions{})
	it = h.fetchOne("a")
	h.wantAttempt(it.AttemptCount, 2, "second fetch")
	h.abandon(it.LockToken, provobs.AbandonOptions{IgnoreAttempt: true})
	h.wantAttempt(h.fetchOne("a").AttemptCount, 2, "fetch after an IgnoreAttempt abandon")
}

func ignoreAttemptFloor(h *harness) {
	h.enqueue(startMsg("a"))
	for range 4 {
		it := h.fetchOne("a")
		h.wantAttempt(it.AttemptCount, 1, "fetch after IgnoreAttempt abandons")
		h.abandon(it.LockToken, provobs.AbandonOptions{IgnoreAttempt: true})
	}
	it := h.fetchOne("a")
	h.abandon(it.LockToken, provobs.AbandonOptions{})
	h.wantAttempt(h.fetchOne("a").AttemptCount, 2, "fetch after one counted abandon")
}

func newAfterAck(h *harness) {
	h.enqueue(startMsg("a"))
	h.abandon(h.fetchOne("a").LockToken, provobs.AbandonOptions{})
	it := h.fetchOne("a")
	h.wantAttempt(it.AttemptCount, 2, "second fetch")
	ack := startAck()
	ack.OrchestratorItems = []provobs.WorkItem{eventMsg("a", "from ack")}
	h.ack(it.LockToken, ack)
	h.wantAttempt(h.fetchOne("a").AttemptCount, 1, "a message enqueued by the ack")
}

func workerFirstAttempt(h *harness) {
	h.enqueueWorker(activity("a", 1, 1))
	h.wantAttempt(h.dequeueOne(nil, activity("a", 1, 1)).AttemptCount, 1, "first dequeue")
}

func workerAbandonIncrements(h *harness) {
	h.enqueueWorker(activity("a", 1, 1))
	for want := 1; want <= 5; want++ {
		w := h.dequeueOne(nil, activity("a", 1, 1))
		h.wantAttempt(w.AttemptCount, want, "dequeue after abandons")
		h.must(h.p.AbandonWorker(h.ctx(), w.LockToken, provobs.AbandonOptions{}), "AbandonWorker")
	}
}

func workerExpiryIncrements(h *harness) {
	h.enqueueWorker(activity("a", 1, 1))
	w := h.wantWorker(h.dequeueWith(provobs.FetchOptions{LockTimeout: h.short()}, nil), activity("a", 1, 1))
	h.wantAttempt(w.AttemptCount, 1, "first dequeue")
	h.eventually("the item is dequeued after expiry", func() bool { w = h.dequeue(nil); return w != nil })
	h.wantAttempt(w.AttemptCount, 2, "dequeue after expiry")
}

func workerIgnoreAttempt(h *harness) {
	h.enqueueWorker(activity("a", 1, 1))
	w := h.dequeueOne(nil, activity("a", 1, 1))
	h.must(h.p.AbandonWorker(h.ctx(), w.LockToken, provobs.AbandonOptions{}), "AbandonWorker")
	w = h.dequeueOne(nil, activity("a", 1, 1))
	h.wantAttempt(w.AttemptCount, 2, "second dequeue")
	h.must(h.p.AbandonWorker(h.ctx(), w.LockToken, provobs.AbandonOptions{IgnoreAttempt: true}), "AbandonWorker IgnoreAttempt")
	h.wantAttempt(h.dequeueOne(nil, activity("a", 1, 1)).AttemptCount, 2, "dequeue after an IgnoreAttempt abandon")
}

func workerIgnoreFloor(h *harness) {
	h.enqueueWorker(activity("a", 1, 1))
	for range 4 {
		w := h.dequeueOne(nil, activity("a", 1, 1))
		h.wantAttempt(w.AttemptCount, 1, "dequeue after IgnoreAttempt abandons")
		h.must(h.p.AbandonWorker(h.ctx(), w.LockToken, provobs.AbandonOptions{IgnoreAttempt: true}), "AbandonWorker IgnoreAttempt")
	}
	w := h.dequeueOne(nil, activity("a", 1, 1))
	h.must(h.p.AbandonWorker(h.ctx(), w.LockToken, provobs.AbandonOptions{}), "AbandonWorker")
	h.wantAttempt(h.dequeueOne(nil, activity("a", 1, 1)).AttemptCount, 2, "dequeue after one counted abandon")
}

func workerAttemptsPerItem(h *harness) {
	h.enqueueWorker(activity("a", 1, 1), activity("a", 1, 2))
	w1 := h.dequeueOne(nil, activity("a", 1, 1))
	w2 := h.dequeueOne(nil, activity("a", 1, 2))
	h.must(h.p.AbandonWorker(h.ctx(), w1.LockToken, provobs.AbandonOptions{}), "AbandonWorker")
	h.wantAttempt(h.dequeueOne(nil, activity("a", 1, 1)).AttemptCount, 2, "the abandoned item")
	h.must(h.p.AbandonWorker(h.ctx(), w2.LockToken, provobs.AbandonOptions{IgnoreAttempt: true}), "AbandonWorker IgnoreAttempt")
	h.wantAttempt(h.dequeueOne(nil, activity("a", 1, 2)).AttemptCount, 1, "the other item")
}
