package provobs_test

import (
	"context"
	"fmt"
	"time"

	"github.com/provobs/provobs"
)

// A middleware written once with Observe sees every operation with its op,
// instance and result size; Chain puts the first middleware outermost.
func ExampleChain() {
	var store provobs.Provider = newStub() // any Provider, such as sqlite.Open's

	logOps := provobs.Observe(func(ctx context.Context, c *provobs.Call, err error, _ time.Duration) {
		fmt.Printf("%s instance=%s %s=%d err=%v\n", c.Op(), c.Instance(), c.Op().SizeKey(), c.Size(), err)
	})
	retryOnce := provobs.Intercept(provobs.InterceptorFunc(func(ctx context.Context, c *provobs.Call) error {
		err := c.Invoke(ctx)
		if provobs.IsRetryable(err) {
			err = c.Invoke(ctx)
		}
		return err
	}))
	p := provobs.Chain(store, logOps, retryOnce)

	ctx := context.Background()
	item, _ := p.FetchOrchestrationItem(ctx, provobs.FetchOptions{})
	_ = p.AckOrchestrationItem(provobs.WithInstance(ctx, item.InstanceID), item.LockToken, provobs.OrchestrationAck{
		ExecutionID:  1,
		HistoryDelta: []provobs.Event{{ID: 1, Kind: provobs.EventOrchestrationStarted}},
	})
	if admin, ok := p.(provobs.Admin); ok {
		_, _ = admin.QueueDepths(ctx)
	}
	// Output:
	// fetch instance=fetched messages=3 err=<nil>
	// ack_orch instance=fetched events=1 err=<nil>
	// queue_depths instance= items=6 err=<nil>
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
