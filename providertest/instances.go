package providertest

import (
	"github.com/provobs/provobs"
)

var instanceCases = []testCase{
	{"enqueue_creates_no_instance", "an enqueued message alone creates no instance: its history reads empty", enqueueCreatesNoInstance},
	{"first_fetch_has_no_execution", "the first fetch of a new instance has ExecutionID 0 and no history", firstFetchNoExecution},
	{"ack_creates_instance", "the first ack with metadata creates the instance: the next fetch has execution 1 and its history", ackCreatesInstance},
	{"creation_is_idempotent", "a second ack with the same metadata and execution neither fails nor resets the instance", creationIdempotent},
	{"event_before_start_is_kept", "a message enqueued before the start message is delivered with it, in enqueue order", eventBeforeStart},
	{"read_history_unknown_instance_is_empty", "ReadHistory of an unknown instance returns no events and no error", readHistoryUnknown},
	{"instances_are_independent", "two instances keep separate histories and batches", instancesIndependent},
	{"abandoned_first_turn_creates_nothing", "abandoning the first turn creates no instance; the start message is delivered again", abandonedFirstTurn},
	{"later_acks_need_no_metadata", "acks after creation with empty metadata succeed and append history", laterAcksNoMetadata},
	{"child_instance_started_by_ack", "an ack can start another instance by enqueueing its start message", childStartedByAck},
	{"fetch_history_matches_read_history", "the history returned by a fetch equals ReadHistory of the current execution", fetchHistoryMatches},
}

func enqueueCreatesNoInstance(h *harness) {
	h.enqueue(eventMsg("a", "early"))
	if evs := h.history("a", 0); len(evs) != 0 {
		h.Fatalf("history of an instance that was only enqueued: %d events", len(evs))
	}
	if a, ok := h.p.(provobs.Admin); ok {
		inf, err := a.InstanceInfo(h.ctx(), "a")
		h.must(err, "InstanceInfo")
		if inf != nil {
			h.Fatalf("EnqueueOrchestrator created instance %+v", inf)
		}
	}
}

func firstFetchNoExecution(h *harness) {
	h.enqueue(startMsg("a"))
	it := h.fetchOne("a")
	if it.ExecutionID != 0 || len(it.History) != 0 {
		h.Fatalf("first fetch: execution %d with %d events, want 0 and none", it.ExecutionID, len(it.History))
	}
	h.wantItems(it.Messages, startMsg("a"))
}

func ackCreatesInstance(h *harness) {
	h.startInstance("a")
	it := h.raise("a")
	if it.ExecutionID != 1 {
		h.Fatalf("fetch after the first ack: execution %d, want 1", it.ExecutionID)
	}
	h.wantEvents(it.History, 1)
	if it.History[0].Kind != provobs.EventOrchestrationStarted {
		h.Fatalf("event 1 kind %q, want %q", it.History[0].Kind, provobs.EventOrchestrationStarted)
	}
}

func creationIdempotent(h *harness) {
	h.startInstance("a")
	it := h.raise("a")
	ack := startAck()
	ack.HistoryDelta = []provobs.Event{ev(2, provobs.EventExternalRaised)}
	h.ack(it.LockToken, ack)
	h.wantEvents(h.history("a", 1), 1, 2)
	if a, ok := h.p.(provobs.Admin); ok {
		list, err := a.ListInstances(h.ctx(), provobs.ListOptions{})
		h.must(err, "ListInstances")
		if len(list) != 1 || list[0].ExecutionID != 1 {
			h.Fatalf("ListInstances after two creating acks: %+v, want one instance in execution 1", list)
		}
	}
}

func eventBeforeStart(h *harness) {
	h.enqueue(eventMsg("a", "early"), startMsg("a"))
	h.wantItems(h.fetchOne("a").Messages, eventMsg("a", "early"), startMsg("a"))
}

func readHistoryUnknown(h *harness) {
	evs, err := h.p.ReadHistory(h.ctx(), "never-seen", 0)
	h.must(err, "ReadHistory of an unknown instance")
	if len(evs) != 0 {
		h.Fatalf("ReadHistory of an unknown instance: %d events", len(evs))
	}
	evs, err = h.p.ReadHistory(h.ctx(), "never-seen", 3)
	h.must(err, "ReadHistory of an unknown instance, execution 3")
	if len(evs) != 0 {
		h.Fatalf("ReadHistory of an unknown instance, execution 3: %d events", len(evs))
	}
}

func instancesIndependent(h *harness) {
	h.startInstance("a")
	h.startInstance("b")
	it := h.raise("a")
	h.ack(it.LockToken, provobs.OrchestrationAck{ExecutionID: 1, HistoryDelta: []provobs.Event{ev(2, provobs.EventExternalRaised), ev(3, provobs.EventTimerCreated)}})
	h.wantEvents(h.history("a", 0), 1, 2, 3)
	h.wantEvents(h.history("b", 0), 1)
	h.enqueue(eventMsg("a", "a1"), eventMsg("b", "b1"), eventMsg("a", "a2"))
	first := h.fetch()
	second := h.fetch()
	if first == nil || second == nil {
		h.Fatalf("two instances with messages: fetches returned %v and %v", first, second)
	}
	if first.InstanceID == "b" {
		first, second = second, first
	}
	h.wantInstance(first, "a")
	h.wantInstance(second, "b")
	h.wantItems(first.Messages, eventMsg("a", "a1"), eventMsg("a", "a2"))
	h.wantItems(second.Messages, eventMsg("b", "b1"))
	h.wantEvents(second.History, 1)
}

func abandonedFirstTurn(h *harness) {
	h.enqueue(startMsg("a"))
	it := h.fetchOne("a")
	h.abandon(it.LockToken, provobs.AbandonOptions{})
	if evs := h.history("a", 0); len(evs) != 0 {
		h.Fatalf("history after an abandoned first turn: %d events", len(evs))
	}
	again := h.fetchOne("a")
	h.wantItems(again.Messages, startMsg("a"))
	if again.ExecutionID != 0 {
		h.Fatalf("refetch after an abandoned first turn: execution %d, want 0", again.ExecutionID)
	}
}

func laterAcksNoMetadata(h *harness) {
	h.startInstance("a")
	for id := uint64(2); id <= 4; id++ {
		it := h.raise("a")
		h.ack(it.LockToken, provobs.OrchestrationAck{ExecutionID: 1, HistoryDelta: []provobs.Event{ev(id, provobs.EventExternalRaised)}})
	}
	h.wantEvents(h.history("a", 1), 1, 2, 3, 4)
}

func childStartedByAck(h *harness) {
	h.startInstance("parent")
	it := h.raise("parent")
	h.ack(it.LockToken, provobs.OrchestrationAck{ExecutionID: 1, OrchestratorItems: []provobs.WorkItem{startMsg("child")}})
	child := h.fetchOne("child")
	h.wantItems(child.Messages, startMsg("child"))
	h.ack(child.LockToken, startAck())
	h.wantEvents(h.history("child", 0), 1)
	h.wantEvents(h.history("parent", 0), 1)
}

func fetchHistoryMatches(h *harness) {
	h.startInstance("a")
	it := h.raise("a")
	h.ack(it.LockToken, provobs.OrchestrationAck{ExecutionID: 1, HistoryDelta: []provobs.Event{ev(2, provobs.EventTimerCreated), ev(3, provobs.EventActivityScheduled)}})
	it = h.raise("a")
	read := h.history("a", 0)
	h.wantEvents(it.History, 1, 2, 3)
	h.wantEvents(read, 1, 2, 3)
	for i := range read {
		if read[i].ID != it.History[i].ID || read[i].Kind != it.History[i].Kind || string(read[i].Payload) != string(it.History[i].Payload) {
			h.Fatalf("fetched event %+v differs from read event %+v", it.History[i], read[i])
		}
	}
}
