package providertest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/provobs/provobs"
)

var interruptionCases = []testCase{
	{"enqueue_with_tiny_deadline_reports_true_outcome", "enqueues whose deadline ends during the call either succeed and are stored, or fail with TypeDeadlineExceeded and are not", enqueueTinyDeadline},
	{"ack_with_tiny_deadline_reports_true_outcome", "acks whose deadline ends during the call either succeed and are stored, or fail with TypeDeadlineExceeded, store nothing and keep the lock", ackTinyDeadline},
	{"cancelled_fetch_leaves_no_lock", "a fetch cancelled during the call leaves the instance fetchable again, with its attempt given back unless the lock had time to expire", cancelledFetchNoLock},
	{"cancelled_dequeue_leaves_no_lock", "a dequeue cancelled during the call leaves the item dequeueable again, with its attempt given back unless the lock had time to expire", cancelledDequeueNoLock},
	{"close_with_writes_in_flight_keeps_acknowledged_writes", "Close during concurrent enqueues: every enqueue that succeeded is in the reopened storage, every one that failed (TypeClosed or TypeCanceled) is not (WithStorage)", closeInFlight},
	{"reopen_keeps_acknowledged_state", "a reopened storage has the history, status, queued messages and worker items acknowledged before Close (WithStorage)", reopenKeepsState},
}

// tinyDeadlines are deadlines short enough to end during a call on most
// providers, and some that do not.
func tinyDeadlines(n int) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = time.Duration(i%20) * 50 * time.Microsecond
	}
	return out
}

// outcome fails the case unless err is nil or TypeDeadlineExceeded (the
// call's deadline passed), and reports whether the call succeeded.
func (h *harness) outcome(err error, what string) bool {
	h.Helper()
	if err != nil && provobs.TypeOf(err) != provobs.TypeDeadlineExceeded {
		h.Fatalf("%s: %v (type %q), want success or deadline_exceeded", what, err, provobs.TypeOf(err))
	}
	return err == nil
}

// drain fetches and acks every visible instance and returns their ids.
func (h *harness) drain() map[string]bool {
	h.Helper()
	got := map[string]bool{}
	for {
		it := h.fetch()
		if it == nil {
			return got
		}
		if got[it.InstanceID] {
			h.Fatalf("instance %q fetched twice while draining", it.InstanceID)
		}
		got[it.InstanceID] = true
		h.ack(it.LockToken, startAck())
	}
}

func enqueueTinyDeadline(h *harness) {
	stored := map[string]bool{}
	for i, d := range tinyDeadlines(60) {
		id := fmt.Sprintf("e%02d", i)
		ctx, cancel := context.WithTimeout(h.ctx(), d)
		err := h.p.EnqueueOrchestrator(ctx, startMsg(id), 0)
		cancel()
		if h.outcome(err, "EnqueueOrchestrator with deadline "+d.String()) {
			stored[id] = true
		}
	}
	got := h.drain()
	for i := range 60 {
		id := fmt.Sprintf("e%02d", i)
		if got[id] != stored[id] {
			h.Errorf("instance %s: enqueue reported stored=%v, the queue says %v", id, stored[id], got[id])
		}
	}
}

func ackTinyDeadline(h *harness) {
	for i, d := range tinyDeadlines(40) {
		id := fmt.Sprintf("a%02d", i)
		h.enqueue(startMsg(id))
		it := h.fetchOne(id)
		ctx, cancel := context.WithTimeout(h.ctx(), d)
		err := h.p.AckOrchestrationItem(ctx, it.LockToken, startAck())
		cancel()
		if h.outcome(err, "AckOrchestrationItem with deadline "+d.String()) {
			h.wantEvents(h.history(id, 1), 1)
			h.wantLockLost(h.p.AbandonOrchestrationItem(h.ctx(), it.LockToken, provobs.AbandonOptions{}),
				"abandon after a successful ack of %s", id)
			continue
		}
		h.wantEvents(h.history(id, 1))
		// The lock is still held: the same token acks now.
		h.ack(it.LockToken, startAck())
		h.wantEvents(h.history(id, 1), 1)
	}
}

func cancelledFetchNoLock(h *harness) {
	cancelled := 0
	for i, d := range tinyDeadlines(40) {
		id := fmt.Sprintf("f%02d", i)
		h.enqueue(startMsg(id))
		ctx, cancel := context.WithTimeout(h.ctx(), d)
		t0 := time.Now()
		it, err := h.p.FetchOrchestrationItem(ctx, provobs.FetchOptions{LockTimeout: h.medium()})
		cancel()
		if h.outcome(err, "FetchOrchestrationItem with deadline "+d.String()) {
			h.wantInstance(it, id)
			h.ack(it.LockToken, startAck())
			continue
		}
		cancelled++
		var again *provobs.OrchestrationItem
		h.eventually(fmt.Sprintf("instance %s fetchable after a cancelled fetch", id), func() bool {
			again = h.fetch()
			return again != nil
		})
		h.wantInstance(again, id)
		if time.Since(t0) < h.medium()-slack && again.AttemptCount != 1 {
			h.Fatalf("instance %s: AttemptCount %d after a cancelled fetch whose lock cannot have expired, want 1", id, again.AttemptCount)
		}
		if again.AttemptCount > 2 {
			h.Fatalf("instance %s: AttemptCount %d after one cancelled fetch, want at most 2", id, again.AttemptCount)
		}
		h.ack(again.LockToken, startAck())
	}
	h.Logf("%d of 40 fetches were cancelled", cancelled)
}

func cancelledDequeueNoLock(h *harness) {
	cancelled := 0
	for i, d := range tinyDeadlines(40) {
		want := activity(fmt.Sprintf("w%02d", i), 1, 1)
		h.enqueueWorker(want)
		ctx, cancel := context.WithTimeout(h.ctx(), d)
		t0 := time.Now()
		w, err := h.p.DequeueWorker(ctx, provobs.FetchOptions{LockTimeout: h.medium()}, nil)
		cancel()
		if h.outcome(err, "DequeueWorker with deadline "+d.String()) {
			h.wantWorker(w, want)
			h.ackWorker(w.LockToken, nil)
			continue
		}
		cancelled++
		var again *provobs.WorkerItem
		h.eventually(fmt.Sprintf("item %s dequeueable after a cancelled dequeue", describe(want)), func() bool {
			again = h.dequeue(nil)
			return again != nil
		})
		h.wantWorker(again, want)
		if time.Since(t0) < h.medium()-slack && again.AttemptCount != 1 {
			h.Fatalf("AttemptCount %d after a cancelled dequeue whose lock cannot have expired, want 1", again.AttemptCount)
		}
		if again.AttemptCount > 2 {
			h.Fatalf("AttemptCount %d after one cancelled dequeue, want at most 2", again.AttemptCount)
		}
		h.ackWorker(again.LockToken, nil)
	}
	h.Logf("%d of 40 dequeues were cancelled", cancelled)
}

func closeInFlight(h *harness) {
	s := h.storage()
	const writers = 8
	var (
		mu      sync.Mutex
		stored  = map[string]bool{}
		tried   []string
		badErrs []error
		wg      sync.WaitGroup
		closed  atomic.Bool
	)
	for g := range writers {
		wg.Go(func() {
			for i := 0; ; i++ {
				id := fmt.Sprintf("g%d-%04d", g, i)
				after := closed.Load()
				err := h.p.EnqueueOrchestrator(h.ctx(), startMsg(id), 0)
				mu.Lock()
				tried = append(tried, id)
				switch {
				case err == nil:
					stored[id] = true
				case provobs.TypeOf(err) == provobs.TypeClosed, provobs.TypeOf(err) == provobs.TypeCanceled:
				default:
					badErrs = append(badErrs, err)
				}
				mu.Unlock()
				// Stop at the first error, or at the first call that
				// started after Close returned (whatever it answered).
				if err != nil || after {
					return
				}
			}
		})
	}
	// Close once some enqueues went through, while the others are in
	// flight.
	h.eventually("an enqueue succeeds", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(stored) > 0 || len(badErrs) > 0
	})
	time.Sleep(20 * time.Millisecond)
	h.must(s.Close(h.p), "Close with writes in flight")
	closed.Store(true)
	wg.Wait()
	if len(badErrs) > 0 {
		h.Fatalf("enqueues during Close failed with %v, want TypeClosed or TypeCanceled", badErrs)
	}
	h.p = s.Open(h.T, h.p)
	got := h.drain()
	for _, id := range tried {
		if got[id] != stored[id] {
			h.Errorf("instance %s: enqueue reported stored=%v, the reopened queue says %v", id, stored[id], got[id])
		}
	}
	h.Logf("%d enqueues stored, %d tried", len(stored), len(tried))
}

func reopenKeepsState(h *harness) {
	s := h.storage()
	h.startInstance("a")
	it := h.raise("a")
	h.ack(it.LockToken, provobs.OrchestrationAck{
		ExecutionID:  1,
		HistoryDelta: []provobs.Event{ev(2, provobs.EventActivityScheduled)},
		WorkerItems:  []provobs.WorkItem{activity("a", 1, 1)},
		Metadata:     provobs.InstanceMetadata{Status: provobs.StatusCompleted, Output: []byte("out")},
	})
	h.enqueue(eventMsg("b", "queued"))
	h.must(s.Close(h.p), "Close")
	h.p = s.Open(h.T, h.p)
	h.wantEvents(h.history("a", 1), 1, 2)
	h.dequeueOne(nil, activity("a", 1, 1))
	h.wantItems(h.fetchOne("b").Messages, eventMsg("b", "queued"))
	if _, ok := h.p.(provobs.Admin); ok {
		inf := h.wantInfo("a", provobs.StatusCompleted, "out")
		if inf.Name != orchName || inf.ExecutionID != 1 {
			h.Fatalf("InstanceInfo after reopen: %+v", inf)
		}
	}
}
