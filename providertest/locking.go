package providertest

import (
	"fmt"
	"sync"

	"github.com/provobs/provobs"
)

var lockingCases = []testCase{
	{"fetch_locks_instance", "a fetched instance is locked: a second fetch finds no work", fetchLocksInstance},
	{"other_instances_stay_fetchable", "a lock on one instance does not block fetching another", otherInstancesFetchable},
	{"locked_instance_with_new_messages_is_skipped", "messages that arrive while an instance is locked do not make it fetchable", lockedInstanceSkipped},
	{"ack_deletes_only_tagged_messages", "an ack deletes the fetched batch only; messages that arrived meanwhile come in the next fetch", ackDeletesOnlyTagged},
	{"ack_releases_lock", "after an ack the instance can be fetched again at once", ackReleasesLock},
	{"abandon_releases_lock", "after an abandon the same batch can be fetched again at once, with a new token", abandonReleasesLock},
	{"lock_tokens_are_uuids", "orchestration lock tokens are UUID strings", lockTokensUUID},
	{"lock_tokens_are_fresh", "every fetch of the same instance gets a new token", lockTokensFresh},
	{"ten_fetchers_get_distinct_instances", "10 concurrent fetches over 10 instances each lock a different instance; none returns nil", tenFetchersDistinct},
	{"ten_fetchers_race_for_one_instance", "10 concurrent fetches of one instance: exactly one wins, the others find no work", tenFetchersOneInstance},
	{"default_lock_timeout_holds_lock", "a fetch with LockTimeout 0 uses the provider's default, which holds the lock", defaultLockHolds},
	{"renew_keeps_valid_lock", "renewing a valid orchestration lock succeeds and keeps the instance locked", renewKeepsLock},
	{"worker_dequeue_locks_item", "a dequeued worker item is locked: a second dequeue finds no work", workerDequeueLocks},
	{"worker_abandon_releases_item", "an abandoned worker item can be dequeued again at once, with a new token", workerAbandonReleases},
	{"worker_tokens_are_fresh_uuids", "worker lock tokens are UUID strings, new on every dequeue", workerTokensFresh},
	{"worker_ten_dequeuers_get_distinct_items", "10 concurrent dequeues over 10 items each lock a different item; none returns nil", tenDequeuersDistinct},
	{"worker_ten_dequeuers_race_for_one_item", "10 concurrent dequeues of one item: exactly one wins, the others find no work", tenDequeuersOneItem},
	{"worker_default_lock_timeout_holds_lock", "a dequeue with LockTimeout 0 uses the provider's default, which holds the lock", workerDefaultLockHolds},
	{"worker_renew_keeps_valid_lock", "renewing a valid worker lock succeeds and keeps the item locked", workerRenewKeepsLock},
}

func fetchLocksInstance(h *harness) {
	h.enqueue(startMsg("a"))
	h.fetchOne("a")
	h.fetchNone("a is locked")
}

func otherInstancesFetchable(h *harness) {
	h.enqueue(startMsg("a"), startMsg("b"))
	first := h.fetch()
	if first == nil {
		h.Fatal("fetch with two instances queued found no work")
	}
	other := map[string]string{"a": "b", "b": "a"}[first.InstanceID]
	h.fetchOne(other)
	h.fetchNone("both instances are locked")
}

func lockedInstanceSkipped(h *harness) {
	h.enqueue(eventMsg("a", "m1"))
	it := h.fetchOne("a")
	h.enqueue(eventMsg("a", "m2"))
	h.fetchNone("a is locked even though m2 arrived")
	h.abandon(it.LockToken, provobs.AbandonOptions{})
	h.wantItems(h.fetchOne("a").Messages, eventMsg("a", "m1"), eventMsg("a", "m2"))
}

func ackDeletesOnlyTagged(h *harness) {
	h.enqueue(startMsg("a"))
	it := h.fetchOne("a")
	h.enqueue(eventMsg("a", "late"))
	h.ack(it.LockToken, startAck())
	next := h.fetchOne("a")
	h.wantItems(next.Messages, eventMsg("a", "late"))
	h.wantEvents(next.History, 1)
}

func ackReleasesLock(h *harness) {
	h.startInstance("a")
	h.raise("a")
}

func abandonReleasesLock(h *harness) {
	h.enqueue(eventMsg("a", "m1"), eventMsg("a", "m2"))
	it := h.fetchOne("a")
	h.abandon(it.LockToken, provobs.AbandonOptions{})
	again := h.fetchOne("a")
	h.wantItems(again.Messages, eventMsg("a", "m1"), eventMsg("a", "m2"))
	if again.LockToken == it.LockToken {
		h.Fatalf("refetch after abandon reused token %q", it.LockToken)
	}
}

func lockTokensUUID(h *harness) {
	h.enqueue(startMsg("a"))
	if it := h.fetchOne("a"); !isUUID(it.LockToken) {
		h.Fatalf("lock token %q is not a UUID", it.LockToken)
	}
}

func lockTokensFresh(h *harness) {
	h.enqueue(startMsg("a"))
	seen := map[string]bool{}
	for range 5 {
		it := h.fetchOne("a")
		if seen[it.LockToken] {
			h.Fatalf("token %q handed out twice", it.LockToken)
		}
		seen[it.LockToken] = true
		h.abandon(it.LockToken, provobs.AbandonOptions{})
	}
}

// concurrently runs fn n times at once and returns the results in order.
func concurrently[T any](n int, fn func() (T, error)) ([]T, []error) {
	res, errs := make([]T, n), make([]error, n)
	var ready, done sync.WaitGroup
	gate := make(chan struct{})
	ready.Add(n)
	done.Add(n)
	for i := range n {
		go func() {
			defer done.Done()
			ready.Done()
			<-gate
			res[i], errs[i] = fn()
		}()
	}
	ready.Wait()
	close(gate)
	done.Wait()
	return res, errs
}

func tenFetchersDistinct(h *harness) {
	for i := range 10 {
		h.enqueue(startMsg(fmt.Sprintf("i%02d", i)))
	}
	items, errs := concurrently(10, func() (*provobs.OrchestrationItem, error) {
		return h.p.FetchOrchestrationItem(h.ctx(), provobs.FetchOptions{LockTimeout: longLock})
	})
	ids, tokens := map[string]bool{}, map[string]bool{}
	for i, it := range items {
		h.must(errs[i], "concurrent fetch %d", i)
		if it == nil {
			h.Fatalf("concurrent fetch %d found no work with 10 instances queued (a lost race must try the next instance)", i)
		}
		if ids[it.InstanceID] || tokens[it.LockToken] {
			h.Fatalf("instance %q or token %q handed to two fetchers", it.InstanceID, it.LockToken)
		}
		ids[it.InstanceID], tokens[it.LockToken] = true, true
	}
	h.fetchNone("all 10 instances are locked")
}

func tenFetchersOneInstance(h *harness) {
	h.enqueue(startMsg("a"))
	items, errs := concurrently(10, func() (*provobs.OrchestrationItem, error) {
		return h.p.FetchOrchestrationItem(h.ctx(), provobs.FetchOptions{LockTimeout: longLock})
	})
	winners := 0
	for i, it := range items {
		h.must(errs[i], "concurrent fetch %d", i)
		if it != nil {
			winners++
			h.wantInstance(it, "a")
		}
	}
	if winners != 1 {
		h.Fatalf("%d of 10 concurrent fetches locked the one instance, want exactly 1", winners)
	}
}

func defaultLockHolds(h *harness) {
	h.enqueue(startMsg("a"))
	h.wantInstance(h.fetchWith(provobs.FetchOptions{}), "a")
	h.fetchNone("a is locked with the default lock timeout")
}

func renewKeepsLock(h *harness) {
	h.enqueue(startMsg("a"))
	it := h.fetchOne("a")
	h.must(h.p.RenewOrchestrationItemLock(h.ctx(), it.LockToken, longLock), "renew a valid lock")
	h.fetchNone("a is still locked after renew")
	h.ack(it.LockToken, startAck())
}

func workerDequeueLocks(h *harness) {
	h.enqueueWorker(activity("a", 1, 1))
	h.dequeueOne(nil, activity("a", 1, 1))
	h.dequeueNone(nil, "the only item is locked")
}

func workerAbandonReleases(h *harness) {
	h.enqueueWorker(activity("a", 1, 1))
	w := h.dequeueOne(nil, activity("a", 1, 1))
	h.must(h.p.AbandonWorker(h.ctx(), w.LockToken, provobs.AbandonOptions{}), "AbandonWorker")
	again := h.dequeueOne(nil, activity("a", 1, 1))
	if again.LockToken == w.LockToken {
		h.Fatalf("dequeue after abandon reused token %q", w.LockToken)
	}
}

func workerTokensFresh(h *harness) {
	h.enqueueWorker(activity("a", 1, 1), activity("a", 1, 2))
	w1 := h.dequeueOne(nil, activity("a", 1, 1))
	w2 := h.dequeueOne(nil, activity("a", 1, 2))
	for _, tok := range []string{w1.LockToken, w2.LockToken} {
		if !isUUID(tok) {
			h.Fatalf("worker lock token %q is not a UUID", tok)
		}
	}
	if w1.LockToken == w2.LockToken {
		h.Fatalf("two items share token %q", w1.LockToken)
	}
}

func tenDequeuersDistinct(h *harness) {
	for i := range 10 {
		h.enqueueWorker(activity("a", 1, uint64(i+1)))
	}
	items, errs := concurrently(10, func() (*provobs.WorkerItem, error) {
		return h.p.DequeueWorker(h.ctx(), provobs.FetchOptions{LockTimeout: longLock}, nil)
	})
	corrs, tokens := map[uint64]bool{}, map[string]bool{}
	for i, w := range items {
		h.must(errs[i], "concurrent dequeue %d", i)
		if w == nil {
			h.Fatalf("concurrent dequeue %d found no work with 10 items queued", i)
		}
		if corrs[w.Item.CorrelationID] || tokens[w.LockToken] {
			h.Fatalf("item %d or token %q handed to two dequeuers", w.Item.CorrelationID, w.LockToken)
		}
		corrs[w.Item.CorrelationID], tokens[w.LockToken] = true, true
	}
	h.dequeueNone(nil, "all 10 items are locked")
}

func tenDequeuersOneItem(h *harness) {
	h.enqueueWorker(activity("a", 1, 1))
	items, errs := concurrently(10, func() (*provobs.WorkerItem, error) {
		return h.p.DequeueWorker(h.ctx(), provobs.FetchOptions{LockTimeout: longLock}, nil)
	})
	winners := 0
	for i, w := range items {
		h.must(errs[i], "concurrent dequeue %d", i)
		if w != nil {
			winners++
			h.wantWorker(w, activity("a", 1, 1))
		}
	}
	if winners != 1 {
		h.Fatalf("%d of 10 concurrent dequeues locked the one item, want exactly 1", winners)
	}
}

func workerDefaultLockHolds(h *harness) {
	h.enqueueWorker(activity("a", 1, 1))
	h.wantWorker(h.dequeueWith(provobs.FetchOptions{}, nil), activity("a", 1, 1))
	h.dequeueNone(nil, "the item is locked with the default lock timeout")
}

func workerRenewKeepsLock(h *harness) {
	h.enqueueWorker(activity("a", 1, 1))
	w := h.dequeueOne(nil, activity("a", 1, 1))
	h.must(h.p.RenewWorkerLock(h.ctx(), w.LockToken, longLock), "renew a valid worker lock")
	h.dequeueNone(nil, "the item is still locked after renew")
	h.ackWorker(w.LockToken, nil)
}
