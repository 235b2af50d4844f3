package retry_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/faults"
	"github.com/provobs/provobs/retry"
	"github.com/provobs/provobs/sqlite/sqlitetest"
)

// TestRetriesEveryRetryableType injects one failure of each error type into
// the first ack of a turn and checks which the middleware retries: both
// retryable types (lock_timeout and transaction_failed) are retried, so the
// ack succeeds on its second call; every other type is returned after one
// call. Only exported API: a real store, the faults middleware and a
// counting interceptor between retry and faults.
func TestRetriesEveryRetryableType(t *testing.T) {
	t.Parallel()
	retryable := map[provobs.ErrorType]bool{provobs.TypeLockTimeout: true, provobs.TypeTransactionFailed: true}
	for _, typ := range provobs.ErrorTypes() {
		t.Run(fmt.Sprint(typ), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			var calls atomic.Int32
			count := provobs.Intercept(provobs.InterceptorFunc(func(ctx context.Context, c *provobs.Call) error {
				if c.Op() == provobs.OpAckOrch {
					calls.Add(1)
				}
				return c.Invoke(ctx)
			}))
			in := faults.New(faults.Config{Rules: []faults.Rule{faults.OnCall(provobs.OpAckOrch, typ, 1)}})
			p := provobs.Chain(sqlitetest.New(t), retry.Middleware(retry.Config{}), count, in.Middleware())

			if err := p.EnqueueOrchestrator(ctx, provobs.WorkItem{Kind: provobs.KindStartOrchestration, InstanceID: "a"}, 0); err != nil {
				t.Fatal(err)
			}
			it, err := p.FetchOrchestrationItem(ctx, provobs.FetchOptions{})
			if err != nil || it == nil {
				t.Fatalf("fetch: %v, %v", it, err)
			}
			err = p.AckOrchestrationItem(ctx, it.LockToken, provobs.OrchestrationAck{
				ExecutionID:  1,
				HistoryDelta: []provobs.Event{{ID: 1, Kind: provobs.EventOrchestrationStarted}},
			})
			if retryable[typ] {
				if err != nil {
					t.Fatalf("an ack whose first call failed with %v: %v, want it retried to success", typ, err)
				}
				if n := calls.Load(); n != 2 {
					t.Fatalf("%v: %d ack calls, want 2 (one retry)", typ, n)
				}
				return
			}
			if provobs.TypeOf(err) != typ {
				t.Fatalf("an ack failing with permanent %v returned %v", typ, err)
			}
			if n := calls.Load(); n != 1 {
				t.Fatalf("permanent %v: %d ack calls, want 1 (no retry)", typ, n)
			}
		})
	}
}
