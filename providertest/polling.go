package providertest

import (
	"context"
	"time"

	"github.com/provobs/provobs"
)

var pollingCases = []testCase{
	{"fetch_poll_timeout_respected", "a fetch with PollTimeout and no work returns (nil, nil) after about PollTimeout, not much earlier", fetchPollTimeout},
	{"dequeue_poll_timeout_respected", "a dequeue with PollTimeout and no work returns (nil, nil) after about PollTimeout, not much earlier", dequeuePollTimeout},
	{"session_dequeue_poll_timeout_respected", "a session dequeue that finds only other owners' items waits PollTimeout and returns (nil, nil)", sessionDequeuePollTimeout},
	{"fetch_zero_poll_returns_at_once", "a fetch with PollTimeout 0 and no work returns without waiting", fetchZeroPoll},
	{"dequeue_zero_poll_returns_at_once", "a dequeue with PollTimeout 0 and no work returns without waiting", dequeueZeroPoll},
	{"long_poll_returns_existing_work_at_once", "a long-polling fetch with visible work returns it without waiting", longPollExisting},
	{"enqueue_wakes_long_polling_fetch", "EnqueueOrchestrator wakes a waiting fetch, which returns the new work", enqueueWakesFetch},
	{"enqueue_worker_wakes_long_polling_dequeue", "EnqueueWorker wakes a waiting dequeue, which returns the new item", enqueueWakesDequeue},
	{"orchestration_ack_wakes_long_polling_dequeue", "worker items enqueued by an orchestration ack wake a waiting dequeue", ackWakesDequeue},
	{"worker_ack_wakes_long_polling_fetch", "a completion enqueued by AckWorker wakes a waiting fetch", workerAckWakesFetch},
	{"long_poll_sees_delayed_message", "a long-polling fetch returns a message that becomes visible during the poll", longPollDelayed},
	{"long_poll_skips_locked_instance", "a long-polling fetch does not return an instance that stays locked; it ends with (nil, nil)", longPollSkipsLocked},
	{"long_poll_wakes_for_delayed_abandon", "a long-polling fetch returns a batch abandoned with a Delay once the delay passes, well before PollTimeout", wakeDelayedAbandon},
	{"long_poll_wakes_for_lock_expiry", "a long-polling fetch returns an instance whose lock expires during the poll, well before PollTimeout", wakeLockExpiry},
	{"dequeue_long_poll_wakes_for_delayed_abandon", "a long-polling dequeue returns an item abandoned with a Delay once the delay passes, well before PollTimeout", wakeWorkerDelayedAbandon},
	{"dequeue_long_poll_wakes_for_lock_expiry", "a long-polling dequeue returns an item whose lock expires during the poll, well before PollTimeout", wakeWorkerLockExpiry},
	{"dequeue_long_poll_wakes_for_lease_expiry", "a long-polling session dequeue returns an item of another owner's session once its lease expires, well before PollTimeout", wakeLeaseExpiry},
	{"abandon_wakes_long_polling_fetch", "AbandonOrchestrationItem wakes a waiting fetch, which returns the batch", abandonWakesFetch},
	{"worker_abandon_wakes_long_polling_dequeue", "AbandonWorker wakes a waiting dequeue, which returns the item", abandonWakesDequeue},
	{"ack_wakes_long_polling_fetch", "an orchestration ack enqueueing a message wakes a waiting fetch", ackWakesFetch},
	{"ack_timer_wakes_long_polling_fetch", "a long-polling fetch returns a timer acked during an earlier turn when its FireAt passes, well before PollTimeout", ackTimerWakesFetch},
	{"commit_by_another_opener_wakes_long_polls", "a commit through another provider on the same storage wakes a waiting fetch and a waiting dequeue (WithStorage)", otherOpenerWakes},
	{"fetch_long_poll_honours_cancellation", "cancelling the context ends a long-polling fetch with TypeCanceled", fetchPollCancel},
	{"dequeue_long_poll_honours_cancellation", "cancelling the context ends a long-polling dequeue with TypeCanceled", dequeuePollCancel},
}

// pollFor is the PollTimeout of the cases that wait for it to pass.
func (h *harness) pollFor() time.Duration { return h.short() }

// wantWaited fails the case when a poll of d that found nothing returned
// much earlier than d, or not within the wait limit.
func (h *harness) wantWaited(start time.Time, d time.Duration, what string) {
	h.Helper()
	el := time.Since(start)
	if el < d/2 {
		h.Fatalf("%s with PollTimeout %v returned after %v", what, d, el)
	}
	if el > d+h.cfg.wait {
		h.Fatalf("%s with PollTimeout %v returned after %v", what, d, el)
	}
}

// wantQuick fails the case when a call that should not wait took more than
// half the wait limit (a loose bound: it only catches a hang or a poll).
func (h *harness) wantQuick(start time.Time, what string) {
	h.Helper()
	if el := time.Since(start); el > h.cfg.wait/2 {
		h.Fatalf("%s took %v", what, el)
	}
}

func fetchPollTimeout(h *harness) {
	t0 := time.Now()
	it := h.fetchWith(provobs.FetchOptions{LockTimeout: longLock, PollTimeout: h.pollFor()})
	if it != nil {
		h.Fatalf("fetch on an empty provider returned %q", it.InstanceID)
	}
	h.wantWaited(t0, h.pollFor(), "an empty fetch")
}

func dequeuePollTimeout(h *harness) {
	t0 := time.Now()
	if w := h.dequeueWith(provobs.FetchOptions{LockTimeout: longLock, PollTimeout: h.pollFor()}, nil); w != nil {
		h.Fatalf("dequeue on an empty provider returned %s", describe(w.Item))
	}
	h.wantWaited(t0, h.pollFor(), "an empty dequeue")
}

func sessionDequeuePollTimeout(h *harness) {
	h.enqueueWorker(sessionActivity("x", 1, "s1"), sessionActivity("x", 2, "s1"))
	h.dequeueOne(owner("A", longLease), sessionActivity("x", 1, "s1"))
	t0 := time.Now()
	if w := h.dequeueWith(provobs.FetchOptions{LockTimeout: longLock, PollTimeout: h.pollFor()}, owner("B", longLease)); w != nil {
		h.Fatalf("B's dequeue returned %s from A's session", describe(w.Item))
	}
	h.wantWaited(t0, h.pollFor(), "B's session dequeue")
}

func fetchZeroPoll(h *harness) {
	t0 := time.Now()
	h.fetchNone("empty provider")
	h.wantQuick(t0, "a fetch with PollTimeout 0")
}

func dequeueZeroPoll(h *harness) {
	t0 := time.Now()
	h.dequeueNone(nil, "empty provider")
	h.wantQuick(t0, "a dequeue with PollTimeout 0")
}

func longPollExisting(h *harness) {
	h.enqueue(startMsg("a"))
	t0 := time.Now()
	h.wantInstance(h.fetchWith(provobs.FetchOptions{LockTimeout: longLock, PollTimeout: h.cfg.wait}), "a")
	h.wantQuick(t0, "a long-polling fetch with work available")
}

type fetchResult struct {
	it  *provobs.OrchestrationItem
	err error
	el  time.Duration
}

// pollFetch starts a fetch polling for the wait limit and returns its
// result channel once the fetch has had time to start waiting.
func (h *harness) pollFetch(ctx context.Context) <-chan fetchResult {
	ch := make(chan fetchResult, 1)
	go func() {
		t0 := time.Now()
		it, err := h.p.FetchOrchestrationItem(ctx, provobs.FetchOptions{LockTimeout: longLock, PollTimeout: h.cfg.wait})
		ch <- fetchResult{it, err, time.Since(t0)}
	}()
	time.Sleep(100 * time.Millisecond)
	return ch
}

type dequeueResult struct {
	w   *provobs.WorkerItem
	err error
	el  time.Duration
}

func (h *harness) pollDequeue(ctx context.Context) <-chan dequeueResult {
	ch := make(chan dequeueResult, 1)
	go func() {
		t0 := time.Now()
		w, err := h.p.DequeueWorker(ctx, provobs.FetchOptions{LockTimeout: longLock, PollTimeout: h.cfg.wait}, nil)
		ch <- dequeueResult{w, err, time.Since(t0)}
	}()
	time.Sleep(100 * time.Millisecond)
	return ch
}

func (h *harness) wantWoken(r fetchResult, id, what string) {
	h.Helper()
	h.must(r.err, "long-polling fetch")
	if r.it == nil {
		h.Fatalf("%s: the long-polling fetch returned no work after %v", what, r.el)
	}
	h.wantInstance(r.it, id)
}

func (h *harness) wantWokenWorker(r dequeueResult, want provobs.WorkItem, what string) {
	h.Helper()
	h.must(r.err, "long-polling dequeue")
	if r.w == nil {
		h.Fatalf("%s: the long-polling dequeue returned no work after %v", what, r.el)
	}
	h.wantWorker(r.w, want)
}

func enqueueWakesFetch(h *harness) {
	ch := h.pollFetch(h.ctx())
	h.enqueue(startMsg("a"))
	h.wantWoken(<-ch, "a", "EnqueueOrchestrator during the poll")
}

func enqueueWakesDequeue(h *harness) {
	ch := h.pollDequeue(h.ctx())
	h.enqueueWorker(activity("a", 1, 1))
	h.wantWokenWorker(<-ch, activity("a", 1, 1), "EnqueueWorker during the poll")
}

func ackWakesDequeue(h *harness) {
	h.startInstance("a")
	it := h.raise("a")
	ch := h.pollDequeue(h.ctx())
	h.ack(it.LockToken, provobs.OrchestrationAck{ExecutionID: 1, WorkerItems: []provobs.WorkItem{activity("a", 1, 1)}})
	h.wantWokenWorker(<-ch, activity("a", 1, 1), "an ack scheduling an activity during the poll")
}

func workerAckWakesFetch(h *harness) {
	h.enqueueWorker(activity("a", 1, 1))
	w := h.dequeueOne(nil, activity("a", 1, 1))
	ch := h.pollFetch(h.ctx())
	h.ackWorker(w.LockToken, completion("a", 1, 1))
	r := <-ch
	h.wantWoken(r, "a", "AckWorker with a completion during the poll")
	h.wantItems(r.it.Messages, *completion("a", 1, 1))
}

func longPollDelayed(h *harness) {
	d := h.short()
	t0 := time.Now()
	h.enqueueAfter(eventMsg("a", "later"), d)
	it := h.fetchWith(provobs.FetchOptions{LockTimeout: longLock, PollTimeout: h.cfg.wait})
	if it == nil {
		h.Fatalf("a long-polling fetch returned no work though a message became visible after %v", d)
	}
	if el := time.Since(t0); el < d-slack {
		h.Fatalf("a message delayed by %v was fetched after %v", d, el)
	}
	h.wantInstance(it, "a")
}

func longPollSkipsLocked(h *harness) {
	h.enqueue(startMsg("a"))
	h.fetchOne("a")
	h.enqueue(eventMsg("a", "while locked"))
	t0 := time.Now()
	if it := h.fetchWith(provobs.FetchOptions{LockTimeout: longLock, PollTimeout: h.pollFor()}); it != nil {
		h.Fatalf("a long-polling fetch returned locked instance %q", it.InstanceID)
	}
	h.wantWaited(t0, h.pollFor(), "a fetch with only a locked instance")
}

func fetchPollCancel(h *harness) {
	ctx, cancel := context.WithCancel(h.ctx())
	defer cancel()
	ch := h.pollFetch(ctx)
	cancel()
	r := <-ch
	h.wantType(r.err, provobs.TypeCanceled, "a long-polling fetch whose context was cancelled")
	if r.el > h.cfg.wait/2 {
		h.Fatalf("the cancelled fetch returned after %v", r.el)
	}
}

func dequeuePollCancel(h *harness) {
	ctx, cancel := context.WithCancel(h.ctx())
	defer cancel()
	ch := h.pollDequeue(ctx)
	cancel()
	r := <-ch
	h.wantType(r.err, provobs.TypeCanceled, "a long-polling dequeue whose context was cancelled")
	if r.el > h.cfg.wait/2 {
		h.Fatalf("the cancelled dequeue returned after %v", r.el)
	}
}

// The wake-up cases below poll for the wait limit and want the work back
// within three quarters of it: a provider that only notices the work when
// the poll times out fails them, however slow the machine. The work becomes
// visible after medium(), so that the poll's first look comes before it.

// wantBefore fails the case unless a long poll for the wait limit returned
// its work within three quarters of it.
func (h *harness) wantBefore(el time.Duration, what string) {
	h.Helper()
	if el > h.cfg.wait*3/4 {
		h.Fatalf("%s: the long poll returned after %v; it should end when the work becomes visible, not at PollTimeout %v", what, el, h.cfg.wait)
	}
}

func wakeDelayedAbandon(h *harness) {
	h.enqueue(startMsg("a"))
	it := h.fetchOne("a")
	h.abandon(it.LockToken, provobs.AbandonOptions{Delay: h.medium()})
	r := <-h.pollFetch(h.ctx())
	h.wantWoken(r, "a", "a batch abandoned with a Delay")
	h.wantBefore(r.el, "a batch abandoned with a Delay")
}

func wakeLockExpiry(h *harness) {
	h.enqueue(startMsg("a"))
	h.wantInstance(h.fetchWith(provobs.FetchOptions{LockTimeout: h.medium()}), "a")
	r := <-h.pollFetch(h.ctx())
	h.wantWoken(r, "a", "an instance whose lock expired")
	h.wantBefore(r.el, "an instance whose lock expired")
}

func wakeWorkerDelayedAbandon(h *harness) {
	h.enqueueWorker(activity("a", 1, 1))
	w := h.dequeueOne(nil, activity("a", 1, 1))
	h.must(h.p.AbandonWorker(h.ctx(), w.LockToken, provobs.AbandonOptions{Delay: h.medium()}), "AbandonWorker")
	r := <-h.pollDequeue(h.ctx())
	h.wantWokenWorker(r, activity("a", 1, 1), "an item abandoned with a Delay")
	h.wantBefore(r.el, "an item abandoned with a Delay")
}

func wakeWorkerLockExpiry(h *harness) {
	h.enqueueWorker(activity("a", 1, 1))
	h.wantWorker(h.dequeueWith(provobs.FetchOptions{LockTimeout: h.medium()}, nil), activity("a", 1, 1))
	r := <-h.pollDequeue(h.ctx())
	h.wantWokenWorker(r, activity("a", 1, 1), "an item whose lock expired")
	h.wantBefore(r.el, "an item whose lock expired")
}

func wakeLeaseExpiry(h *harness) {
	h.enqueueWorker(sessionActivity("x", 1, "s1"), sessionActivity("x", 2, "s1"))
	w := h.dequeueOne(owner("A", h.medium()), sessionActivity("x", 1, "s1"))
	h.ackWorker(w.LockToken, nil)
	t0 := time.Now()
	got, err := h.p.DequeueWorker(h.ctx(), provobs.FetchOptions{LockTimeout: longLock, PollTimeout: h.cfg.wait}, owner("B", longLease))
	h.must(err, "B's long-polling session dequeue")
	if got == nil {
		h.Fatalf("B's long-polling dequeue returned no work after %v, though A's lease expired", time.Since(t0))
	}
	h.wantWorker(got, sessionActivity("x", 2, "s1"))
	h.wantBefore(time.Since(t0), "an item of a session whose lease expired")
}

func abandonWakesFetch(h *harness) {
	h.enqueue(startMsg("a"))
	it := h.fetchOne("a")
	ch := h.pollFetch(h.ctx())
	h.abandon(it.LockToken, provobs.AbandonOptions{})
	r := <-ch
	h.wantWoken(r, "a", "an abandon during the poll")
	h.wantBefore(r.el, "an abandon during the poll")
}

func abandonWakesDequeue(h *harness) {
	h.enqueueWorker(activity("a", 1, 1))
	w := h.dequeueOne(nil, activity("a", 1, 1))
	ch := h.pollDequeue(h.ctx())
	h.must(h.p.AbandonWorker(h.ctx(), w.LockToken, provobs.AbandonOptions{}), "AbandonWorker")
	r := <-ch
	h.wantWokenWorker(r, activity("a", 1, 1), "a worker abandon during the poll")
	h.wantBefore(r.el, "a worker abandon during the poll")
}

func ackWakesFetch(h *harness) {
	h.enqueue(startMsg("a"))
	it := h.fetchOne("a")
	ch := h.pollFetch(h.ctx())
	ack := startAck()
	ack.OrchestratorItems = []provobs.WorkItem{startMsg("b")}
	h.ack(it.LockToken, ack)
	r := <-ch
	h.wantWoken(r, "b", "an ack enqueueing a message during the poll")
	h.wantBefore(r.el, "an ack enqueueing a message during the poll")
}

func ackTimerWakesFetch(h *harness) {
	h.startInstance("a")
	it := h.raise("a")
	timer := provobs.WorkItem{Kind: provobs.KindTimerFired, InstanceID: "a", ExecutionID: 1, CorrelationID: 1,
		FireAt: time.Now().Add(h.medium()), Payload: []byte("timer")}
	h.ack(it.LockToken, provobs.OrchestrationAck{ExecutionID: 1, OrchestratorItems: []provobs.WorkItem{timer}})
	r := <-h.pollFetch(h.ctx())
	h.wantWoken(r, "a", "a timer that came due during the poll")
	h.wantBefore(r.el, "a timer that came due during the poll")
}

func otherOpenerWakes(h *harness) {
	other := h.storage().Open(h.T, h.p)
	fch := h.pollFetch(h.ctx())
	dch := h.pollDequeue(h.ctx())
	h.must(other.EnqueueOrchestrator(h.ctx(), startMsg("a"), 0), "EnqueueOrchestrator on the other provider")
	h.must(other.EnqueueWorker(h.ctx(), activity("a", 1, 1)), "EnqueueWorker on the other provider")
	f := <-fch
	h.wantWoken(f, "a", "an enqueue through another provider")
	h.wantBefore(f.el, "an enqueue through another provider")
	d := <-dch
	h.wantWokenWorker(d, activity("a", 1, 1), "a worker enqueue through another provider")
	h.wantBefore(d.el, "a worker enqueue through another provider")
}
