package retry_test

import (
	"context"
	"testing"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/obstest"
	"github.com/provobs/provobs/retry"
)

// BenchmarkRetry measures what the retry middleware costs a call that
// succeeds at once, against the same call without it:
//
//	go test -run='^$' -bench=BenchmarkRetry -benchmem ./retry/
//
// bare-chain is the nop provider through an empty provobs.Chain;
// passthrough-intercept adds an interceptor that only invokes the call
// (the mechanism's own cost); no-retry-needed is the retry middleware.
func BenchmarkRetry(b *testing.B) {
	ctx := context.Background()
	ack := provobs.OrchestrationAck{ExecutionID: 1}
	for _, bm := range []struct {
		name string
		p    provobs.Provider
	}{
		{"bare-chain", provobs.Chain(&obstest.Stub{})},
		{"passthrough-intercept", provobs.Chain(&obstest.Stub{}, provobs.Intercept(provobs.InterceptorFunc(
			func(ctx context.Context, c *provobs.Call) error { return c.Invoke(ctx) })))},
		{"no-retry-needed", provobs.Chain(&obstest.Stub{}, retry.Middleware(retry.Config{}))},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = bm.p.AckOrchestrationItem(ctx, "token", ack)
			}
		})
	}
}
