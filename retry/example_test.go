package retry_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/retry"
	"github.com/provobs/provobs/sqlite"
)

// An ack that meets a busy store twice succeeds on its third attempt.
func ExampleMiddleware() {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, sqlite.MemoryPath)
	if err != nil {
		panic(err)
	}
	defer store.Close()

	busy := 2 // the store answers the first two acks with SQLITE_BUSY
	injectBusy := provobs.Intercept(provobs.InterceptorFunc(func(ctx context.Context, c *provobs.Call) error {
		if c.Op() == provobs.OpAckOrch && busy > 0 {
			busy--
			return provobs.NewError(c.Op(), provobs.TypeLockTimeout, errors.New("database is locked"))
		}
		return c.Invoke(ctx)
	}))

	p := provobs.Chain(store,
		retry.Middleware(retry.Config{
			BaseDelay: time.Millisecond,
			OnRetry: func(_ context.Context, op provobs.Op, attempt int, err error) {
				fmt.Printf("%s attempt %d after: %v\n", op, attempt, err)
			},
		}),
		injectBusy)

	_ = p.EnqueueOrchestrator(ctx, provobs.WorkItem{Kind: provobs.KindStartOrchestration, InstanceID: "order-1"}, 0)
	item, _ := p.FetchOrchestrationItem(ctx, provobs.FetchOptions{})
	err = p.AckOrchestrationItem(ctx, item.LockToken, provobs.OrchestrationAck{
		ExecutionID:  1,
		HistoryDelta: []provobs.Event{{ID: 1, Kind: provobs.EventOrchestrationStarted}},
	})
	fmt.Println("ack error:", err)
	// Output:
	// ack_orch attempt 2 after: provobs: ack_orch: lock_timeout: database is locked
	// ack_orch attempt 3 after: provobs: ack_orch: lock_timeout: database is locked
	// ack error: <nil>
}

// A permanent error is returned at once, without a retry.
func ExampleMiddleware_permanent() {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, sqlite.MemoryPath)
	if err != nil {
		panic(err)
	}
	defer store.Close()

	retries := 0
	p := provobs.Chain(store, retry.Middleware(retry.Config{
		OnRetry: func(context.Context, provobs.Op, int, error) { retries++ },
	}))
	err = p.AckWorker(ctx, "not-a-lock-token", nil)
	fmt.Println(provobs.TypeOf(err), provobs.IsRetryable(err), retries)
	// Output:
	// lock_lost false 0
}
