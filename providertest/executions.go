package providertest

import (
	"bytes"

	"github.com/provobs/provobs"
)

var executionCases = []testCase{
	{"continue_as_new_starts_new_execution", "an ack with a new ExecutionID makes it current: the next fetch has it and only its history", canStartsNewExecution},
	{"continue_as_new_message_sees_old_history", "the ContinueAsNew message is fetched with the old execution and its history", canMessageOldHistory},
	{"read_history_of_old_execution", "ReadHistory of an earlier execution returns that execution's events", readOldExecution},
	{"read_history_zero_is_latest", "ReadHistory with execution 0 returns the latest execution's events", readZeroIsLatest},
	{"event_ids_restart_per_execution", "event ids are unique per execution: a new execution may reuse ids 1, 2, ...", eventIDsPerExecution},
	{"duplicate_id_in_new_execution_conflicts", "a repeated event id within the new execution still fails with TypeConflict", duplicateInNewExecution},
	{"three_executions_stay_separate", "three executions in a row each keep their own history", threeExecutions},
	{"read_history_unknown_execution_is_empty", "ReadHistory of an execution that does not exist returns no events and no error", readUnknownExecution},
	{"history_in_event_id_order", "history reads back in event-id order whatever the delta's order", historyInIDOrder},
	{"history_keeps_given_ids", "the provider keeps the runtime's event ids, gaps included, and never renumbers", historyKeepsIDs},
	{"event_kinds_and_payloads_round_trip", "event kinds (including runtime-defined ones) and payloads read back as written", eventRoundTrip},
	{"stale_execution_messages_delivered_as_given", "a message for an old execution is delivered with its own ExecutionID", staleExecutionMessages},
}

// continueAsNew runs a turn of execution from that continues as new, then
// the turn that starts execution from+1 with an OrchestrationStarted event.
func (h *harness) continueAsNew(id string, from uint64) {
	h.Helper()
	it := h.raise(id)
	can := provobs.WorkItem{Kind: provobs.KindContinueAsNew, InstanceID: id, ExecutionID: from, Payload: []byte("new input")}
	h.ack(it.LockToken, provobs.OrchestrationAck{
		ExecutionID:       from,
		HistoryDelta:      []provobs.Event{ev(uint64(len(it.History))+1, provobs.EventContinuedAsNew)},
		OrchestratorItems: []provobs.WorkItem{can},
		Metadata:          provobs.InstanceMetadata{Status: provobs.StatusContinuedAsNew, Output: []byte("carried")},
	})
	next := h.fetchOne(id)
	h.wantItems(next.Messages, can)
	h.ack(next.LockToken, provobs.OrchestrationAck{
		ExecutionID:  from + 1,
		HistoryDelta: []provobs.Event{ev(1, provobs.EventOrchestrationStarted)},
		Metadata:     provobs.InstanceMetadata{Status: provobs.StatusRunning},
	})
}

func canStartsNewExecution(h *harness) {
	h.startInstance("a")
	h.continueAsNew("a", 1)
	it := h.raise("a")
	if it.ExecutionID != 2 {
		h.Fatalf("fetch after continue-as-new: execution %d, want 2", it.ExecutionID)
	}
	h.wantEvents(it.History, 1)
}

func canMessageOldHistory(h *harness) {
	h.startInstance("a")
	it := h.raise("a")
	can := provobs.WorkItem{Kind: provobs.KindContinueAsNew, InstanceID: "a", ExecutionID: 1, Payload: []byte("new input")}
	h.ack(it.LockToken, provobs.OrchestrationAck{
		ExecutionID: 1, HistoryDelta: []provobs.Event{ev(2, provobs.EventContinuedAsNew)},
		OrchestratorItems: []provobs.WorkItem{can},
		Metadata:          provobs.InstanceMetadata{Status: provobs.StatusContinuedAsNew},
	})
	next := h.fetchOne("a")
	if next.ExecutionID != 1 {
		h.Fatalf("fetch of the ContinueAsNew message: execution %d, want 1", next.ExecutionID)
	}
	h.wantEvents(next.History, 1, 2)
	h.wantItems(next.Messages, can)
}

func readOldExecution(h *harness) {
	h.startInstance("a")
	h.continueAsNew("a", 1)
	old := h.history("a", 1)
	h.wantEvents(old, 1, 2)
	if old[1].Kind != provobs.EventContinuedAsNew {
		h.Fatalf("execution 1 event 2 kind %q, want %q", old[1].Kind, provobs.EventContinuedAsNew)
	}
	h.wantEvents(h.history("a", 2), 1)
}

func readZeroIsLatest(h *harness) {
	h.startInstance("a")
	h.wantEvents(h.history("a", 0), 1)
	h.continueAsNew("a", 1)
	it := h.raise("a")
	h.ack(it.LockToken, provobs.OrchestrationAck{ExecutionID: 2, HistoryDelta: []provobs.Event{ev(2, provobs.EventExternalRaised), ev(3, provobs.EventTimerCreated)}})
	h.wantEvents(h.history("a", 0), 1, 2, 3)
}

func eventIDsPerExecution(h *harness) {
	h.startInstance("a")
	it := h.raise("a")
	h.ack(it.LockToken, provobs.OrchestrationAck{ExecutionID: 1, HistoryDelta: []provobs.Event{ev(2, provobs.EventExternalRaised)}})
	h.continueAsNew("a", 1)
	it = h.raise("a")
	h.ack(it.LockToken, provobs.OrchestrationAck{ExecutionID: 2, HistoryDelta: []provobs.Event{ev(2, provobs.EventExternalRaised), ev(3, provobs.EventTimerCreated)}})
	h.wantEvents(h.history("a", 1), 1, 2, 3)
	h.wantEvents(h.history("a", 2), 1, 2, 3)
}

func duplicateInNewExecution(h *harness) {
	h.startInstance("a")
	h.continueAsNew("a", 1)
	it := h.raise("a")
	err := h.p.AckOrchestrationItem(h.ctx(), it.LockToken, provobs.OrchestrationAck{ExecutionID: 2, HistoryDelta: []provobs.Event{ev(1, provobs.EventExternalRaised)}})
	h.wantType(err, provobs.TypeConflict, "ack repeating event 1 of execution 2")
	h.wantEvents(h.history("a", 2), 1)
}

func threeExecutions(h *harness) {
	h.startInstance("a")
	h.continueAsNew("a", 1)
	h.continueAsNew("a", 2)
	h.wantEvents(h.history("a", 1), 1, 2)
	h.wantEvents(h.history("a", 2), 1, 2)
	h.wantEvents(h.history("a", 3), 1)
	h.wantEvents(h.history("a", 0), 1)
	if it := h.raise("a"); it.ExecutionID != 3 {
		h.Fatalf("fetch after two continue-as-new: execution %d, want 3", it.ExecutionID)
	}
}

func readUnknownExecution(h *harness) {
	h.startInstance("a")
	evs, err := h.p.ReadHistory(h.ctx(), "a", 9)
	h.must(err, "ReadHistory of execution 9")
	if len(evs) != 0 {
		h.Fatalf("ReadHistory of a missing execution: %d events", len(evs))
	}
}

func historyInIDOrder(h *harness) {
	h.startInstance("a")
	it := h.raise("a")
	h.ack(it.LockToken, provobs.OrchestrationAck{ExecutionID: 1, HistoryDelta: []provobs.Event{
		ev(4, provobs.EventTimerFired), ev(2, provobs.EventTimerCreated), ev(3, provobs.EventActivityScheduled),
	}})
	h.wantEvents(h.history("a", 1), 1, 2, 3, 4)
	h.wantEvents(h.raise("a").History, 1, 2, 3, 4)
}

func historyKeepsIDs(h *harness) {
	h.startInstance("a")
	it := h.raise("a")
	h.ack(it.LockToken, provobs.OrchestrationAck{ExecutionID: 1, HistoryDelta: []provobs.Event{
		ev(10, provobs.EventTimerCreated), ev(1000, provobs.EventTimerFired),
	}})
	it = h.raise("a")
	h.ack(it.LockToken, provobs.OrchestrationAck{ExecutionID: 1, HistoryDelta: []provobs.Event{ev(500, provobs.EventExternalRaised)}})
	h.wantEvents(h.history("a", 1), 1, 10, 500, 1000)
}

func eventRoundTrip(h *harness) {
	h.startInstance("a")
	it := h.raise("a")
	want := []provobs.Event{
		{ID: 2, Kind: "MyRuntime.CustomEvent", Payload: []byte(`{"k":"v"}`)},
		{ID: 3, Kind: provobs.EventActivityScheduled, Payload: payload(300)},
		{ID: 4, Kind: provobs.EventOrchestrationCompleted},
	}
	h.ack(it.LockToken, provobs.OrchestrationAck{ExecutionID: 1, HistoryDelta: want})
	got := h.history("a", 1)
	h.wantEvents(got, 1, 2, 3, 4)
	for i, w := range want {
		g := got[i+1]
		if g.Kind != w.Kind || !bytes.Equal(g.Payload, w.Payload) {
			h.Fatalf("event %d read back as kind %q with %d payload bytes, want kind %q with %d", w.ID, g.Kind, len(g.Payload), w.Kind, len(w.Payload))
		}
	}
}

func staleExecutionMessages(h *harness) {
	h.startInstance("a")
	h.continueAsNew("a", 1)
	stale := *completion("a", 1, 5)
	h.enqueue(stale)
	it := h.fetchOne("a")
	if it.ExecutionID != 2 {
		h.Fatalf("fetch: execution %d, want 2", it.ExecutionID)
	}
	h.wantItems(it.Messages, stale)
}
