package faults_test

import (
	"context"
	"fmt"
	"time"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/faults"
	"github.com/provobs/provobs/retry"
	"github.com/provobs/provobs/sqlite"
)

// The first two acks meet a busy store; the retry middleware, placed
// outside the injector, retries them and the third attempt commits. The
// injector's counts say what it injected.
func ExampleNew() {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, sqlite.MemoryPath)
	if err != nil {
		panic(err)
	}
	defer store.Close()

	in := faults.New(faults.Config{Rules: []faults.Rule{
		faults.OnCall(provobs.OpAckOrch, provobs.TypeLockTimeout, 1, 2),
	}})
	p := provobs.Chain(store,
		retry.Middleware(retry.Config{
			BaseDelay: time.Millisecond,
			OnRetry: func(_ context.Context, op provobs.Op, attempt int, err error) {
				fmt.Printf("retry %s, attempt %d\n", op, attempt)
			},
		}),
		in.Middleware())

	if err := p.EnqueueOrchestrator(ctx, provobs.WorkItem{Kind: provobs.KindStartOrchestration, InstanceID: "order-1"}, 0); err != nil {
		panic(err)
	}
	it, err := p.FetchOrchestrationItem(ctx, provobs.FetchOptions{})
	if err != nil {
		panic(err)
	}
	err = p.AckOrchestrationItem(ctx, it.LockToken, provobs.OrchestrationAck{
		ExecutionID:  1,
		HistoryDelta: []provobs.Event{{ID: 1, Kind: provobs.EventOrchestrationStarted}},
	})
	fmt.Println("ack:", err)
	fmt.Println("injected:", in.Counts())
	// Output:
	// retry ack_orch, attempt 2
	// retry ack_orch, attempt 3
	// ack: <nil>
	// injected: map[{ack_orch lock_timeout}:2]
}

// A worker that dies holding an item: the dequeue takes effect, its caller
// never learns of the item, and the item comes back after its lock expires
// with a higher attempt count.
func ExampleRule_after() {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, sqlite.MemoryPath)
	if err != nil {
		panic(err)
	}
	defer store.Close()

	p := provobs.Chain(store, faults.Middleware(faults.Config{Rules: []faults.Rule{
		{Ops: []provobs.Op{provobs.OpDequeue}, Calls: []int{1}, Type: provobs.TypeUnknown, After: true},
	}}))
	item := provobs.WorkItem{Kind: provobs.KindActivityExecute, InstanceID: "order-1", ExecutionID: 1, CorrelationID: 2}
	if err := p.EnqueueWorker(ctx, item); err != nil {
		panic(err)
	}
	lock := provobs.FetchOptions{LockTimeout: 50 * time.Millisecond}
	_, err = p.DequeueWorker(ctx, lock, nil)
	fmt.Println("first dequeue:", err)

	time.Sleep(60 * time.Millisecond) // the dead worker's lock expires
	w, err := p.DequeueWorker(ctx, provobs.FetchOptions{}, nil)
	if err != nil || w == nil {
		panic(fmt.Sprint("no redelivery: ", err))
	}
	fmt.Println("redelivered:", w.Item.InstanceID, "attempt", w.AttemptCount)
	// Output:
	// first dequeue: provobs: dequeue: unknown: faults: injected unknown on call 1 of dequeue (rule 0, after the operation ran)
	// redelivered: order-1 attempt 2
}
