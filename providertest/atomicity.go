package providertest

import (
	"bytes"
	"errors"

	"github.com/provobs/provobs"
)

var atomicityCases = []testCase{
	{"ack_commits_every_part", "a successful ack appends history, enqueues worker and orchestrator items, sets status and deletes the batch", ackCommitsEveryPart},
	{"duplicate_event_id_fails_with_conflict", "an ack repeating a stored event id fails with TypeConflict", duplicateEventConflict},
	{"duplicate_within_delta_fails", "an ack whose delta repeats an event id fails with TypeConflict", duplicateWithinDelta},
	{"failed_ack_appends_no_history", "a failed ack appends no event and leaves stored events as they were", failedAckAppendsNothing},
	{"failed_ack_enqueues_nothing", "a failed ack enqueues neither its worker nor its orchestrator items", failedAckEnqueuesNothing},
	{"failed_ack_keeps_lock", "after a failed ack the instance stays locked and the same token can still ack", failedAckKeepsLock},
	{"failed_ack_keeps_messages", "a failed ack deletes no message: an abandon makes the batch fetchable again", failedAckKeepsMessages},
	{"failed_ack_keeps_cancelled_activities", "a failed ack deletes none of the activities it cancels", failedAckKeepsCancelled},
	{"failed_first_ack_creates_no_instance", "a failed first ack creates no instance and no history", failedFirstAckNoInstance},
	{"failed_ack_keeps_status", "a failed ack leaves status and output unchanged (Admin)", failedAckKeepsStatus},
	{"invalid_item_fails_whole_ack", "an ack carrying an invalid item fails with TypeInvalidArgument and changes nothing", invalidItemFailsAck},
	{"failed_worker_ack_keeps_item", "a worker ack with an invalid completion fails, keeps the item locked and enqueues nothing", failedWorkerAckKeepsItem},
	{"worker_ack_moves_item_atomically", "a worker ack deletes the item and enqueues the completion together", workerAckAtomic},
}

func ackCommitsEveryPart(h *harness) {
	h.startInstance("a")
	it := h.raise("a")
	h.ack(it.LockToken, provobs.OrchestrationAck{
		ExecutionID:       1,
		HistoryDelta:      []provobs.Event{ev(2, provobs.EventActivityScheduled)},
		WorkerItems:       []provobs.WorkItem{activity("a", 1, 2)},
		OrchestratorItems: []provobs.WorkItem{startMsg("child")},
		Metadata:          provobs.InstanceMetadata{Status: provobs.StatusCompleted, Output: []byte("out")},
	})
	h.wantEvents(h.history("a", 1), 1, 2)
	h.dequeueOne(nil, activity("a", 1, 2))
	h.fetchOne("child")
	if a, ok := h.p.(provobs.Admin); ok {
		inf, err := a.InstanceInfo(h.ctx(), "a")
		h.must(err, "InstanceInfo")
		if inf == nil || inf.Status != provobs.StatusCompleted || string(inf.Output) != "out" {
			h.Fatalf("InstanceInfo after ack: %+v, want status Completed and output \"out\"", inf)
		}
	}
	h.fetchNone("the acked batch of a was deleted")
}

// failDuplicate runs a turn on a started instance "a" whose ack repeats
// event id 1 and also carries every other kind of change; it returns the
// locked item and the ack's error.
func (h *harness) failDuplicate() (*provobs.OrchestrationItem, error) {
	h.Helper()
	h.startInstance("a")
	it := h.raise("a")
	err := h.p.AckOrchestrationItem(h.ctx(), it.LockToken, provobs.OrchestrationAck{
		ExecutionID:       1,
		HistoryDelta:      []provobs.Event{ev(2, provobs.EventActivityScheduled), {ID: 1, Kind: "Overwrite", Payload: []byte("overwritten")}},
		WorkerItems:       []provobs.WorkItem{activity("a", 1, 2)},
		OrchestratorItems: []provobs.WorkItem{startMsg("child")},
		Metadata:          provobs.InstanceMetadata{Status: provobs.StatusFailed, Output: []byte("bad")},
	})
	return it, err
}

func duplicateEventConflict(h *harness) {
	_, err := h.failDuplicate()
	h.wantType(err, provobs.TypeConflict, "ack with a stored event id")
	if !errors.Is(err, provobs.ErrConflict) {
		h.Fatalf("errors.Is(err, ErrConflict) is false for %v", err)
	}
}

func duplicateWithinDelta(h *harness) {
	h.startInstance("a")
	it := h.raise("a")
	err := h.p.AckOrchestrationItem(h.ctx(), it.LockToken, provobs.OrchestrationAck{
		ExecutionID:  1,
		HistoryDelta: []provobs.Event{ev(2, provobs.EventTimerCreated), ev(2, provobs.EventTimerCreated)},
	})
	h.wantType(err, provobs.TypeConflict, "ack with event id 2 twice in its delta")
	h.wantEvents(h.history("a", 1), 1)
}

func failedAckAppendsNothing(h *harness) {
	_, err := h.failDuplicate()
	h.wantType(err, provobs.TypeConflict, "ack with a stored event id")
	evs := h.history("a", 1)
	h.wantEvents(evs, 1)
	if evs[0].Kind != provobs.EventOrchestrationStarted || !bytes.Equal(evs[0].Payload, ev(1, "").Payload) {
		h.Fatalf("event 1 was overwritten: %+v", evs[0])
	}
}

func failedAckEnqueuesNothing(h *harness) {
	_, err := h.failDuplicate()
	h.wantType(err, provobs.TypeConflict, "ack with a stored event id")
	h.dequeueNone(nil, "the failed ack's worker item")
	h.fetchNone("the failed ack's orchestrator item (child) while a is locked")
}

func failedAckKeepsLock(h *harness) {
	it, err := h.failDuplicate()
	h.wantType(err, provobs.TypeConflict, "ack with a stored event id")
	h.fetchNone("a is still locked after the failed ack")
	h.must(h.p.RenewOrchestrationItemLock(h.ctx(), it.LockToken, longLock), "renew after the failed ack")
	h.ack(it.LockToken, provobs.OrchestrationAck{ExecutionID: 1, HistoryDelta: []provobs.Event{ev(2, provobs.EventExternalRaised)}})
	h.wantEvents(h.history("a", 1), 1, 2)
	h.fetchNone("the retried ack deleted the batch")
}

func failedAckKeepsMessages(h *harness) {
	it, err := h.failDuplicate()
	h.wantType(err, provobs.TypeConflict, "ack with a stored event id")
	h.abandon(it.LockToken, provobs.AbandonOptions{})
	again := h.fetchOne("a")
	h.wantItems(again.Messages, eventMsg("a", "raise:a"))
}

func failedAckKeepsCancelled(h *harness) {
	h.startInstance("a")
	h.schedule("a", 1, 7)
	it := h.raise("a")
	err := h.p.AckOrchestrationItem(h.ctx(), it.LockToken, provobs.OrchestrationAck{
		ExecutionID:         1,
		HistoryDelta:        []provobs.Event{ev(1, provobs.EventCancelRequested)},
		CancelledActivities: []uint64{7},
	})
	h.wantType(err, provobs.TypeConflict, "ack with a stored event id")
	h.dequeueOne(nil, activity("a", 1, 7))
}

func failedFirstAckNoInstance(h *harness) {
	h.enqueue(startMsg("a"))
	it := h.fetchOne("a")
	ack := startAck()
	ack.HistoryDelta = append(ack.HistoryDelta, ev(1, provobs.EventOrchestrationStarted))
	h.wantType(h.p.AckOrchestrationItem(h.ctx(), it.LockToken, ack), provobs.TypeConflict, "first ack with a duplicate event id")
	if evs := h.history("a", 0); len(evs) != 0 {
		h.Fatalf("history after a failed first ack: %d events, want none", len(evs))
	}
	if a, ok := h.p.(provobs.Admin); ok {
		inf, err := a.InstanceInfo(h.ctx(), "a")
		h.must(err, "InstanceInfo")
		if inf != nil {
			h.Fatalf("a failed first ack created the instance: %+v", inf)
		}
	}
	h.abandon(it.LockToken, provobs.AbandonOptions{})
	if again := h.fetchOne("a"); again.ExecutionID != 0 || len(again.History) != 0 {
		h.Fatalf("refetch after a failed first ack: execution %d with %d events, want 0 and none", again.ExecutionID, len(again.History))
	}
}

func failedAckKeepsStatus(h *harness) {
	h.admin()
	_, err := h.failDuplicate()
	h.wantType(err, provobs.TypeConflict, "ack with a stored event id")
	inf := h.info("a")
	if inf == nil || inf.Status != provobs.StatusRunning || len(inf.Output) != 0 {
		h.Fatalf("InstanceInfo after a failed ack: %+v, want status Running and no output", inf)
	}
}

func invalidItemFailsAck(h *harness) {
	h.startInstance("a")
	it := h.raise("a")
	err := h.p.AckOrchestrationItem(h.ctx(), it.LockToken, provobs.OrchestrationAck{
		ExecutionID:       1,
		HistoryDelta:      []provobs.Event{ev(2, provobs.EventExternalRaised)},
		WorkerItems:       []provobs.WorkItem{activity("a", 1, 2)},
		OrchestratorItems: []provobs.WorkItem{eventMsg("", "no instance")},
	})
	h.wantType(err, provobs.TypeInvalidArgument, "ack with an orchestrator item without instance id")
	h.wantEvents(h.history("a", 1), 1)
	h.dequeueNone(nil, "the rejected ack's worker item")
	h.fetchNone("a is still locked after the rejected ack")
	h.ack(it.LockToken, provobs.OrchestrationAck{ExecutionID: 1, HistoryDelta: []provobs.Event{ev(2, provobs.EventExternalRaised)}})
}

func failedWorkerAckKeepsItem(h *harness) {
	h.enqueueWorker(activity("a", 1, 1))
	w := h.dequeueOne(nil, activity("a", 1, 1))
	bad := completion("a", 1, 1)
	bad.Kind = 0
	h.wantType(h.p.AckWorker(h.ctx(), w.LockToken, bad), provobs.TypeInvalidArgument, "AckWorker with an invalid completion kind")
	h.fetchNone("the rejected completion")
	h.dequeueNone(nil, "the item is still locked")
	h.ackWorker(w.LockToken, completion("a", 1, 1))
	h.wantItems(h.fetchOne("a").Messages, *completion("a", 1, 1))
}

func workerAckAtomic(h *harness) {
	h.enqueueWorker(activity("a", 1, 1))
	w := h.dequeueOne(nil, activity("a", 1, 1))
	h.ackWorker(w.LockToken, completion("a", 1, 1))
	h.wantItems(h.fetchOne("a").Messages, *completion("a", 1, 1))
	h.wantLockLost(h.p.AckWorker(h.ctx(), w.LockToken, completion("a", 1, 1)), "second AckWorker with the same token")
	h.dequeueNone(nil, "the acked item")
}
