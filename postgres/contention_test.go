package postgres_test

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/provobs/provobs"
)

// TestContention: two providers (two processes) with eight fetchers each
// and four enqueuers pound ten instances that keep receiving messages. No
// call may fail (a deadlock or serialization failure would be a
// transaction_failed here), an instance is never held by two fetchers at
// once, and every message is delivered in exactly one acked batch.
func TestContention(t *testing.T) {
	t.Parallel()
	dsn := testDSN(t)
	schema := newSchema(t, dsn)
	a := openOn(t, dsn, schema)
	b := openOn(t, dsn, schema)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()

	const instances, perEnqueuer, enqueuers = 10, 50, 4
	var (
		mu        sync.Mutex
		held      = map[string]bool{}
		delivered = map[string]int{}
		acked     atomic.Int64
		wg        sync.WaitGroup
		enqDone   atomic.Bool
	)
	var enq sync.WaitGroup
	for e := range enqueuers {
		p := []provobs.Provider{a, b}[e%2]
		enq.Go(func() {
			for i := range perEnqueuer {
				id := "c-" + strconv.Itoa((e*perEnqueuer+i)%instances)
				payload := strconv.Itoa(e) + "/" + strconv.Itoa(i)
				if err := p.EnqueueOrchestrator(ctx, provobs.WorkItem{Kind: provobs.KindExternalRaised, InstanceID: id, Payload: []byte(payload)}, 0); err != nil {
					t.Errorf("enqueue: %v", err)
					return
				}
			}
		})
	}
	for f := range 16 {
		p := []provobs.Provider{a, b}[f%2]
		wg.Go(func() {
			for ctx.Err() == nil {
				it, err := p.FetchOrchestrationItem(ctx, provobs.FetchOptions{PollTimeout: 100 * time.Millisecond})
				if err != nil {
					t.Errorf("fetch: %v (type %v)", err, provobs.TypeOf(err))
					return
				}
				if it == nil {
					if enqDone.Load() {
						return
					}
					continue
				}
				mu.Lock()
				if held[it.InstanceID] {
					t.Errorf("instance %s fetched while another fetcher holds it", it.InstanceID)
				}
				held[it.InstanceID] = true
				for _, m := range it.Messages {
					delivered[string(m.Payload)]++
				}
				mu.Unlock()
				mu.Lock()
				delete(held, it.InstanceID)
				mu.Unlock()
				if err := p.AckOrchestrationItem(ctx, it.LockToken, provobs.OrchestrationAck{ExecutionID: 1}); err != nil {
					t.Errorf("ack: %v (type %v)", err, provobs.TypeOf(err))
					return
				}
				acked.Add(int64(len(it.Messages)))
			}
		})
	}
	enq.Wait()
	enqDone.Store(true)
	wg.Wait()
	if got, want := acked.Load(), int64(enqueuers*perEnqueuer); got != want {
		t.Errorf("acked %d messages, want %d", got, want)
	}
	for k, n := range delivered {
		if n != 1 {
			t.Errorf("message %s delivered %d times", k, n)
		}
	}
}
