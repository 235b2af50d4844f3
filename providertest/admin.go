package providertest

import (
	"fmt"

	"github.com/provobs/provobs"
)

var adminCases = []testCase{
	{"instance_info_unknown_is_nil", "InstanceInfo of an unknown instance returns (nil, nil)", infoUnknown},
	{"instance_info_after_start", "InstanceInfo after the first ack reports name, version, status, execution 1 and timestamps", infoAfterStart},
	{"status_and_output_update", "an ack's status and output show in InstanceInfo", statusOutputUpdate},
	{"empty_status_keeps_status", "an ack with an empty status leaves the status unchanged", emptyStatusKeeps},
	{"nil_output_keeps_output", "an ack with a nil output leaves the output unchanged", nilOutputKeeps},
	{"name_and_version_kept_by_later_acks", "later acks with empty metadata keep the name and version", nameVersionKept},
	{"instance_info_tracks_current_execution", "InstanceInfo reports the current execution after continue-as-new", infoTracksExecution},
	{"stale_execution_ack_keeps_current_status", "an ack for an earlier execution changes neither the status nor the output InstanceInfo and ListInstances report for the current one", staleAckKeepsStatus},
	{"new_execution_without_status_is_running", "an ack that starts a new execution without a status reports that execution as Running", newExecutionRunning},
	{"enqueue_alone_lists_no_instance", "an instance that was only enqueued to is not listed", enqueueNotListed},
	{"list_in_instance_id_order", "ListInstances returns instances in instance-id order", listInIDOrder},
	{"list_filters_by_status", "ListInstances with a Status keeps only instances in that status", listFiltersStatus},
	{"list_pages_with_after_and_limit", "ListInstances pages with After and Limit without gaps or repeats", listPages},
	{"list_pages_past_default_limit", "150 instances page through ListInstances with Limit 0 and After, in order, without gaps or repeats", listPastDefault},
	{"list_default_limit_returns_small_sets", "ListInstances with Limit 0 returns all of a small set", listDefaultLimit},
}

func infoUnknown(h *harness) {
	if inf := h.info("never-seen"); inf != nil {
		h.Fatalf("InstanceInfo of an unknown instance: %+v", inf)
	}
}

func infoAfterStart(h *harness) {
	h.admin()
	h.startInstance("a")
	inf := h.info("a")
	if inf == nil {
		h.Fatal("InstanceInfo of a started instance is nil")
	}
	if inf.InstanceID != "a" || inf.Name != orchName || inf.Version != orchVersion || inf.Status != provobs.StatusRunning || inf.ExecutionID != 1 {
		h.Fatalf("InstanceInfo: %+v, want id a, name %q, version %q, Running, execution 1", inf, orchName, orchVersion)
	}
	if inf.CreatedAt.IsZero() || inf.UpdatedAt.Before(inf.CreatedAt) {
		h.Fatalf("InstanceInfo timestamps: created %v, updated %v", inf.CreatedAt, inf.UpdatedAt)
	}
}

// turnWith runs a turn of id acking meta in execution 1.
func (h *harness) turnWith(id string, meta provobs.InstanceMetadata) {
	h.Helper()
	it := h.raise(id)
	h.ack(it.LockToken, provobs.OrchestrationAck{ExecutionID: 1, Metadata: meta})
}

func (h *harness) wantInfo(id string, status provobs.InstanceStatus, output string) *provobs.InstanceInfo {
	h.Helper()
	inf := h.info(id)
	if inf == nil {
		h.Fatalf("InstanceInfo(%q) is nil", id)
	}
	if inf.Status != status || string(inf.Output) != output {
		h.Fatalf("InstanceInfo(%q): status %q output %q, want %q and %q", id, inf.Status, inf.Output, status, output)
	}
	return inf
}

func statusOutputUpdate(h *harness) {
	h.admin()
	h.startInstance("a")
	h.turnWith("a", provobs.InstanceMetadata{Status: provobs.StatusCompleted, Output: []byte(`{"ok":true}`)})
	inf := h.wantInfo("a", provobs.StatusCompleted, `{"ok":true}`)
	if inf.UpdatedAt.Before(inf.CreatedAt) {
		h.Fatalf("UpdatedAt %v before CreatedAt %v", inf.UpdatedAt, inf.CreatedAt)
	}
}

func emptyStatusKeeps(h *harness) {
	h.admin()
	h.startInstance("a")
	h.turnWith("a", provobs.InstanceMetadata{Output: []byte("partial")})
	h.wantInfo("a", provobs.StatusRunning, "partial")
}

func nilOutputKeeps(h *harness) {
	h.admin()
	h.startInstance("a")
	h.turnWith("a", provobs.InstanceMetadata{Output: []byte("first")})
	h.turnWith("a", provobs.InstanceMetadata{Status: provobs.StatusCompleted})
	h.wantInfo("a", provobs.StatusCompleted, "first")
}

func nameVersionKept(h *harness) {
	h.admin()
	h.startInstance("a")
	h.turnWith("a", provobs.InstanceMetadata{})
	inf := h.info("a")
	if inf == nil || inf.Name != orchName || inf.Version != orchVersion {
		h.Fatalf("InstanceInfo after an ack with empty metadata: %+v, want name %q version %q", inf, orchName, orchVersion)
	}
}

func infoTracksExecution(h *harness) {
	h.admin()
	h.startInstance("a")
	h.continueAsNew("a", 1)
	inf := h.info("a")
	if inf == nil || inf.ExecutionID != 2 || inf.Status != provobs.StatusRunning {
		h.Fatalf("InstanceInfo after continue-as-new: %+v, want execution 2, Running", inf)
	}
}

func staleAckKeepsStatus(h *harness) {
	h.admin()
	h.startInstance("a")
	it := h.raise("a")
	can := provobs.WorkItem{Kind: provobs.KindContinueAsNew, InstanceID: "a", ExecutionID: 1, Payload: []byte("new input")}
	h.ack(it.LockToken, provobs.OrchestrationAck{
		ExecutionID: 1, HistoryDelta: []provobs.Event{ev(2, provobs.EventContinuedAsNew)},
		OrchestratorItems: []provobs.WorkItem{can},
		Metadata:          provobs.InstanceMetadata{Status: provobs.StatusContinuedAsNew, Output: []byte("out1")},
	})
	next := h.fetchOne("a")
	h.ack(next.LockToken, provobs.OrchestrationAck{
		ExecutionID:  2,
		HistoryDelta: []provobs.Event{ev(1, provobs.EventOrchestrationStarted)},
		Metadata:     provobs.InstanceMetadata{Status: provobs.StatusRunning, Output: []byte("out2")},
	})
	// A turn of a runtime that still works on execution 1 (a late event for
	// the old execution) acks with ExecutionID 1 and a final status.
	stale := h.raise("a")
	h.ack(stale.LockToken, provobs.OrchestrationAck{
		ExecutionID:  1,
		HistoryDelta: []provobs.Event{ev(3, provobs.EventOrchestrationFailed)},
		Metadata:     provobs.InstanceMetadata{Status: provobs.StatusFailed, Output: []byte("stale")},
	})
	inf := h.wantInfo("a", provobs.StatusRunning, "out2")
	if inf.ExecutionID != 2 {
		h.Fatalf("InstanceInfo after a stale ack: execution %d, want 2", inf.ExecutionID)
	}
	if got := h.list(provobs.ListOptions{Status: provobs.StatusRunning}); len(got) != 1 || got[0] != "a" {
		h.Fatalf("ListInstances{Status: Running} after a stale ack: %v, want [a]", got)
	}
	if got := h.list(provobs.ListOptions{Status: provobs.StatusFailed}); len(got) != 0 {
		h.Fatalf("ListInstances{Status: Failed} after a stale ack: %v, want none", got)
	}
	h.wantEvents(h.history("a", 1), 1, 2, 3)
	h.wantEvents(h.history("a", 2), 1)
}

func newExecutionRunning(h *harness) {
	h.admin()
	h.startInstance("a")
	it := h.raise("a")
	can := provobs.WorkItem{Kind: provobs.KindContinueAsNew, InstanceID: "a", ExecutionID: 1}
	h.ack(it.LockToken, provobs.OrchestrationAck{
		ExecutionID: 1, HistoryDelta: []provobs.Event{ev(2, provobs.EventContinuedAsNew)},
		OrchestratorItems: []provobs.WorkItem{can},
		Metadata:          provobs.InstanceMetadata{Status: provobs.StatusContinuedAsNew},
	})
	next := h.fetchOne("a")
	h.ack(next.LockToken, provobs.OrchestrationAck{
		ExecutionID:  2,
		HistoryDelta: []provobs.Event{ev(1, provobs.EventOrchestrationStarted)},
	})
	inf := h.wantInfo("a", provobs.StatusRunning, "")
	if inf.ExecutionID != 2 {
		h.Fatalf("InstanceInfo after continue-as-new: execution %d, want 2", inf.ExecutionID)
	}
	if got := h.list(provobs.ListOptions{Status: provobs.StatusRunning}); len(got) != 1 || got[0] != "a" {
		h.Fatalf("ListInstances{Status: Running}: %v, want [a]", got)
	}
}

func (h *harness) list(opts provobs.ListOptions) []string {
	h.Helper()
	infos, err := h.admin().ListInstances(h.ctx(), opts)
	h.must(err, "ListInstances(%+v)", opts)
	ids := make([]string, len(infos))
	for i, inf := range infos {
		ids[i] = inf.InstanceID
	}
	return ids
}

func (h *harness) wantList(got []string, want ...string) {
	h.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) || len(got) != len(want) {
		h.Fatalf("listed %q, want %q", got, want)
	}
}

func enqueueNotListed(h *harness) {
	h.admin()
	h.startInstance("started")
	h.enqueue(startMsg("only-enqueued"))
	h.wantList(h.list(provobs.ListOptions{}), "started")
}

func listInIDOrder(h *harness) {
	h.admin()
	for _, id := range []string{"c", "a", "d", "b"} {
		h.startInstance(id)
	}
	h.wantList(h.list(provobs.ListOptions{}), "a", "b", "c", "d")
}

func listFiltersStatus(h *harness) {
	h.admin()
	for _, id := range []string{"a", "b", "c", "d"} {
		h.startInstance(id)
	}
	h.turnWith("b", provobs.InstanceMetadata{Status: provobs.StatusCompleted})
	h.turnWith("d", provobs.InstanceMetadata{Status: provobs.StatusCompleted})
	h.turnWith("c", provobs.InstanceMetadata{Status: provobs.StatusFailed})
	h.wantList(h.list(provobs.ListOptions{Status: provobs.StatusCompleted}), "b", "d")
	h.wantList(h.list(provobs.ListOptions{Status: provobs.StatusRunning}), "a")
	h.wantList(h.list(provobs.ListOptions{Status: provobs.StatusTerminated}))
}

func listPages(h *harness) {
	h.admin()
	for i := range 7 {
		h.startInstance(fmt.Sprintf("i%d", i))
	}
	h.wantList(h.list(provobs.ListOptions{Limit: 3}), "i0", "i1", "i2")
	h.wantList(h.list(provobs.ListOptions{After: "i2", Limit: 3}), "i3", "i4", "i5")
	h.wantList(h.list(provobs.ListOptions{After: "i5", Limit: 3}), "i6")
	h.wantList(h.list(provobs.ListOptions{After: "i6", Limit: 3}))
}

func listDefaultLimit(h *harness) {
	h.admin()
	for i := range 5 {
		h.startInstance(fmt.Sprintf("i%d", i))
	}
	h.wantList(h.list(provobs.ListOptions{}), "i0", "i1", "i2", "i3", "i4")
	h.wantList(h.list(provobs.ListOptions{Limit: -1}), "i0", "i1", "i2", "i3", "i4")
}

func listPastDefault(h *harness) {
	h.admin()
	const n = 150
	var want []string
	for i := range n {
		id := fmt.Sprintf("i%03d", i)
		want = append(want, id)
		h.enqueue(startMsg(id))
	}
	if got := h.drain(); len(got) != n {
		h.Fatalf("started %d instances, want %d", len(got), n)
	}
	var all []string
	for after := ""; ; {
		page := h.list(provobs.ListOptions{After: after})
		if len(page) == 0 {
			break
		}
		all = append(all, page...)
		after = page[len(page)-1]
		if len(all) > n {
			break
		}
	}
	h.wantList(all, want...)
}
