package providertest

import (
	"fmt"
	"time"

	"github.com/provobs/provobs"
)

var queueCases = []testCase{
	{"empty_queues_have_no_work", "fetch and dequeue on an empty provider return (nil, nil)", emptyQueues},
	{"fetch_order_follows_oldest_message", "instances are fetched in the order of their oldest visible message", fetchOrder},
	{"batch_in_enqueue_order", "a batch holds every visible message of the instance, in enqueue order", batchInOrder},
	{"batch_of_150_messages", "a fetch returns all 150 visible messages of an instance in enqueue order, and the ack deletes them all", batch150},
	{"every_orchestrator_kind_round_trips", "every orchestrator kind keeps its instance, execution, correlation id and payload", everyKindRoundTrips},
	{"worker_queue_is_fifo", "worker items are dequeued in insertion order", workerFIFO},
	{"worker_item_fields_round_trip", "a worker item keeps its instance, execution, correlation id, session and payload", workerFieldsRoundTrip},
	{"acked_messages_never_return", "an acked batch is gone: it is not fetched again after the lock would have expired", ackedNeverReturn},
	{"acked_worker_item_never_returns", "an acked worker item is gone: it is not dequeued again after the lock would have expired", ackedWorkerNeverReturns},
	{"ack_worker_without_completion_deletes_only", "AckWorker with a nil completion deletes the item and enqueues nothing", ackWorkerNilCompletion},
	{"delayed_message_visible_after_delay", "a message enqueued with a delay is invisible until the delay passes, then fetchable", delayedVisible},
	{"delayed_message_does_not_block_others", "a delayed message does not hide other instances' visible messages", delayedNotBlocking},
	{"batch_excludes_future_messages", "a batch leaves out the instance's messages that are not yet visible", batchExcludesFuture},
	{"timer_fires_at_fire_at", "a TimerFired item enqueued by an ack becomes visible at its FireAt, not before", timerFiresAt},
	{"timer_with_zero_fire_at_is_visible_now", "a TimerFired item with a zero FireAt is visible at once", timerZeroFireAt},
	{"timer_in_the_past_is_visible_now", "a TimerFired item whose FireAt has passed is visible at once", timerPast},
	{"abandon_with_delay_hides_messages", "an abandon with a Delay hides the batch for that long, then it is fetchable", abandonDelay},
	{"worker_abandon_with_delay_hides_item", "a worker abandon with a Delay hides the item for that long, then it is dequeued", workerAbandonDelay},
	{"ack_enqueues_worker_items_in_order", "the worker items of one ack are dequeued in the ack's order", ackWorkerItemsOrder},
	{"ack_enqueues_orchestrator_items", "orchestrator items of an ack reach their instances, including the acking one", ackOrchItems},
}

func emptyQueues(h *harness) {
	h.fetchNone("empty provider")
	h.dequeueNone(nil, "empty provider")
	h.dequeueNone(owner("w1", longLease), "empty provider, with a session config")
}

func fetchOrder(h *harness) {
	// Instance ids in reverse lexical order, so an id order is caught.
	h.enqueue(startMsg("c"), startMsg("b"), startMsg("a"))
	h.fetchOne("c")
	h.fetchOne("b")
	h.fetchOne("a")
}

func batchInOrder(h *harness) {
	msgs := []provobs.WorkItem{
		startMsg("a"), eventMsg("a", "e1"),
		{Kind: provobs.KindActivityCompleted, InstanceID: "a", ExecutionID: 1, CorrelationID: 2, Payload: []byte("r2")},
		eventMsg("a", "e2"),
		{Kind: provobs.KindActivityFailed, InstanceID: "a", ExecutionID: 1, CorrelationID: 1, Payload: []byte("f1")},
	}
	h.enqueue(msgs...)
	h.wantItems(h.fetchOne("a").Messages, msgs...)
}

func everyKindRoundTrips(h *harness) {
	var msgs []provobs.WorkItem
	for k := provobs.KindStartOrchestration; k.Valid(); k++ {
		if k == provobs.KindActivityExecute {
			continue
		}
		msgs = append(msgs, provobs.WorkItem{
			Kind: k, InstanceID: "a", ExecutionID: uint64(k) + 100, CorrelationID: uint64(k) * 1000,
			Payload: []byte("payload of " + k.String()),
		})
	}
	h.enqueue(msgs...)
	h.wantItems(h.fetchOne("a").Messages, msgs...)
}

func workerFIFO(h *harness) {
	var items []provobs.WorkItem
	for i := range 5 {
		// Instances in reverse order, so an id order is caught.
		items = append(items, activity(string(rune('e'-i)), 1, uint64(10-i)))
	}
	h.enqueueWorker(items...)
	for _, want := range items {
		h.dequeueOne(nil, want)
	}
}

func workerFieldsRoundTrip(h *harness) {
	plain := provobs.WorkItem{Kind: provobs.KindActivityExecute, InstanceID: "a", ExecutionID: 7, CorrelationID: 42, Payload: []byte("input")}
	pinned := plain
	pinned.CorrelationID, pinned.SessionID = 43, "session-1"
	h.enqueueWorker(plain, pinned)
	h.dequeueOne(owner("w1", longLease), plain)
	h.dequeueOne(owner("w1", longLease), pinned)
}

func ackedNeverReturn(h *harness) {
	h.enqueue(startMsg("a"))
	t0 := time.Now()
	it := h.wantInstance(h.fetchWith(provobs.FetchOptions{LockTimeout: h.medium()}), "a")
	h.inTime(h.p.AckOrchestrationItem(h.ctx(), it.LockToken, startAck()), t0, h.medium(), "AckOrchestrationItem")
	expired(time.Now(), h.medium())
	h.fetchNone("the acked batch")
}

func ackedWorkerNeverReturns(h *harness) {
	h.enqueueWorker(activity("a", 1, 1))
	t0 := time.Now()
	w := h.wantWorker(h.dequeueWith(provobs.FetchOptions{LockTimeout: h.medium()}, nil), activity("a", 1, 1))
	h.inTime(h.p.AckWorker(h.ctx(), w.LockToken, completion("a", 1, 1)), t0, h.medium(), "AckWorker")
	expired(time.Now(), h.medium())
	h.dequeueNone(nil, "the acked worker item")
}

func ackWorkerNilCompletion(h *harness) {
	h.enqueueWorker(activity("a", 1, 1))
	w := h.dequeueOne(nil, activity("a", 1, 1))
	h.ackWorker(w.LockToken, nil)
	h.fetchNone("a nil completion enqueues nothing")
	h.dequeueNone(nil, "the acked item")
}

// fetchWhenVisible polls until a fetch returns work, failing the case if
// that happens before notBefore (less slack) or never.
func (h *harness) fetchWhenVisible(notBefore time.Time, what string) *provobs.OrchestrationItem {
	h.Helper()
	var it *provobs.OrchestrationItem
	h.eventually(what+" becomes visible", func() bool { it = h.fetch(); return it != nil })
	if now := time.Now(); now.Before(notBefore.Add(-slack)) {
		h.Fatalf("%s was visible %v early", what, notBefore.Sub(now))
	}
	return it
}

func (h *harness) dequeueWhenVisible(notBefore time.Time, what string) *provobs.WorkerItem {
	h.Helper()
	var w *provobs.WorkerItem
	h.eventually(what+" becomes visible", func() bool { w = h.dequeue(nil); return w != nil })
	if now := time.Now(); now.Before(notBefore.Add(-slack)) {
		h.Fatalf("%s was visible %v early", what, notBefore.Sub(now))
	}
	return w
}

func delayedVisible(h *harness) {
	d := h.short()
	t0 := time.Now()
	h.enqueueAfter(eventMsg("a", "later"), d)
	it := h.fetchWhenVisible(t0.Add(d), "a message delayed by "+d.String())
	h.wantInstance(it, "a")
	h.wantItems(it.Messages, eventMsg("a", "later"))
}

func delayedNotBlocking(h *harness) {
	h.enqueueAfter(eventMsg("a", "much later"), time.Hour)
	h.enqueue(eventMsg("b", "now"))
	h.wantItems(h.fetchOne("b").Messages, eventMsg("b", "now"))
	h.fetchNone("a's only message is an hour away")
}

func batchExcludesFuture(h *harness) {
	d := h.medium()
	h.enqueue(eventMsg("a", "now"))
	t0 := time.Now()
	h.enqueueAfter(eventMsg("a", "later"), d)
	it := h.fetchOne("a")
	if len(it.Messages) != 1 {
		h.inconclusive(t0, d-slack, "fetching the batch")
	}
	h.wantItems(it.Messages, eventMsg("a", "now"))
	h.ack(it.LockToken, startAck())
	later := h.fetchWhenVisible(t0.Add(d), "the delayed message")
	h.wantItems(h.wantInstance(later, "a").Messages, eventMsg("a", "later"))
}

func timerFiresAt(h *harness) {
	h.startInstance("a")
	it := h.raise("a")
	fire := time.Now().Add(h.short())
	timer := provobs.WorkItem{Kind: provobs.KindTimerFired, InstanceID: "a", ExecutionID: 1, CorrelationID: 2, FireAt: fire, Payload: []byte("tick")}
	h.ack(it.LockToken, provobs.OrchestrationAck{ExecutionID: 1, HistoryDelta: []provobs.Event{ev(2, provobs.EventTimerCreated)}, OrchestratorItems: []provobs.WorkItem{timer}})
	got := h.fetchWhenVisible(fire, "a timer")
	h.wantInstance(got, "a")
	h.wantItems(got.Messages, timer)
}

func timerZeroFireAt(h *harness) {
	h.startInstance("a")
	it := h.raise("a")
	timer := provobs.WorkItem{Kind: provobs.KindTimerFired, InstanceID: "a", ExecutionID: 1, CorrelationID: 2, Payload: []byte("tick")}
	h.ack(it.LockToken, provobs.OrchestrationAck{ExecutionID: 1, OrchestratorItems: []provobs.WorkItem{timer}})
	h.wantItems(h.fetchOne("a").Messages, timer)
}

func timerPast(h *harness) {
	h.startInstance("a")
	it := h.raise("a")
	timer := provobs.WorkItem{Kind: provobs.KindTimerFired, InstanceID: "a", ExecutionID: 1, CorrelationID: 2, FireAt: time.Now().Add(-time.Hour), Payload: []byte("tick")}
	h.ack(it.LockToken, provobs.OrchestrationAck{ExecutionID: 1, OrchestratorItems: []provobs.WorkItem{timer}})
	h.wantItems(h.fetchOne("a").Messages, timer)
}

func abandonDelay(h *harness) {
	d := h.short()
	h.enqueue(eventMsg("a", "m1"))
	it := h.fetchOne("a")
	t0 := time.Now()
	h.abandon(it.LockToken, provobs.AbandonOptions{Delay: d})
	got := h.fetchWhenVisible(t0.Add(d), "a batch abandoned with a delay")
	h.wantInstance(got, "a")
	h.wantItems(got.Messages, eventMsg("a", "m1"))
}

func workerAbandonDelay(h *harness) {
	d := h.short()
	h.enqueueWorker(activity("a", 1, 1))
	w := h.dequeueOne(nil, activity("a", 1, 1))
	t0 := time.Now()
	h.must(h.p.AbandonWorker(h.ctx(), w.LockToken, provobs.AbandonOptions{Delay: d}), "AbandonWorker with a delay")
	h.wantWorker(h.dequeueWhenVisible(t0.Add(d), "a worker item abandoned with a delay"), activity("a", 1, 1))
}

func ackWorkerItemsOrder(h *harness) {
	h.startInstance("a")
	it := h.raise("a")
	items := []provobs.WorkItem{activity("a", 1, 9), activity("a", 1, 3), activity("a", 1, 5)}
	h.ack(it.LockToken, provobs.OrchestrationAck{ExecutionID: 1, WorkerItems: items})
	for _, want := range items {
		h.dequeueOne(nil, want)
	}
}

func ackOrchItems(h *harness) {
	h.startInstance("a")
	it := h.raise("a")
	self := eventMsg("a", "to self")
	other := eventMsg("b", "to b")
	h.ack(it.LockToken, provobs.OrchestrationAck{ExecutionID: 1, OrchestratorItems: []provobs.WorkItem{self, other}})
	first, second := h.fetch(), h.fetch()
	if first == nil || second == nil {
		h.Fatalf("after an ack enqueueing to a and b: fetches returned %v and %v", first, second)
	}
	if first.InstanceID == "b" {
		first, second = second, first
	}
	h.wantItems(h.wantInstance(first, "a").Messages, self)
	h.wantItems(h.wantInstance(second, "b").Messages, other)
}

func batch150(h *harness) {
	var want []provobs.WorkItem
	for i := range 150 {
		m := eventMsg("a", fmt.Sprintf("m%03d", i))
		want = append(want, m)
		h.enqueue(m)
	}
	it := h.fetchOne("a")
	h.wantItems(it.Messages, want...)
	h.ack(it.LockToken, startAck())
	h.fetchNone("after acking the 150-message batch")
}
