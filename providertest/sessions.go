package providertest

import (
	"fmt"
	"sync/atomic"
	"time"

	"github.com/provobs/provobs"
)

var sessionCases = []testCase{
	{"session_less_dequeue_ignores_session_items", "a dequeue without a session config skips session items and takes session-less ones", sessionLessIgnores},
	{"session_dequeue_takes_session_less_items", "a session-aware dequeue also takes items without a session", sessionTakesPlain},
	{"claim_pins_session_to_owner", "the owner that claims a session gets its later items; another owner does not", claimPins},
	{"other_owner_skips_held_session", "an owner skips items of a session held by another and takes the next eligible item", otherOwnerSkips},
	{"owners_split_unowned_sessions", "two owners claim two unowned sessions, one each", ownersSplit},
	{"ten_owners_race_for_one_session", "10 owners racing to dequeue one session's items: exactly one owner gets them", tenOwnersRace},
	{"session_items_are_fifo", "a session's items reach its owner in insertion order", sessionFIFO},
	{"takeover_after_lease_expiry", "after the lease expires another owner claims the session, not before; the old owner loses it", takeover},
	{"expired_item_stays_with_session_owner", "an item whose lock expired inside a held session goes back to the owner only", expiredItemStaysWithOwner},
	{"renew_counts_live_sessions", "RenewSessionLock renews and counts the live sessions of the given owners only", renewCounts},
	{"renew_extends_lease", "a renewed lease outlives its first timeout: no other owner can claim the session", renewExtendsLease},
	{"renew_skips_idle_sessions", "RenewSessionLock skips sessions idle for longer than idleTimeout", renewSkipsIdle},
	{"renew_never_reacquires_expired_lease", "RenewSessionLock does not revive an expired lease; another owner can claim it", renewNoReacquire},
	{"ack_touches_last_activity", "AckWorker refreshes the session's last activity, so an idle-aware renew keeps it", ackTouches},
	{"renew_worker_lock_touches_last_activity", "RenewWorkerLock refreshes the session's last activity, so an idle-aware renew keeps it", renewWorkerTouches},
	{"cleanup_keeps_live_sessions", "CleanupOrphanedSessions leaves sessions whose lease is live and that are not idle", cleanupKeepsLive},
	{"cleanup_keeps_sessions_with_items", "CleanupOrphanedSessions leaves expired sessions that still have queued items", cleanupKeepsWithItems},
	{"cleanup_removes_expired_sessions", "CleanupOrphanedSessions deletes expired sessions without items, once", cleanupRemovesExpired},
	{"cleanup_removes_idle_sessions", "CleanupOrphanedSessions with idleTimeout deletes idle sessions without items even when their lease is live", cleanupRemovesIdle},
	{"cleaned_session_can_be_claimed_again", "a session deleted by cleanup is claimed afresh by the next owner", cleanedReclaimed},
}

func sessionLessIgnores(h *harness) {
	h.enqueueWorker(sessionActivity("a", 1, "s1"))
	h.dequeueNone(nil, "the only item has a session")
	h.enqueueWorker(activity("a", 1, 2))
	h.dequeueOne(nil, activity("a", 1, 2))
	h.dequeueNone(nil, "the session item is left")
	h.dequeueOne(owner("w1", longLease), sessionActivity("a", 1, "s1"))
}

func sessionTakesPlain(h *harness) {
	h.enqueueWorker(activity("a", 1, 1))
	h.dequeueOne(owner("w1", longLease), activity("a", 1, 1))
}

func claimPins(h *harness) {
	a, b := owner("A", longLease), owner("B", longLease)
	h.enqueueWorker(sessionActivity("x", 1, "s1"))
	h.ackWorker(h.dequeueOne(a, sessionActivity("x", 1, "s1")).LockToken, nil)
	h.enqueueWorker(sessionActivity("x", 2, "s1"))
	h.dequeueNone(b, "s1 is held by A")
	h.dequeueOne(a, sessionActivity("x", 2, "s1"))
}

func otherOwnerSkips(h *harness) {
	a, b := owner("A", longLease), owner("B", longLease)
	h.enqueueWorker(sessionActivity("x", 1, "s1"))
	h.dequeueOne(a, sessionActivity("x", 1, "s1"))
	h.enqueueWorker(sessionActivity("x", 2, "s1"), activity("y", 1, 3))
	h.dequeueOne(b, activity("y", 1, 3))
	h.dequeueNone(b, "only s1's item is left, held by A")
}

func ownersSplit(h *harness) {
	a, b := owner("A", longLease), owner("B", longLease)
	h.enqueueWorker(sessionActivity("x", 1, "s1"), sessionActivity("x", 2, "s2"), sessionActivity("x", 3, "s1"), sessionActivity("x", 4, "s2"))
	h.dequeueOne(a, sessionActivity("x", 1, "s1"))
	h.dequeueOne(b, sessionActivity("x", 2, "s2"))
	h.dequeueOne(b, sessionActivity("x", 4, "s2"))
	h.dequeueOne(a, sessionActivity("x", 3, "s1"))
}

func tenOwnersRace(h *harness) {
	for i := range 10 {
		h.enqueueWorker(sessionActivity("x", uint64(i+1), "s1"))
	}
	type res struct {
		owner string
		w     *provobs.WorkerItem
	}
	var next atomic.Int32
	got, errs := concurrently(10, func() (res, error) {
		o := fmt.Sprintf("w%d", next.Add(1))
		w, err := h.p.DequeueWorker(h.ctx(), provobs.FetchOptions{LockTimeout: longLock}, owner(o, longLease))
		return res{o, w}, err
	})
	var winners []string
	for i, r := range got {
		h.must(errs[i], "concurrent session dequeue %d", i)
		if r.w != nil {
			winners = append(winners, r.owner)
		}
	}
	if len(winners) != 1 {
		h.Fatalf("owners %v got items of session s1, want exactly one owner", winners)
	}
}

func sessionFIFO(h *harness) {
	a := owner("A", longLease)
	items := []provobs.WorkItem{sessionActivity("x", 3, "s1"), sessionActivity("x", 1, "s1"), sessionActivity("x", 2, "s1")}
	h.enqueueWorker(items...)
	for _, want := range items {
		h.dequeueOne(a, want)
	}
}

func takeover(h *harness) {
	a, b := owner("A", h.short()), owner("B", longLease)
	h.enqueueWorker(sessionActivity("x", 1, "s1"), sessionActivity("x", 2, "s1"))
	t0 := time.Now()
	h.ackWorker(h.dequeueOne(a, sessionActivity("x", 1, "s1")).LockToken, nil)
	var w *provobs.WorkerItem
	h.eventually("B claims s1 after A's lease expired", func() bool { w = h.dequeue(b); return w != nil })
	if el := time.Since(t0); el < h.short()-slack {
		h.Fatalf("B took over a %v lease after %v", h.short(), el)
	}
	h.wantWorker(w, sessionActivity("x", 2, "s1"))
	h.enqueueWorker(sessionActivity("x", 3, "s1"))
	h.dequeueNone(a, "s1 now belongs to B")
	h.dequeueOne(b, sessionActivity("x", 3, "s1"))
}

func expiredItemStaysWithOwner(h *harness) {
	a, b := owner("A", longLease), owner("B", longLease)
	h.enqueueWorker(sessionActivity("x", 1, "s1"))
	h.wantWorker(h.dequeueWith(provobs.FetchOptions{LockTimeout: h.short()}, a), sessionActivity("x", 1, "s1"))
	expired(time.Now(), h.short())
	h.dequeueNone(b, "the expired item's session is held by A")
	w := h.dequeueOne(a, sessionActivity("x", 1, "s1"))
	h.wantAttempt(w.AttemptCount, 2, "re-dequeue by the owner after expiry")
}

func (h *harness) renew(owners []string, extend, idle time.Duration) int {
	h.Helper()
	n, err := h.p.RenewSessionLock(h.ctx(), owners, extend, idle)
	h.must(err, "RenewSessionLock(%v)", owners)
	return n
}

func (h *harness) cleanup(idle time.Duration) int {
	h.Helper()
	n, err := h.p.CleanupOrphanedSessions(h.ctx(), idle)
	h.must(err, "CleanupOrphanedSessions(%v)", idle)
	return n
}

func (h *harness) wantCount(got, want int, what string) {
	h.Helper()
	if got != want {
		h.Fatalf("%s: %d, want %d", what, got, want)
	}
}

func renewCounts(h *harness) {
	a, b := owner("A", longLease), owner("B", longLease)
	h.enqueueWorker(sessionActivity("x", 1, "s1"), sessionActivity("x", 2, "s2"), sessionActivity("x", 3, "s3"))
	h.dequeueOne(a, sessionActivity("x", 1, "s1"))
	h.dequeueOne(a, sessionActivity("x", 2, "s2"))
	h.dequeueOne(b, sessionActivity("x", 3, "s3"))
	h.wantCount(h.renew([]string{"A"}, longLease, longLease), 2, "sessions renewed for A")
	h.wantCount(h.renew([]string{"A", "B"}, longLease, longLease), 3, "sessions renewed for A and B")
	h.wantCount(h.renew([]string{"C"}, longLease, longLease), 0, "sessions renewed for an owner with none")
	h.wantCount(h.renew(nil, longLease, longLease), 0, "sessions renewed for no owner")
}

func renewExtendsLease(h *harness) {
	a, b := owner("A", h.medium()), owner("B", longLease)
	h.enqueueWorker(sessionActivity("x", 1, "s1"), sessionActivity("x", 2, "s1"))
	t0 := time.Now()
	w := h.dequeueOne(a, sessionActivity("x", 1, "s1"))
	took := time.Now()
	n := h.renew([]string{"A"}, longLease, longLease)
	if n == 0 {
		h.inconclusive(t0, h.medium()-slack, "claiming and renewing the session")
	}
	h.wantCount(n, 1, "sessions renewed")
	h.ackWorker(w.LockToken, nil)
	expired(took, h.medium())
	h.dequeueNone(b, "A's renewed lease outlived its first timeout")
	h.wantCount(h.renew([]string{"A"}, longLease, longLease), 1, "sessions renewed again")
	h.dequeueOne(a, sessionActivity("x", 2, "s1"))
}

func renewSkipsIdle(h *harness) {
	a := owner("A", longLease)
	idle := h.short()
	h.enqueueWorker(sessionActivity("x", 1, "s1"))
	h.dequeueOne(a, sessionActivity("x", 1, "s1"))
	sleepUntil(time.Now().Add(idle + 2*slack))
	h.wantCount(h.renew([]string{"A"}, longLease, idle), 0, "renew of a session idle longer than idleTimeout")
	h.wantCount(h.renew([]string{"A"}, longLease, longLease), 1, "renew of the same session with a long idleTimeout")
}

func renewNoReacquire(h *harness) {
	a, b := owner("A", h.short()), owner("B", longLease)
	h.enqueueWorker(sessionActivity("x", 1, "s1"))
	h.ackWorker(h.dequeueOne(a, sessionActivity("x", 1, "s1")).LockToken, nil)
	expired(time.Now(), h.short())
	h.wantCount(h.renew([]string{"A"}, longLease, longLease), 0, "renew of an expired lease")
	h.enqueueWorker(sessionActivity("x", 2, "s1"))
	h.dequeueOne(b, sessionActivity("x", 2, "s1"))
}

// touchCase claims a session, touches it with touch two thirds of an idle
// window later, and checks that a renew one idle window after the claim
// still finds it active.
func (h *harness) touchCase(touch func(token string) error, what string) {
	a := owner("A", longLease)
	idle := h.medium()
	h.enqueueWorker(sessionActivity("x", 1, "s1"))
	w := h.dequeueOne(a, sessionActivity("x", 1, "s1"))
	claimed := time.Now()
	sleepUntil(claimed.Add(idle * 2 / 3))
	touched := time.Now()
	h.must(touch(w.LockToken), "%s", what)
	sleepUntil(claimed.Add(idle + 2*slack))
	n := h.renew([]string{"A"}, longLease, idle)
	h.inconclusive(touched, idle-slack, what+" and the renew")
	h.wantCount(n, 1, "renew after "+what+" (without the touch the session is idle)")
}

func ackTouches(h *harness) {
	h.touchCase(func(tok string) error { return h.p.AckWorker(h.ctx(), tok, nil) }, "AckWorker")
}

func renewWorkerTouches(h *harness) {
	h.touchCase(func(tok string) error { return h.p.RenewWorkerLock(h.ctx(), tok, longLock) }, "RenewWorkerLock")
}

func cleanupKeepsLive(h *harness) {
	a, b := owner("A", longLease), owner("B", longLease)
	h.enqueueWorker(sessionActivity("x", 1, "s1"))
	h.ackWorker(h.dequeueOne(a, sessionActivity("x", 1, "s1")).LockToken, nil)
	h.wantCount(h.cleanup(0), 0, "sessions cleaned (lease live)")
	h.wantCount(h.cleanup(time.Hour), 0, "sessions cleaned (lease live, not idle)")
	h.enqueueWorker(sessionActivity("x", 2, "s1"))
	h.dequeueNone(b, "s1 is still A's")
	h.dequeueOne(a, sessionActivity("x", 2, "s1"))
}

func cleanupKeepsWithItems(h *harness) {
	a, b := owner("A", h.short()), owner("B", longLease)
	h.enqueueWorker(sessionActivity("x", 1, "s1"), sessionActivity("x", 2, "s1"))
	h.ackWorker(h.dequeueOne(a, sessionActivity("x", 1, "s1")).LockToken, nil)
	expired(time.Now(), h.short())
	h.wantCount(h.cleanup(0), 0, "sessions cleaned (expired, one item queued)")
	h.dequeueOne(b, sessionActivity("x", 2, "s1"))
}

func cleanupRemovesExpired(h *harness) {
	a := owner("A", h.short())
	h.enqueueWorker(sessionActivity("x", 1, "s1"))
	h.ackWorker(h.dequeueOne(a, sessionActivity("x", 1, "s1")).LockToken, nil)
	expired(time.Now(), h.short())
	h.wantCount(h.cleanup(0), 1, "sessions cleaned (expired, no items)")
	h.wantCount(h.cleanup(0), 0, "sessions cleaned a second time")
}

func cleanupRemovesIdle(h *harness) {
	a := owner("A", longLease)
	idle := h.short()
	h.enqueueWorker(sessionActivity("x", 1, "s1"))
	h.ackWorker(h.dequeueOne(a, sessionActivity("x", 1, "s1")).LockToken, nil)
	sleepUntil(time.Now().Add(idle + 2*slack))
	h.wantCount(h.cleanup(idle), 1, "sessions cleaned (idle, lease live, no items)")
	h.wantCount(h.renew([]string{"A"}, longLease, longLease), 0, "renew of the cleaned session")
}

func cleanedReclaimed(h *harness) {
	a, b := owner("A", h.short()), owner("B", longLease)
	h.enqueueWorker(sessionActivity("x", 1, "s1"))
	h.ackWorker(h.dequeueOne(a, sessionActivity("x", 1, "s1")).LockToken, nil)
	expired(time.Now(), h.short())
	h.wantCount(h.cleanup(0), 1, "sessions cleaned")
	h.enqueueWorker(sessionActivity("x", 2, "s1"))
	h.dequeueOne(b, sessionActivity("x", 2, "s1"))
	h.wantCount(h.renew([]string{"B"}, longLease, longLease), 1, "B's new claim renewed")
	h.dequeueNone(a, "s1 is B's now")
}
