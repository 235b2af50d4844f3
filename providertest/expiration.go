package providertest

import (
	"errors"
	"time"

	"github.com/provobs/provobs"
)

var expirationCases = []testCase{
	{"renew_can_shorten_lock", "renewing an instance lock with a shorter extension makes it expire at now+extendFor, before the original expiry", renewShortens},
	{"worker_renew_can_shorten_lock", "renewing a worker lock with a shorter extension makes it expire at now+extendFor, before the original expiry", workerRenewShortens},
	{"orchestration_lock_expires", "an unrenewed instance lock expires after its LockTimeout, not before, and the instance is fetchable again", orchLockExpires},
	{"expired_token_ack_fails", "an ack after the lock expired fails with TypeLockLost and the batch stays fetchable", expiredAckFails},
	{"refetch_after_expiry_invalidates_old_token", "after expiry and refetch the old token fails ack, renew and abandon; the new one acks", refetchInvalidatesOld},
	{"renew_extends_orchestration_lock", "a renewed instance lock outlives its original LockTimeout", renewExtendsOrch},
	{"renew_after_expiry_fails", "renewing an expired instance lock fails with TypeLockLost and does not re-lock it", renewAfterExpiryFails},
	{"refetch_after_expiry_includes_new_messages", "a refetch after expiry returns the old batch plus messages that arrived meanwhile", refetchIncludesNew},
	{"worker_lock_expires", "an unrenewed worker lock expires after its LockTimeout, not before, and the item is dequeued again", workerLockExpires},
	{"expired_worker_ack_fails_item_stays", "a worker ack after expiry fails with TypeLockLost, enqueues no completion, and the item stays", expiredWorkerAckFails},
	{"worker_refetch_after_expiry_invalidates_old_token", "after expiry and re-dequeue the old worker token fails ack, renew and abandon", workerRefetchInvalidatesOld},
	{"worker_renew_extends_lock", "a renewed worker lock outlives its original LockTimeout", workerRenewExtends},
	{"worker_renew_after_expiry_fails", "renewing an expired worker lock fails with TypeLockLost and does not re-lock the item", workerRenewAfterExpiryFails},
}

// expired sleeps until a lock taken by a call that returned at took, with
// timeout d, has certainly expired.
func expired(took time.Time, d time.Duration) {
	sleepUntil(took.Add(d + 2*slack))
}

func orchLockExpires(h *harness) {
	h.enqueue(startMsg("a"))
	t0 := time.Now()
	first := h.wantInstance(h.fetchWith(provobs.FetchOptions{LockTimeout: h.short()}), "a")
	var again *provobs.OrchestrationItem
	h.eventually("the expired lock of a is fetchable again", func() bool {
		again = h.fetch()
		return again != nil
	})
	if el := time.Since(t0); el < h.short()-slack {
		h.Fatalf("a lock of %v was taken over after %v", h.short(), el)
	}
	h.wantInstance(again, "a")
	if again.LockToken == first.LockToken {
		h.Fatalf("refetch after expiry reused token %q", first.LockToken)
	}
	h.wantItems(again.Messages, startMsg("a"))
}

func expiredAckFails(h *harness) {
	h.enqueue(startMsg("a"))
	it := h.wantInstance(h.fetchWith(provobs.FetchOptions{LockTimeout: h.short()}), "a")
	expired(time.Now(), h.short())
	h.wantLockLost(h.p.AckOrchestrationItem(h.ctx(), it.LockToken, startAck()), "ack with an expired token")
	if evs := h.history("a", 0); len(evs) != 0 {
		h.Fatalf("the failed ack appended %d events", len(evs))
	}
	h.wantItems(h.fetchOne("a").Messages, startMsg("a"))
}

func refetchInvalidatesOld(h *harness) {
	h.enqueue(startMsg("a"))
	old := h.wantInstance(h.fetchWith(provobs.FetchOptions{LockTimeout: h.short()}), "a")
	var cur *provobs.OrchestrationItem
	h.eventually("a is fetchable after expiry", func() bool { cur = h.fetch(); return cur != nil })
	h.wantLockLost(h.p.AckOrchestrationItem(h.ctx(), old.LockToken, startAck()), "ack with the old token")
	h.wantLockLost(h.p.RenewOrchestrationItemLock(h.ctx(), old.LockToken, longLock), "renew with the old token")
	h.wantLockLost(h.p.AbandonOrchestrationItem(h.ctx(), old.LockToken, provobs.AbandonOptions{}), "abandon with the old token")
	h.fetchNone("the new lock still holds after the old token's failures")
	h.ack(cur.LockToken, startAck())
	h.wantEvents(h.history("a", 1), 1)
}

func renewExtendsOrch(h *harness) {
	h.enqueue(startMsg("a"))
	t0 := time.Now()
	it := h.wantInstance(h.fetchWith(provobs.FetchOptions{LockTimeout: h.medium()}), "a")
	took := time.Now()
	h.inTime(h.p.RenewOrchestrationItemLock(h.ctx(), it.LockToken, longLock), t0, h.medium(), "renew")
	expired(took, h.medium())
	h.fetchNone("the renewed lock outlived its first timeout")
	h.ack(it.LockToken, startAck())
}

// inTime fails the case when err, from a call on a short lock taken at t0,
// is not nil, unless it is TypeLockLost and the lock may have expired before
// the call (then the case is inconclusive).
func (h *harness) inTime(err error, t0 time.Time, lock time.Duration, what string) {
	h.Helper()
	if errors.Is(err, provobs.ErrLockLost) {
		h.inconclusive(t0, lock-slack, "taking the lock and using it")
	}
	h.must(err, "%s", what)
}

func renewAfterExpiryFails(h *harness) {
	h.enqueue(startMsg("a"))
	it := h.wantInstance(h.fetchWith(provobs.FetchOptions{LockTimeout: h.short()}), "a")
	expired(time.Now(), h.short())
	h.wantLockLost(h.p.RenewOrchestrationItemLock(h.ctx(), it.LockToken, longLock), "renew of an expired lock")
	h.fetchOne("a")
}

func refetchIncludesNew(h *harness) {
	h.enqueue(eventMsg("a", "m1"))
	h.wantInstance(h.fetchWith(provobs.FetchOptions{LockTimeout: h.short()}), "a")
	h.enqueue(eventMsg("a", "m2"))
	var again *provobs.OrchestrationItem
	h.eventually("a is fetchable after expiry", func() bool { again = h.fetch(); return again != nil })
	h.wantItems(again.Messages, eventMsg("a", "m1"), eventMsg("a", "m2"))
}

func workerLockExpires(h *harness) {
	h.enqueueWorker(activity("a", 1, 1))
	t0 := time.Now()
	first := h.wantWorker(h.dequeueWith(provobs.FetchOptions{LockTimeout: h.short()}, nil), activity("a", 1, 1))
	var again *provobs.WorkerItem
	h.eventually("the expired worker item is dequeued again", func() bool { again = h.dequeue(nil); return again != nil })
	if el := time.Since(t0); el < h.short()-slack {
		h.Fatalf("a worker lock of %v was taken over after %v", h.short(), el)
	}
	h.wantWorker(again, activity("a", 1, 1))
	if again.LockToken == first.LockToken {
		h.Fatalf("re-dequeue after expiry reused token %q", first.LockToken)
	}
}

func expiredWorkerAckFails(h *harness) {
	h.enqueueWorker(activity("a", 1, 1))
	w := h.wantWorker(h.dequeueWith(provobs.FetchOptions{LockTimeout: h.short()}, nil), activity("a", 1, 1))
	expired(time.Now(), h.short())
	h.wantLockLost(h.p.AckWorker(h.ctx(), w.LockToken, completion("a", 1, 1)), "AckWorker with an expired token")
	h.fetchNone("the failed worker ack enqueued its completion")
	h.dequeueOne(nil, activity("a", 1, 1))
}

func workerRefetchInvalidatesOld(h *harness) {
	h.enqueueWorker(activity("a", 1, 1))
	old := h.wantWorker(h.dequeueWith(provobs.FetchOptions{LockTimeout: h.short()}, nil), activity("a", 1, 1))
	var cur *provobs.WorkerItem
	h.eventually("the item is dequeued again after expiry", func() bool { cur = h.dequeue(nil); return cur != nil })
	h.wantLockLost(h.p.AckWorker(h.ctx(), old.LockToken, completion("a", 1, 1)), "AckWorker with the old token")
	h.wantLockLost(h.p.RenewWorkerLock(h.ctx(), old.LockToken, longLock), "RenewWorkerLock with the old token")
	h.wantLockLost(h.p.AbandonWorker(h.ctx(), old.LockToken, provobs.AbandonOptions{}), "AbandonWorker with the old token")
	h.fetchNone("no completion from the old token")
	h.dequeueNone(nil, "the new lock still holds")
	h.ackWorker(cur.LockToken, completion("a", 1, 1))
	h.fetchOne("a")
}

func workerRenewExtends(h *harness) {
	h.enqueueWorker(activity("a", 1, 1))
	t0 := time.Now()
	w := h.wantWorker(h.dequeueWith(provobs.FetchOptions{LockTimeout: h.medium()}, nil), activity("a", 1, 1))
	took := time.Now()
	h.inTime(h.p.RenewWorkerLock(h.ctx(), w.LockToken, longLock), t0, h.medium(), "RenewWorkerLock")
	expired(took, h.medium())
	h.dequeueNone(nil, "the renewed worker lock outlived its first timeout")
	h.ackWorker(w.LockToken, nil)
}

func workerRenewAfterExpiryFails(h *harness) {
	h.enqueueWorker(activity("a", 1, 1))
	w := h.wantWorker(h.dequeueWith(provobs.FetchOptions{LockTimeout: h.short()}, nil), activity("a", 1, 1))
	expired(time.Now(), h.short())
	h.wantLockLost(h.p.RenewWorkerLock(h.ctx(), w.LockToken, longLock), "renew of an expired worker lock")
	h.dequeueOne(nil, activity("a", 1, 1))
}

func renewShortens(h *harness) {
	h.enqueue(startMsg("a"))
	it := h.fetchOne("a") // longLock
	t0 := time.Now()
	h.must(h.p.RenewOrchestrationItemLock(h.ctx(), it.LockToken, h.short()), "RenewOrchestrationItemLock(%v)", h.short())
	if it := h.fetch(); it != nil {
		h.inconclusive(t0, h.short()-slack, "the renew and the check")
		h.Fatalf("instance %q fetchable right after a renew to %v", it.InstanceID, h.short())
	}
	var again *provobs.OrchestrationItem
	h.eventually("the shortened lock expires", func() bool {
		again = h.fetch()
		return again != nil
	})
	h.wantInstance(again, "a")
	h.wantLockLost(h.p.AckOrchestrationItem(h.ctx(), it.LockToken, startAck()), "ack with the shortened, expired token")
}

func workerRenewShortens(h *harness) {
	h.enqueueWorker(activity("a", 1, 1))
	w := h.dequeueOne(nil, activity("a", 1, 1)) // longLock
	t0 := time.Now()
	h.must(h.p.RenewWorkerLock(h.ctx(), w.LockToken, h.short()), "RenewWorkerLock(%v)", h.short())
	if got := h.dequeue(nil); got != nil {
		h.inconclusive(t0, h.short()-slack, "the renew and the check")
		h.Fatalf("item %s dequeueable right after a renew to %v", describe(got.Item), h.short())
	}
	var again *provobs.WorkerItem
	h.eventually("the shortened worker lock expires", func() bool {
		again = h.dequeue(nil)
		return again != nil
	})
	h.wantWorker(again, activity("a", 1, 1))
	h.wantLockLost(h.p.AckWorker(h.ctx(), w.LockToken, nil), "worker ack with the shortened, expired token")
}
