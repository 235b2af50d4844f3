package providertest

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/provobs/provobs"
)

var raceCases = []testCase{
	{"two_acks_one_token", "two concurrent acks with one token: exactly one succeeds, the other fails with TypeLockLost, and the history holds one delta", twoAcksOneToken},
	{"ack_vs_abandon", "a concurrent ack and abandon with one token: exactly one succeeds, and the store shows that one's outcome only", ackVsAbandon},
	{"worker_ack_vs_renew", "a concurrent AckWorker and RenewWorkerLock: the ack succeeds, the renew succeeds or fails with TypeLockLost, and the completion is enqueued once", workerAckVsRenew},
	{"many_workers_process_each_instance_once", "8 goroutines fetching and acking 40 instances, retrying retryable errors, process every instance exactly once", manyWorkers},
	{"lock_expiry_hands_over_to_one_of_three", "when a lock expires, exactly one of two other fetchers polling for it gets the instance, and the first holder's token is dead", expiryHandOver},
}

// together runs fns concurrently, released at the same moment, and waits
// for all of them.
func together(fns ...func()) {
	var start, done sync.WaitGroup
	start.Add(1)
	for _, f := range fns {
		done.Add(1)
		go func() {
			defer done.Done()
			start.Wait()
			f()
		}()
	}
	start.Done()
	done.Wait()
}

// oneWins fails the case unless exactly one of errs is nil and every other
// is a lock-lost error.
func (h *harness) oneWins(what string, errs ...error) int {
	h.Helper()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			h.Fatalf("%s: calls %d and %d both succeeded", what, winner, i)
		case err == nil:
			winner = i
		case !errors.Is(err, provobs.ErrLockLost):
			h.Fatalf("%s: call %d failed with %v (type %q), want success or lock_lost", what, i, err, provobs.TypeOf(err))
		}
	}
	if winner < 0 {
		h.Fatalf("%s: no call succeeded: %v", what, errs)
	}
	return winner
}

func twoAcksOneToken(h *harness) {
	h.startInstance("a")
	it := h.raise("a")
	var errs [2]error
	ack := func(i int) func() {
		return func() {
			errs[i] = h.p.AckOrchestrationItem(h.ctx(), it.LockToken, provobs.OrchestrationAck{
				ExecutionID:  1,
				HistoryDelta: []provobs.Event{ev(uint64(2+i), provobs.EventExternalRaised)},
				WorkerItems:  []provobs.WorkItem{activity("a", 1, uint64(10+i))},
			})
		}
	}
	together(ack(0), ack(1))
	w := h.oneWins("two acks with one token", errs[:]...)
	h.wantEvents(h.history("a", 1), 1, uint64(2+w))
	h.dequeueOne(nil, activity("a", 1, uint64(10+w)))
	h.dequeueNone(nil, "after the winning ack's activity")
	h.fetchNone("after the winning ack")
}

func ackVsAbandon(h *harness) {
	h.startInstance("a")
	it := h.raise("a")
	var errs [2]error
	together(func() {
		errs[0] = h.p.AckOrchestrationItem(h.ctx(), it.LockToken, provobs.OrchestrationAck{
			ExecutionID: 1, HistoryDelta: []provobs.Event{ev(2, provobs.EventExternalRaised)},
		})
	}, func() {
		errs[1] = h.p.AbandonOrchestrationItem(h.ctx(), it.LockToken, provobs.AbandonOptions{})
	})
	if h.oneWins("an ack and an abandon with one token", errs[:]...) == 0 {
		h.wantEvents(h.history("a", 1), 1, 2)
		h.fetchNone("after the winning ack")
		return
	}
	h.wantEvents(h.history("a", 1), 1)
	again := h.fetchOne("a")
	h.wantItems(again.Messages, eventMsg("a", "raise:a"))
}

func workerAckVsRenew(h *harness) {
	h.enqueueWorker(activity("a", 1, 1))
	w := h.dequeueOne(nil, activity("a", 1, 1))
	var ackErr, renewErr error
	together(func() {
		ackErr = h.p.AckWorker(h.ctx(), w.LockToken, completion("a", 1, 1))
	}, func() {
		renewErr = h.p.RenewWorkerLock(h.ctx(), w.LockToken, longLock)
	})
	h.must(ackErr, "AckWorker racing a renew")
	if renewErr != nil && !errors.Is(renewErr, provobs.ErrLockLost) {
		h.Fatalf("RenewWorkerLock racing an ack: %v (type %q), want success or lock_lost", renewErr, provobs.TypeOf(renewErr))
	}
	h.dequeueNone(nil, "after the ack")
	it := h.fetchOne("a")
	h.wantItems(it.Messages, *completion("a", 1, 1))
}

// retrying runs f until it returns nil or a non-retryable error, at most
// 50 times.
func retrying(f func() error) error {
	var err error
	for range 50 {
		if err = f(); err == nil || !provobs.IsRetryable(err) {
			return err
		}
		time.Sleep(tick)
	}
	return err
}

func manyWorkers(h *harness) {
	const instances, workers = 40, 8
	for i := range instances {
		h.enqueue(startMsg(fmt.Sprintf("i%02d", i)))
	}
	var (
		mu      sync.Mutex
		fetched = map[string]int{}
		failed  []string
	)
	fail := func(format string, args ...any) {
		mu.Lock()
		failed = append(failed, fmt.Sprintf(format, args...))
		mu.Unlock()
	}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				var it *provobs.OrchestrationItem
				err := retrying(func() error {
					var err error
					it, err = h.p.FetchOrchestrationItem(h.ctx(), provobs.FetchOptions{LockTimeout: longLock})
					return err
				})
				if err != nil {
					fail("fetch: %v", err)
					return
				}
				if it == nil {
					return
				}
				mu.Lock()
				fetched[it.InstanceID]++
				mu.Unlock()
				if err := retrying(func() error { return h.p.AckOrchestrationItem(h.ctx(), it.LockToken, startAck()) }); err != nil {
					fail("ack of %s: %v", it.InstanceID, err)
					return
				}
			}
		})
	}
	wg.Wait()
	if len(failed) > 0 {
		h.Fatalf("workers failed: %v", failed)
	}
	for i := range instances {
		id := fmt.Sprintf("i%02d", i)
		if fetched[id] != 1 {
			h.Errorf("instance %s was fetched %d times, want 1", id, fetched[id])
		}
		h.wantEvents(h.history(id, 1), 1)
	}
	if len(fetched) != instances {
		h.Fatalf("%d instances fetched, want %d", len(fetched), instances)
	}
}

func expiryHandOver(h *harness) {
	h.enqueue(startMsg("a"))
	first := h.wantInstance(h.fetchWith(provobs.FetchOptions{LockTimeout: h.short()}), "a")
	var got [2]*provobs.OrchestrationItem
	var errs [2]error
	poll := func(i int) func() {
		return func() {
			got[i], errs[i] = h.p.FetchOrchestrationItem(h.ctx(), provobs.FetchOptions{LockTimeout: longLock, PollTimeout: 3 * h.short()})
		}
	}
	together(poll(0), poll(1))
	h.must(errors.Join(errs[:]...), "polling fetches")
	switch {
	case got[0] != nil && got[1] != nil:
		h.Fatalf("both fetchers got instance a after the lock expired")
	case got[0] == nil && got[1] == nil:
		h.Fatalf("neither fetcher got instance a after its lock of %v expired", h.short())
	}
	winner := got[0]
	if winner == nil {
		winner = got[1]
	}
	h.wantInstance(winner, "a")
	h.wantLockLost(h.p.AckOrchestrationItem(h.ctx(), first.LockToken, startAck()), "the first holder's ack after the hand-over")
	h.ack(winner.LockToken, startAck())
	h.wantEvents(h.history("a", 1), 1)
}
