package provobs_test

import (
	"context"
	"fmt"
	"time"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/sqlite"
)

// A middleware written once with Observe sees every operation with its op,
// instance and result size; Chain puts the first middleware outermost. The
// by-token ack is observed with the instance of the fetch that issued the
// token, without the caller naming it.
func ExampleChain() {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, sqlite.MemoryPath) // any Provider
	if err != nil {
		panic(err)
	}
	defer store.Close()

	logOps := provobs.Observe(func(ctx context.Context, c *provobs.Call, err error, _ time.Duration) {
		fmt.Printf("%s instance=%s size=%d err=%v\n", c.Op(), c.Instance(), c.Size(), err)
	})
	retryOnce := provobs.Intercept(provobs.InterceptorFunc(func(ctx context.Context, c *provobs.Call) error {
		err := c.Invoke(ctx)
		if provobs.IsRetryable(err) {
			err = c.Invoke(ctx)
		}
		return err
	}))
	p := provobs.Chain(store, logOps, retryOnce)

	start := provobs.WorkItem{Kind: provobs.KindStartOrchestration, InstanceID: "order-1"}
	_ = p.EnqueueOrchestrator(ctx, start, 0)
	item, _ := p.FetchOrchestrationItem(ctx, provobs.FetchOptions{})
	_ = p.AckOrchestrationItem(ctx, item.LockToken, provobs.OrchestrationAck{
		ExecutionID:  1,
		HistoryDelta: []provobs.Event{{ID: 1, Kind: provobs.EventOrchestrationStarted}},
		Metadata:     provobs.InstanceMetadata{Status: provobs.StatusCompleted},
	})
	if admin, ok := p.(provobs.Admin); ok {
		_, _ = admin.QueueDepths(ctx)
	}
	// Output:
	// enqueue instance=order-1 size=0 err=<nil>
	// fetch instance=order-1 size=1 err=<nil>
	// ack_orch instance=order-1 size=1 err=<nil>
	// queue_depths instance= size=0 err=<nil>
}

// TypeOf classifies any error without matching its text.
func ExampleTypeOf() {
	err := fmt.Errorf("worker: %w", provobs.NewError(provobs.OpAckWorker, provobs.TypeLockLost, nil))
	fmt.Println(provobs.TypeOf(err), provobs.IsRetryable(err))
	fmt.Println(provobs.TypeOf(context.Canceled))
	fmt.Println(provobs.TypeOf(fmt.Errorf("plain")))
	// Output:
	// lock_lost false
	// canceled
	// unknown
}
