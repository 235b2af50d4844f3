package providertest

import (
	"time"

	"github.com/provobs/provobs"
)

// The argument rules of the contract that the root package states as code
// (provobs.ValidateFetch, ValidateSession, ValidateExtension,
// ValidateIdleTimeout, ValidateInstanceID, ValidateAck, the fire-time rule
// of ValidateOrchestratorItem and the zero-means-default rule of
// LockDuration), one case each, checked through the provider: a provider
// that skips a rule fails its case. Every case of a refused argument makes
// the bad call, wants TypeInvalidArgument, and checks that the call changed
// nothing. The other rules (empty instance ids, kinds and queues, negative
// delays, empty and unknown tokens, ExecutionID 0, a done context, a closed
// provider) have their cases in input.go and errors.go.
var ruleCases = []testCase{
	{"fetch_negative_lock_timeout", "FetchOrchestrationItem with a negative LockTimeout fails with TypeInvalidArgument and locks nothing", fetchNegativeLock},
	{"fetch_negative_poll_timeout", "FetchOrchestrationItem with a negative PollTimeout fails with TypeInvalidArgument and locks nothing", fetchNegativePoll},
	{"dequeue_negative_lock_timeout", "DequeueWorker with a negative LockTimeout fails with TypeInvalidArgument and locks nothing", dequeueNegativeLock},
	{"dequeue_negative_poll_timeout", "DequeueWorker with a negative PollTimeout fails with TypeInvalidArgument and locks nothing", dequeueNegativePoll},
	{"session_empty_owner", "DequeueWorker with a session config without OwnerID fails with TypeInvalidArgument and claims nothing", sessionEmptyOwner},
	{"session_negative_lease", "DequeueWorker with a negative SessionConfig.LockTimeout fails with TypeInvalidArgument and claims nothing", sessionNegativeLease},
	{"renew_orch_negative_extension", "RenewOrchestrationItemLock with a negative extension fails with TypeInvalidArgument and keeps the lock", renewOrchNegative},
	{"renew_worker_negative_extension", "RenewWorkerLock with a negative extension fails with TypeInvalidArgument and keeps the lock", renewWorkerNegative},
	{"renew_session_negative_extension", "RenewSessionLock with a negative extension fails with TypeInvalidArgument and keeps the lease", renewSessionNegative},
	{"cleanup_negative_idle_timeout", "CleanupOrphanedSessions with a negative idleTimeout fails with TypeInvalidArgument and deletes nothing", cleanupNegativeIdle},
	{"instance_info_empty_instance_id", "InstanceInfo with an empty instance id fails with TypeInvalidArgument (Admin)", instanceInfoEmptyID},
	{"ack_execution_id_past_max_id", "an ack with ExecutionID above provobs.MaxID fails with TypeInvalidArgument and keeps the lock", ackExecutionPastMax},
	{"ack_event_id_past_max_id", "an ack with an event id above provobs.MaxID fails with TypeInvalidArgument and keeps the lock", ackEventPastMax},
	{"enqueue_fire_at_out_of_range", "EnqueueOrchestrator with a FireAt after 2262 fails with TypeInvalidArgument and stores nothing", enqueueFireAtOutOfRange},
	{"ack_timer_fire_at_out_of_range", "an ack with a timer whose FireAt is after 2262 fails with TypeInvalidArgument and keeps the lock", ackTimerOutOfRange},
	{"renew_orch_zero_extension_uses_default", "RenewOrchestrationItemLock with a zero extension renews for the default lock timeout: the lock stays held", renewOrchZero},
	{"renew_worker_zero_extension_uses_default", "RenewWorkerLock with a zero extension renews for the default lock timeout: the lock stays held", renewWorkerZero},
	{"session_zero_lease_uses_default", "a dequeue with a zero SessionConfig.LockTimeout claims the session for the default lease: another owner cannot claim it", sessionZeroLease},
}

// farFuture is a fire time Unix nanoseconds cannot hold.
var farFuture = time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC)

// badFetch makes a fetch with opts that must be refused, then checks that
// "a" is still unlocked, with its attempt not counted.
func (h *harness) badFetch(opts provobs.FetchOptions, what string) {
	h.Helper()
	h.enqueue(startMsg("a"))
	_, err := h.p.FetchOrchestrationItem(h.ctx(), opts)
	h.wantInvalid(err, what)
	h.wantAttempt(h.fetchOne("a").AttemptCount, 1, "the fetch after "+what)
}

func fetchNegativeLock(h *harness) {
	h.badFetch(provobs.FetchOptions{LockTimeout: -time.Second}, "a fetch with LockTimeout -1s")
}

func fetchNegativePoll(h *harness) {
	h.badFetch(provobs.FetchOptions{PollTimeout: -time.Second}, "a fetch with PollTimeout -1s")
}

// badDequeue makes a dequeue that must be refused, then checks that an
// item of session "s" is still free for owner "B", its attempt not
// counted and its session not claimed.
func (h *harness) badDequeue(opts provobs.FetchOptions, s *provobs.SessionConfig, what string) {
	h.Helper()
	want := sessionActivity("a", 1, "s")
	h.enqueueWorker(want)
	_, err := h.p.DequeueWorker(h.ctx(), opts, s)
	h.wantInvalid(err, what)
	w := h.dequeueOne(&provobs.SessionConfig{OwnerID: "B", LockTimeout: longLease}, want)
	h.wantAttempt(w.AttemptCount, 1, "the dequeue after "+what)
}

func dequeueNegativeLock(h *harness) {
	h.badDequeue(provobs.FetchOptions{LockTimeout: -time.Second}, &provobs.SessionConfig{OwnerID: "A"}, "a dequeue with LockTimeout -1s")
}

func dequeueNegativePoll(h *harness) {
	h.badDequeue(provobs.FetchOptions{PollTimeout: -time.Second}, &provobs.SessionConfig{OwnerID: "A"}, "a dequeue with PollTimeout -1s")
}

func sessionEmptyOwner(h *harness) {
	h.badDequeue(provobs.FetchOptions{LockTimeout: longLock}, &provobs.SessionConfig{LockTimeout: longLease}, "a dequeue with an empty OwnerID")
}

func sessionNegativeLease(h *harness) {
	h.badDequeue(provobs.FetchOptions{LockTimeout: longLock}, &provobs.SessionConfig{OwnerID: "A", LockTimeout: -time.Second}, "a dequeue with a session lease of -1s")
}

func renewOrchNegative(h *harness) {
	h.enqueue(startMsg("a"))
	it := h.fetchOne("a")
	h.wantInvalid(h.p.RenewOrchestrationItemLock(h.ctx(), it.LockToken, -time.Second), "RenewOrchestrationItemLock by -1s")
	h.fetchNone("a is still locked")
	h.ack(it.LockToken, startAck())
}

func renewWorkerNegative(h *harness) {
	h.enqueueWorker(activity("a", 1, 1))
	w := h.dequeueOne(nil, activity("a", 1, 1))
	h.wantInvalid(h.p.RenewWorkerLock(h.ctx(), w.LockToken, -time.Second), "RenewWorkerLock by -1s")
	h.wantWorkerKept(w.LockToken)
}

// heldSession makes owner "A" hold session "s" with a long lease and no
// queued items, and returns the check that it still does.
func (h *harness) heldSession() (stillHeld func(what string)) {
	h.Helper()
	a := &provobs.SessionConfig{OwnerID: "A", LockTimeout: longLease}
	w := h.dequeueOne(a, h.enqueueSessionItem(1))
	h.ackWorker(w.LockToken, nil)
	return func(what string) {
		h.Helper()
		next := h.enqueueSessionItem(2)
		h.dequeueNone(&provobs.SessionConfig{OwnerID: "B", LockTimeout: longLease}, what)
		h.dequeueOne(a, next)
	}
}

func (h *harness) enqueueSessionItem(corr uint64) provobs.WorkItem {
	h.Helper()
	it := sessionActivity("a", corr, "s")
	h.enqueueWorker(it)
	return it
}

func renewSessionNegative(h *harness) {
	stillHeld := h.heldSession()
	n, err := h.p.RenewSessionLock(h.ctx(), []string{"A"}, -time.Second, 0)
	h.wantInvalid(err, "RenewSessionLock by -1s")
	h.wantCount(n, 0, "sessions renewed by a refused call")
	stillHeld("A still holds s after the refused renew")
}

func cleanupNegativeIdle(h *harness) {
	stillHeld := h.heldSession()
	n, err := h.p.CleanupOrphanedSessions(h.ctx(), -time.Second)
	h.wantInvalid(err, "CleanupOrphanedSessions with idleTimeout -1s")
	h.wantCount(n, 0, "sessions deleted by a refused call")
	stillHeld("A still holds s after the refused cleanup")
}

func instanceInfoEmptyID(h *harness) {
	_, err := h.admin().InstanceInfo(h.ctx(), "")
	h.wantInvalid(err, "InstanceInfo with an empty instance id")
}

func ackExecutionPastMax(h *harness) {
	h.badAck(provobs.OrchestrationAck{ExecutionID: provobs.MaxID + 1}, "an ack with ExecutionID MaxID+1")
}

func ackEventPastMax(h *harness) {
	h.startInstance("a")
	it := h.raise("a")
	ack := provobs.OrchestrationAck{ExecutionID: 1, HistoryDelta: []provobs.Event{ev(provobs.MaxID+1, provobs.EventExternalRaised)}}
	h.wantInvalid(h.p.AckOrchestrationItem(h.ctx(), it.LockToken, ack), "an ack with event id MaxID+1")
	h.wantOrchKept(it.LockToken)
}

func enqueueFireAtOutOfRange(h *harness) {
	timer := orchMsg(provobs.KindTimerFired, "a", "")
	timer.FireAt = farFuture
	h.wantInvalid(h.p.EnqueueOrchestrator(h.ctx(), timer, 0), "EnqueueOrchestrator of a timer firing in 2300")
	h.wantDepthsIfAdmin(provobs.QueueDepths{})
	h.fetchNone("nothing was stored")
}

func ackTimerOutOfRange(h *harness) {
	timer := orchMsg(provobs.KindTimerFired, "a", "")
	timer.FireAt = farFuture
	h.badAck(provobs.OrchestrationAck{OrchestratorItems: []provobs.WorkItem{timer}}, "an ack with a timer firing in 2300")
}

// The zero-means-default cases need no timing: a provider that took zero
// literally would leave a lock or lease that has already expired, which the
// very next call sees.

func renewOrchZero(h *harness) {
	h.enqueue(startMsg("a"))
	it := h.fetchOne("a")
	h.must(h.p.RenewOrchestrationItemLock(h.ctx(), it.LockToken, 0), "RenewOrchestrationItemLock by 0")
	h.fetchNone("a is still locked after a renew by the default")
	h.ack(it.LockToken, startAck())
}

func renewWorkerZero(h *harness) {
	h.enqueueWorker(activity("a", 1, 1))
	w := h.dequeueOne(nil, activity("a", 1, 1))
	h.must(h.p.RenewWorkerLock(h.ctx(), w.LockToken, 0), "RenewWorkerLock by 0")
	h.dequeueNone(nil, "the item is still locked after a renew by the default")
	h.ackWorker(w.LockToken, nil)
}

func sessionZeroLease(h *harness) {
	first := h.enqueueSessionItem(1)
	w := h.dequeueOne(&provobs.SessionConfig{OwnerID: "A"}, first)
	h.ackWorker(w.LockToken, nil)
	next := h.enqueueSessionItem(2)
	h.dequeueNone(&provobs.SessionConfig{OwnerID: "B", LockTimeout: longLease}, "A holds s for the default lease")
	h.dequeueOne(&provobs.SessionConfig{OwnerID: "A"}, next)
}
