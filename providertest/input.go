package providertest

import (
	"bytes"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/provobs/provobs"
)

var inputCases = concat(
	badTokenCases(),
	[]testCase{
		{"enqueue_orchestrator_empty_instance_id", "EnqueueOrchestrator with an empty instance id fails with TypeInvalidArgument and stores nothing", enqueueEmptyID},
		{"enqueue_worker_empty_instance_id", "EnqueueWorker with an empty instance id fails with TypeInvalidArgument and stores nothing", enqueueWorkerEmptyID},
		{"read_history_empty_instance_id", "ReadHistory with an empty instance id fails with TypeInvalidArgument", readHistoryEmptyID},
		{"ack_worker_completion_empty_instance_id", "AckWorker with a completion without instance id fails with TypeInvalidArgument and keeps the item", ackWorkerCompletionEmptyID},
		{"ack_orch_worker_item_empty_instance_id", "an ack with a worker item without instance id fails with TypeInvalidArgument and keeps the lock", ackWorkerItemEmptyID},
		{"enqueue_orchestrator_kind_zero", "EnqueueOrchestrator with the zero kind fails with TypeInvalidArgument", enqueueKindZero},
		{"enqueue_orchestrator_kind_out_of_range", "EnqueueOrchestrator with an undefined kind fails with TypeInvalidArgument", enqueueKindOutOfRange},
		{"enqueue_worker_kind_zero", "EnqueueWorker with the zero kind fails with TypeInvalidArgument", enqueueWorkerKindZero},
		{"enqueue_orchestrator_activity_execute", "EnqueueOrchestrator with an ActivityExecute item (wrong queue) fails with TypeInvalidArgument", enqueueOrchActivity},
		{"enqueue_worker_wrong_kind", "EnqueueWorker with any kind but ActivityExecute fails with TypeInvalidArgument", enqueueWorkerWrongKind},
		{"ack_worker_completion_activity_execute", "AckWorker with an ActivityExecute completion (wrong queue) fails with TypeInvalidArgument", ackWorkerCompletionActivity},
		{"ack_orch_worker_item_wrong_kind", "an ack with a worker item that is not ActivityExecute fails with TypeInvalidArgument", ackWorkerItemWrongKind},
		{"ack_orch_orchestrator_item_activity_execute", "an ack with an ActivityExecute orchestrator item fails with TypeInvalidArgument", ackOrchItemActivity},
		{"enqueue_orchestrator_negative_delay", "EnqueueOrchestrator with a negative delay fails with TypeInvalidArgument and stores nothing", enqueueNegativeDelay},
		{"abandon_orch_negative_delay", "an abandon with a negative Delay fails with TypeInvalidArgument and keeps the lock", abandonNegativeDelay},
		{"abandon_worker_negative_delay", "a worker abandon with a negative Delay fails with TypeInvalidArgument and keeps the lock", abandonWorkerNegativeDelay},
		{"ack_execution_id_zero", "an ack with ExecutionID 0 fails with TypeInvalidArgument and keeps the lock", ackExecutionZero},
	},
	canceledCases(),
	[]testCase{
		{"orchestrator_payload_1mib", "a 1 MiB orchestrator message payload round-trips byte for byte", orchPayloadLarge},
		{"worker_payload_1mib", "a 1 MiB worker item payload round-trips byte for byte", workerPayloadLarge},
		{"completion_payload_1mib", "a 1 MiB completion enqueued by AckWorker round-trips byte for byte", completionPayloadLarge},
		{"history_payload_1mib", "a 1 MiB event payload round-trips byte for byte", historyPayloadLarge},
		{"output_payload_1mib", "a 1 MiB output round-trips byte for byte through InstanceInfo (Admin)", outputPayloadLarge},
		{"orchestrator_payload_empty", "nil and zero-byte orchestrator payloads read back empty", orchPayloadEmpty},
		{"worker_payload_empty", "nil and zero-byte worker payloads read back empty", workerPayloadEmpty},
		{"history_payload_empty", "nil and zero-byte event payloads read back empty", historyPayloadEmpty},
		{"binary_payload_round_trips", "payloads with NUL bytes and invalid UTF-8 round-trip byte for byte", binaryPayload},
	},
	unusualIDCases(),
	[]testCase{
		{"ids_are_case_sensitive", "instance ids differing only in case are different instances", idsCaseSensitive},
		{"similar_ids_do_not_collide", "ids that match as SQL LIKE patterns (_ and %) stay distinct", similarIDs},
	},
)

func concat(lists ...[]testCase) []testCase {
	var out []testCase
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// ---- bad tokens ----

// tokenSetup prepares a token of one kind and returns it with a check that
// the failed call changed nothing.
type tokenSetup func(h *harness) (token string, unchanged func())

// The setups for orchestration operations work on instance "a"; those for
// worker operations on activity 1 of "a".
var orchTokenSetups = []struct {
	kind, doc string
	setup     tokenSetup
}{
	{"empty", "an empty token", func(h *harness) (string, func()) { return "", h.liveOrchLock() }},
	{"garbage", "a token that is not a UUID", func(h *harness) (string, func()) { return "garbage'; --", h.liveOrchLock() }},
	{"unknown_uuid", "an unknown UUID", func(h *harness) (string, func()) { return uuid.NewString(), h.liveOrchLock() }},
	{"worker", "a live worker token", func(h *harness) (string, func()) {
		unchanged := h.liveOrchLock()
		h.enqueueWorker(activity("w", 1, 1))
		return h.dequeueOne(nil, activity("w", 1, 1)).LockToken, unchanged
	}},
	{"used", "a token already used by an ack", func(h *harness) (string, func()) {
		h.enqueue(startMsg("a"))
		it := h.fetchOne("a")
		h.ack(it.LockToken, startAck())
		h.enqueue(eventMsg("a", "next"))
		return it.LockToken, func() {
			h.wantItems(h.fetchOne("a").Messages, eventMsg("a", "next"))
			h.wantEvents(h.history("a", 0), 1)
			h.dequeueNone(nil, "the failed call enqueued a worker item")
		}
	}},
	{"abandoned", "a token already released by an abandon", func(h *harness) (string, func()) {
		h.enqueue(startMsg("a"))
		it := h.fetchOne("a")
		h.abandon(it.LockToken, provobs.AbandonOptions{})
		return it.LockToken, func() {
			again := h.fetchOne("a")
			h.wantItems(again.Messages, startMsg("a"))
			h.wantAttempt(again.AttemptCount, 2, "refetch after the failed call")
			h.dequeueNone(nil, "the failed call enqueued a worker item")
		}
	}},
	{"expired", "an expired token", func(h *harness) (string, func()) {
		h.enqueue(startMsg("a"))
		it := h.wantInstance(h.fetchWith(provobs.FetchOptions{LockTimeout: h.short()}), "a")
		expired(time.Now(), h.short())
		return it.LockToken, func() {
			h.wantItems(h.fetchOne("a").Messages, startMsg("a"))
			if evs := h.history("a", 0); len(evs) != 0 {
				h.Fatalf("the failed call appended %d events", len(evs))
			}
			h.dequeueNone(nil, "the failed call enqueued a worker item")
		}
	}},
}

// liveOrchLock locks instance "a" and returns the check that the lock and
// the instance are as they were.
func (h *harness) liveOrchLock() func() {
	h.Helper()
	h.enqueue(startMsg("a"))
	it := h.fetchOne("a")
	return func() {
		h.Helper()
		h.fetchNone("a is still locked by its real token")
		h.dequeueNone(nil, "the failed call enqueued a worker item")
		h.ack(it.LockToken, startAck())
		h.wantEvents(h.history("a", 0), 1)
	}
}

var workerTokenSetups = []struct {
	kind, doc string
	setup     tokenSetup
}{
	{"empty", "an empty token", func(h *harness) (string, func()) { return "", h.liveWorkerLock() }},
	{"garbage", "a token that is not a UUID", func(h *harness) (string, func()) { return "garbage'; --", h.liveWorkerLock() }},
	{"unknown_uuid", "an unknown UUID", func(h *harness) (string, func()) { return uuid.NewString(), h.liveWorkerLock() }},
	{"orchestration", "a live orchestration token", func(h *harness) (string, func()) {
		unchanged := h.liveWorkerLock()
		h.enqueue(startMsg("o"))
		return h.fetchOne("o").LockToken, unchanged
	}},
	{"used", "a token already used by an ack", func(h *harness) (string, func()) {
		h.enqueueWorker(activity("a", 1, 1))
		w := h.dequeueOne(nil, activity("a", 1, 1))
		h.ackWorker(w.LockToken, nil)
		return w.LockToken, func() {
			h.fetchNone("the failed call enqueued a completion")
			h.dequeueNone(nil, "the acked item came back")
		}
	}},
	{"abandoned", "a token already released by an abandon", func(h *harness) (string, func()) {
		h.enqueueWorker(activity("a", 1, 1))
		w := h.dequeueOne(nil, activity("a", 1, 1))
		h.must(h.p.AbandonWorker(h.ctx(), w.LockToken, provobs.AbandonOptions{}), "AbandonWorker")
		return w.LockToken, func() {
			h.fetchNone("the failed call enqueued a completion")
			h.wantAttempt(h.dequeueOne(nil, activity("a", 1, 1)).AttemptCount, 2, "dequeue after the failed call")
		}
	}},
	{"expired", "an expired token", func(h *harness) (string, func()) {
		h.enqueueWorker(activity("a", 1, 1))
		w := h.wantWorker(h.dequeueWith(provobs.FetchOptions{LockTimeout: h.short()}, nil), activity("a", 1, 1))
		expired(time.Now(), h.short())
		return w.LockToken, func() {
			h.fetchNone("the failed call enqueued a completion")
			h.dequeueOne(nil, activity("a", 1, 1))
		}
	}},
}

// liveWorkerLock dequeues activity 1 of "a" and returns the check that the
// lock and the item are as they were.
func (h *harness) liveWorkerLock() func() {
	h.Helper()
	h.enqueueWorker(activity("a", 1, 1))
	w := h.dequeueOne(nil, activity("a", 1, 1))
	return func() {
		h.Helper()
		h.dequeueNone(nil, "the item is still locked by its real token")
		if it := h.fetch(); it != nil && it.InstanceID == "a" {
			h.Fatalf("the failed call enqueued %d messages for a", len(it.Messages))
		}
		h.ackWorker(w.LockToken, completion("a", 1, 1))
	}
}

func badTokenCases() []testCase {
	badAck := provobs.OrchestrationAck{
		ExecutionID: 1, HistoryDelta: []provobs.Event{ev(5, provobs.EventExternalRaised)},
		WorkerItems: []provobs.WorkItem{activity("a", 1, 5)},
	}
	orchOps := []struct {
		op   provobs.Op
		call func(h *harness, tok string) error
	}{
		{provobs.OpAckOrch, func(h *harness, tok string) error { return h.p.AckOrchestrationItem(h.ctx(), tok, badAck) }},
		{provobs.OpAbandonOrch, func(h *harness, tok string) error {
			return h.p.AbandonOrchestrationItem(h.ctx(), tok, provobs.AbandonOptions{IgnoreAttempt: true})
		}},
		{provobs.OpRenewOrch, func(h *harness, tok string) error { return h.p.RenewOrchestrationItemLock(h.ctx(), tok, longLock) }},
	}
	workerOps := []struct {
		op   provobs.Op
		call func(h *harness, tok string) error
	}{
		{provobs.OpAckWorker, func(h *harness, tok string) error { return h.p.AckWorker(h.ctx(), tok, completion("a", 1, 1)) }},
		{provobs.OpAbandonWorker, func(h *harness, tok string) error {
			return h.p.AbandonWorker(h.ctx(), tok, provobs.AbandonOptions{IgnoreAttempt: true})
		}},
		{provobs.OpRenewWorker, func(h *harness, tok string) error { return h.p.RenewWorkerLock(h.ctx(), tok, longLock) }},
	}
	var cases []testCase
	add := func(op provobs.Op, kind, doc string, setup tokenSetup, call func(*harness, string) error) {
		cases = append(cases, testCase{
			name: op.String() + "_" + kind + "_token",
			doc:  op.Method() + " with " + doc + " fails with TypeLockLost and changes nothing",
			fn: func(h *harness) {
				tok, unchanged := setup(h)
				h.wantLockLost(call(h, tok), "%s with %s", op.Method(), doc)
				unchanged()
			},
		})
	}
	for _, o := range orchOps {
		for _, s := range orchTokenSetups {
			add(o.op, s.kind, s.doc, s.setup, o.call)
		}
	}
	for _, o := range workerOps {
		for _, s := range workerTokenSetups {
			add(o.op, s.kind, s.doc, s.setup, o.call)
		}
	}
	return cases
}

// ---- bad arguments ----

func (h *harness) wantInvalid(err error, what string) {
	h.Helper()
	h.wantType(err, provobs.TypeInvalidArgument, "%s", what)
}

func enqueueEmptyID(h *harness) {
	h.wantInvalid(h.p.EnqueueOrchestrator(h.ctx(), startMsg(""), 0), "EnqueueOrchestrator with an empty instance id")
	h.fetchNone("nothing was stored")
}

func enqueueWorkerEmptyID(h *harness) {
	h.wantInvalid(h.p.EnqueueWorker(h.ctx(), activity("", 1, 1)), "EnqueueWorker with an empty instance id")
	h.dequeueNone(nil, "nothing was stored")
}

func readHistoryEmptyID(h *harness) {
	_, err := h.p.ReadHistory(h.ctx(), "", 0)
	h.wantInvalid(err, "ReadHistory with an empty instance id")
}

// wantWorkerKept checks that the worker item locked by tok is still locked
// by it and that no completion was enqueued.
func (h *harness) wantWorkerKept(tok string) {
	h.Helper()
	h.fetchNone("no completion was enqueued")
	h.dequeueNone(nil, "the item is still locked")
	h.ackWorker(tok, completion("a", 1, 1))
	h.fetchOne("a")
}

func ackWorkerCompletionEmptyID(h *harness) {
	h.enqueueWorker(activity("a", 1, 1))
	w := h.dequeueOne(nil, activity("a", 1, 1))
	h.wantInvalid(h.p.AckWorker(h.ctx(), w.LockToken, completion("", 1, 1)), "AckWorker with a completion without instance id")
	h.wantWorkerKept(w.LockToken)
}

// wantOrchKept checks that instance "a", locked by tok, is still locked by
// it, with history [1] and no worker item enqueued.
func (h *harness) wantOrchKept(tok string) {
	h.Helper()
	h.fetchNone("a is still locked")
	h.dequeueNone(nil, "the rejected ack enqueued nothing")
	h.wantEvents(h.history("a", 0), 1)
	h.ack(tok, provobs.OrchestrationAck{ExecutionID: 1})
}

func (h *harness) badAck(ack provobs.OrchestrationAck, what string) {
	h.Helper()
	h.startInstance("a")
	it := h.raise("a")
	ack.ExecutionID = max(ack.ExecutionID, 1)
	ack.HistoryDelta = []provobs.Event{ev(2, provobs.EventExternalRaised)}
	h.wantInvalid(h.p.AckOrchestrationItem(h.ctx(), it.LockToken, ack), what)
	h.wantOrchKept(it.LockToken)
}

func ackWorkerItemEmptyID(h *harness) {
	h.badAck(provobs.OrchestrationAck{WorkerItems: []provobs.WorkItem{activity("", 1, 1)}}, "ack with a worker item without instance id")
}

func enqueueKindZero(h *harness) {
	h.wantInvalid(h.p.EnqueueOrchestrator(h.ctx(), provobs.WorkItem{InstanceID: "a"}, 0), "EnqueueOrchestrator with kind 0")
	h.fetchNone("nothing was stored")
}

func enqueueKindOutOfRange(h *harness) {
	h.wantInvalid(h.p.EnqueueOrchestrator(h.ctx(), provobs.WorkItem{Kind: 200, InstanceID: "a"}, 0), "EnqueueOrchestrator with kind 200")
	h.fetchNone("nothing was stored")
}

func enqueueWorkerKindZero(h *harness) {
	h.wantInvalid(h.p.EnqueueWorker(h.ctx(), provobs.WorkItem{InstanceID: "a"}), "EnqueueWorker with kind 0")
	h.dequeueNone(nil, "nothing was stored")
}

func enqueueOrchActivity(h *harness) {
	h.wantInvalid(h.p.EnqueueOrchestrator(h.ctx(), activity("a", 1, 1), 0), "EnqueueOrchestrator with an ActivityExecute item")
	h.fetchNone("nothing was stored")
	h.dequeueNone(nil, "nothing was stored")
}

func enqueueWorkerWrongKind(h *harness) {
	for k := provobs.KindStartOrchestration; k.Valid(); k++ {
		if k == provobs.KindActivityExecute {
			continue
		}
		h.wantInvalid(h.p.EnqueueWorker(h.ctx(), orchMsg(k, "a", "x")), "EnqueueWorker with kind "+k.String())
	}
	h.dequeueNone(nil, "nothing was stored")
	h.fetchNone("nothing was stored")
}

func ackWorkerCompletionActivity(h *harness) {
	h.enqueueWorker(activity("a", 1, 1))
	w := h.dequeueOne(nil, activity("a", 1, 1))
	bad := activity("a", 1, 2)
	h.wantInvalid(h.p.AckWorker(h.ctx(), w.LockToken, &bad), "AckWorker with an ActivityExecute completion")
	h.wantWorkerKept(w.LockToken)
}

func ackWorkerItemWrongKind(h *harness) {
	h.badAck(provobs.OrchestrationAck{WorkerItems: []provobs.WorkItem{*completion("a", 1, 1)}}, "ack with an ActivityCompleted worker item")
}

func ackOrchItemActivity(h *harness) {
	h.badAck(provobs.OrchestrationAck{OrchestratorItems: []provobs.WorkItem{activity("b", 1, 1)}}, "ack with an ActivityExecute orchestrator item")
}

func enqueueNegativeDelay(h *harness) {
	h.wantInvalid(h.p.EnqueueOrchestrator(h.ctx(), startMsg("a"), -time.Second), "EnqueueOrchestrator with delay -1s")
	h.wantDepthsIfAdmin(provobs.QueueDepths{})
	h.fetchNone("nothing was stored")
}

// wantDepthsIfAdmin checks the depths when the provider is an Admin.
func (h *harness) wantDepthsIfAdmin(want provobs.QueueDepths) {
	h.Helper()
	if a, ok := h.p.(provobs.Admin); ok {
		got, err := a.QueueDepths(h.ctx())
		h.must(err, "QueueDepths")
		if got != want {
			h.Fatalf("queue depths %+v, want %+v", got, want)
		}
	}
}

func abandonNegativeDelay(h *harness) {
	h.enqueue(startMsg("a"))
	it := h.fetchOne("a")
	h.wantInvalid(h.p.AbandonOrchestrationItem(h.ctx(), it.LockToken, provobs.AbandonOptions{Delay: -time.Second}), "abandon with Delay -1s")
	h.fetchNone("a is still locked")
	h.ack(it.LockToken, startAck())
}

func abandonWorkerNegativeDelay(h *harness) {
	h.enqueueWorker(activity("a", 1, 1))
	w := h.dequeueOne(nil, activity("a", 1, 1))
	h.wantInvalid(h.p.AbandonWorker(h.ctx(), w.LockToken, provobs.AbandonOptions{Delay: -time.Second}), "worker abandon with Delay -1s")
	h.wantWorkerKept(w.LockToken)
}

func ackExecutionZero(h *harness) {
	h.enqueue(startMsg("a"))
	it := h.fetchOne("a")
	ack := startAck()
	ack.ExecutionID = 0
	h.wantInvalid(h.p.AckOrchestrationItem(h.ctx(), it.LockToken, ack), "ack with ExecutionID 0")
	if evs := h.history("a", 0); len(evs) != 0 {
		h.Fatalf("the rejected ack appended %d events", len(evs))
	}
	h.fetchNone("a is still locked")
	h.ack(it.LockToken, startAck())
	h.wantEvents(h.history("a", 1), 1)
}

// ---- cancelled contexts ----

func canceledCases() []testCase {
	cc := canceledCtx
	byOp := []struct {
		op provobs.Op
		fn func(h *harness)
	}{
		{provobs.OpFetch, func(h *harness) {
			h.enqueue(startMsg("a"))
			_, err := h.p.FetchOrchestrationItem(cc(), provobs.FetchOptions{})
			h.wantCanceled(err)
			h.wantAttempt(h.fetchOne("a").AttemptCount, 1, "fetch after the cancelled one")
		}},
		{provobs.OpAckOrch, func(h *harness) {
			h.enqueue(startMsg("a"))
			it := h.fetchOne("a")
			h.wantCanceled(h.p.AckOrchestrationItem(cc(), it.LockToken, startAck()))
			if evs := h.history("a", 0); len(evs) != 0 {
				h.Fatalf("the cancelled ack appended %d events", len(evs))
			}
			h.fetchNone("a is still locked")
			h.ack(it.LockToken, startAck())
		}},
		{provobs.OpAbandonOrch, func(h *harness) {
			h.enqueue(startMsg("a"))
			it := h.fetchOne("a")
			h.wantCanceled(h.p.AbandonOrchestrationItem(cc(), it.LockToken, provobs.AbandonOptions{}))
			h.fetchNone("a is still locked")
		}},
		{provobs.OpRenewOrch, func(h *harness) {
			h.enqueue(startMsg("a"))
			it := h.fetchOne("a")
			h.wantCanceled(h.p.RenewOrchestrationItemLock(cc(), it.LockToken, longLock))
			h.must(h.p.RenewOrchestrationItemLock(h.ctx(), it.LockToken, longLock), "renew after the cancelled renew")
		}},
		{provobs.OpEnqueue, func(h *harness) {
			h.wantCanceled(h.p.EnqueueOrchestrator(cc(), startMsg("a"), 0))
			h.fetchNone("the cancelled enqueue stored nothing")
		}},
		{provobs.OpEnqueueWorker, func(h *harness) {
			h.wantCanceled(h.p.EnqueueWorker(cc(), activity("a", 1, 1)))
			h.dequeueNone(nil, "the cancelled enqueue stored nothing")
		}},
		{provobs.OpDequeue, func(h *harness) {
			h.enqueueWorker(activity("a", 1, 1))
			_, err := h.p.DequeueWorker(cc(), provobs.FetchOptions{}, nil)
			h.wantCanceled(err)
			h.wantAttempt(h.dequeueOne(nil, activity("a", 1, 1)).AttemptCount, 1, "dequeue after the cancelled one")
		}},
		{provobs.OpAckWorker, func(h *harness) {
			h.enqueueWorker(activity("a", 1, 1))
			w := h.dequeueOne(nil, activity("a", 1, 1))
			h.wantCanceled(h.p.AckWorker(cc(), w.LockToken, completion("a", 1, 1)))
			h.wantWorkerKept(w.LockToken)
		}},
		{provobs.OpAbandonWorker, func(h *harness) {
			h.enqueueWorker(activity("a", 1, 1))
			w := h.dequeueOne(nil, activity("a", 1, 1))
			h.wantCanceled(h.p.AbandonWorker(cc(), w.LockToken, provobs.AbandonOptions{}))
			h.wantWorkerKept(w.LockToken)
		}},
		{provobs.OpRenewWorker, func(h *harness) {
			h.enqueueWorker(activity("a", 1, 1))
			w := h.dequeueOne(nil, activity("a", 1, 1))
			h.wantCanceled(h.p.RenewWorkerLock(cc(), w.LockToken, longLock))
			h.wantWorkerKept(w.LockToken)
		}},
		{provobs.OpRenewSessionLock, func(h *harness) {
			h.enqueueWorker(sessionActivity("a", 1, "s1"))
			h.dequeueOne(owner("A", longLease), sessionActivity("a", 1, "s1"))
			_, err := h.p.RenewSessionLock(cc(), []string{"A"}, longLease, longLease)
			h.wantCanceled(err)
		}},
		{provobs.OpCleanupOrphanedSessions, func(h *harness) {
			h.enqueueWorker(sessionActivity("a", 1, "s1"))
			h.ackWorker(h.dequeueOne(owner("A", h.short()), sessionActivity("a", 1, "s1")).LockToken, nil)
			expired(time.Now(), h.short())
			_, err := h.p.CleanupOrphanedSessions(cc(), 0)
			h.wantCanceled(err)
			h.wantCount(h.cleanup(0), 1, "sessions cleaned after the cancelled cleanup")
		}},
		{provobs.OpReadHistory, func(h *harness) {
			h.startInstance("a")
			_, err := h.p.ReadHistory(cc(), "a", 0)
			h.wantCanceled(err)
		}},
		{provobs.OpQueueDepths, func(h *harness) {
			_, err := h.admin().QueueDepths(cc())
			h.wantCanceled(err)
		}},
		{provobs.OpListInstances, func(h *harness) {
			_, err := h.admin().ListInstances(cc(), provobs.ListOptions{})
			h.wantCanceled(err)
		}},
		{provobs.OpInstanceInfo, func(h *harness) {
			_, err := h.admin().InstanceInfo(cc(), "a")
			h.wantCanceled(err)
		}},
	}
	cases := make([]testCase, 0, len(byOp))
	for _, c := range byOp {
		cases = append(cases, testCase{
			name: "canceled_context_" + c.op.String(),
			doc:  c.op.Method() + " with a cancelled context fails with TypeCanceled and changes nothing",
			fn:   c.fn,
		})
	}
	return cases
}

func (h *harness) wantCanceled(err error) {
	h.Helper()
	h.wantType(err, provobs.TypeCanceled, "a call with a cancelled context")
}

// ---- payloads ----

func (h *harness) wantBytes(got, want []byte, what string) {
	h.Helper()
	if !bytes.Equal(got, want) {
		h.Fatalf("%s: %d bytes read back, want %d (equal: false)", what, len(got), len(want))
	}
}

const mib = 1 << 20

func orchPayloadLarge(h *harness) {
	m := eventMsg("a", "")
	m.Payload = payload(mib)
	h.enqueue(m)
	got := h.fetchOne("a")
	if len(got.Messages) != 1 {
		h.Fatalf("fetched %d messages, want 1", len(got.Messages))
	}
	h.wantBytes(got.Messages[0].Payload, m.Payload, "1 MiB orchestrator payload")
}

func workerPayloadLarge(h *harness) {
	w := activity("a", 1, 1)
	w.Payload = payload(mib)
	h.enqueueWorker(w)
	h.dequeueOne(nil, w)
}

func completionPayloadLarge(h *harness) {
	h.enqueueWorker(activity("a", 1, 1))
	w := h.dequeueOne(nil, activity("a", 1, 1))
	c := completion("a", 1, 1)
	c.Payload = payload(mib)
	h.ackWorker(w.LockToken, c)
	h.wantItems(h.fetchOne("a").Messages, *c)
}

func historyPayloadLarge(h *harness) {
	h.startInstance("a")
	it := h.raise("a")
	e := provobs.Event{ID: 2, Kind: provobs.EventActivityCompleted, Payload: payload(mib)}
	h.ack(it.LockToken, provobs.OrchestrationAck{ExecutionID: 1, HistoryDelta: []provobs.Event{e}})
	evs := h.history("a", 1)
	h.wantEvents(evs, 1, 2)
	h.wantBytes(evs[1].Payload, e.Payload, "1 MiB event payload (ReadHistory)")
	fetched := h.raise("a")
	h.wantEvents(fetched.History, 1, 2)
	h.wantBytes(fetched.History[1].Payload, e.Payload, "1 MiB event payload (fetch)")
}

func outputPayloadLarge(h *harness) {
	h.admin()
	h.startInstance("a")
	out := payload(mib)
	h.turnWith("a", provobs.InstanceMetadata{Status: provobs.StatusCompleted, Output: out})
	h.wantBytes(h.info("a").Output, out, "1 MiB output")
}

func orchPayloadEmpty(h *harness) {
	nilP := eventMsg("a", "")
	nilP.Payload = nil
	emptyP := eventMsg("a", "")
	emptyP.Payload = []byte{}
	h.enqueue(nilP, emptyP)
	got := h.fetchOne("a")
	h.wantItems(got.Messages, nilP, emptyP)
}

func workerPayloadEmpty(h *harness) {
	nilP, emptyP := activity("a", 1, 1), activity("a", 1, 2)
	nilP.Payload, emptyP.Payload = nil, []byte{}
	h.enqueueWorker(nilP, emptyP)
	h.dequeueOne(nil, nilP)
	h.dequeueOne(nil, emptyP)
}

func historyPayloadEmpty(h *harness) {
	h.startInstance("a")
	it := h.raise("a")
	h.ack(it.LockToken, provobs.OrchestrationAck{ExecutionID: 1, HistoryDelta: []provobs.Event{
		{ID: 2, Kind: provobs.EventTimerCreated}, {ID: 3, Kind: provobs.EventTimerFired, Payload: []byte{}},
	}})
	evs := h.history("a", 1)
	h.wantEvents(evs, 1, 2, 3)
	if len(evs[1].Payload) != 0 || len(evs[2].Payload) != 0 {
		h.Fatalf("empty event payloads read back with %d and %d bytes", len(evs[1].Payload), len(evs[2].Payload))
	}
}

func binaryPayload(h *harness) {
	p := []byte{0, 0xff, 0xfe, 0, 'a', 0xc3, 0x28, 0, 0x80, '\'', '"', '\\', 0}
	m := eventMsg("a", "")
	m.Payload = p
	w := activity("a", 1, 1)
	w.Payload = p
	h.enqueue(m)
	h.enqueueWorker(w)
	it := h.fetchOne("a")
	h.wantItems(it.Messages, m)
	h.dequeueOne(nil, w)
	h.ack(it.LockToken, provobs.OrchestrationAck{ExecutionID: 1, HistoryDelta: []provobs.Event{{ID: 1, Kind: provobs.EventOrchestrationStarted, Payload: p}}})
	evs := h.history("a", 1)
	h.wantEvents(evs, 1)
	h.wantBytes(evs[0].Payload, p, "binary event payload")
}

// ---- unusual instance ids ----

func unusualIDCases() []testCase {
	ids := []struct{ name, doc, id string }{
		{"unicode", "Unicode (CJK, emoji, combining marks)", "インスタンス-🚀-e\u0301"},
		{"quotes", "single and double quotes and backslashes", `it's "quoted" \ 'twice'`},
		{"spaces", "leading, inner and trailing spaces", "  spaced  out  "},
		{"1kib", "1 KiB long", strings.Repeat("0123456789abcdef", 64)},
		{"sql_metacharacters", "SQL metacharacters", "x'); DROP TABLE instances; --"},
		{"control_characters", "tabs and newlines", "line1\nline2\ttab\r"},
		{"path_like", "slashes, dots and a URL-like shape", "../../etc/passwd?x=1#frag"},
	}
	cases := make([]testCase, 0, len(ids))
	for _, c := range ids {
		cases = append(cases, testCase{
			name: "instance_id_" + c.name,
			doc:  "an instance id with " + c.doc + " round-trips through enqueue, fetch, ack, history and the worker queue",
			fn:   func(h *harness) { h.roundTripID(c.id) },
		})
	}
	return cases
}

func (h *harness) roundTripID(id string) {
	h.Helper()
	h.startInstance(id)
	h.wantEvents(h.history(id, 0), 1)
	it := h.raise(id)
	if it.ExecutionID != 1 {
		h.Fatalf("fetch of %q: execution %d, want 1", id, it.ExecutionID)
	}
	h.ack(it.LockToken, provobs.OrchestrationAck{ExecutionID: 1, WorkerItems: []provobs.WorkItem{activity(id, 1, 2)}})
	w := h.dequeueOne(nil, activity(id, 1, 2))
	h.ackWorker(w.LockToken, completion(id, 1, 2))
	h.wantItems(h.fetchOne(id).Messages, *completion(id, 1, 2))
	if a, ok := h.p.(provobs.Admin); ok {
		inf, err := a.InstanceInfo(h.ctx(), id)
		h.must(err, "InstanceInfo")
		if inf == nil || inf.InstanceID != id {
			h.Fatalf("InstanceInfo(%q): %+v", id, inf)
		}
		list, err := a.ListInstances(h.ctx(), provobs.ListOptions{})
		h.must(err, "ListInstances")
		if len(list) != 1 || list[0].InstanceID != id {
			h.Fatalf("ListInstances: %d instances, want just %q", len(list), id)
		}
	}
}

func idsCaseSensitive(h *harness) {
	h.startInstance("Order-1")
	h.enqueue(startMsg("order-1"))
	it := h.fetchOne("order-1")
	if it.ExecutionID != 0 || len(it.History) != 0 {
		h.Fatalf("order-1 shares state with Order-1: execution %d, %d events", it.ExecutionID, len(it.History))
	}
	h.ack(it.LockToken, provobs.OrchestrationAck{ExecutionID: 1, HistoryDelta: []provobs.Event{ev(1, provobs.EventOrchestrationStarted), ev(2, provobs.EventTimerCreated)}})
	h.wantEvents(h.history("Order-1", 0), 1)
	h.wantEvents(h.history("order-1", 0), 1, 2)
}

func similarIDs(h *harness) {
	h.startInstance("a_c")
	h.startInstance("a%")
	if evs := h.history("abc", 0); len(evs) != 0 {
		h.Fatalf("ReadHistory(abc) returned a_c's %d events", len(evs))
	}
	if evs := h.history("a", 0); len(evs) != 0 {
		h.Fatalf("ReadHistory(a) returned %d events", len(evs))
	}
	h.enqueue(eventMsg("abc", "x"))
	it := h.fetchOne("abc")
	if it.ExecutionID != 0 || len(it.History) != 0 {
		h.Fatalf("abc shares state with a_c: execution %d, %d events", it.ExecutionID, len(it.History))
	}
	h.ack(it.LockToken, startAck())
	h.schedule("a_c", 1, 1)
	h.cancelTurn("a%", 1, 1)
	h.dequeueOne(nil, activity("a_c", 1, 1))
}
