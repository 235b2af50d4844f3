package provobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/obstest"
)

// BenchmarkChain measures what one interceptor layer adds to a call, against
// the bare provider in the same run.
func BenchmarkChain(b *testing.B) {
	ctx := context.Background()
	item := provobs.WorkItem{Kind: provobs.KindActivityCompleted, InstanceID: "i"}
	pass := provobs.Intercept(provobs.InterceptorFunc(func(ctx context.Context, c *provobs.Call) error { return c.Invoke(ctx) }))
	observe := provobs.Observe(func(context.Context, *provobs.Call, error, time.Duration) {})
	run := func(b *testing.B, p provobs.Provider) {
		b.ReportAllocs()
		for b.Loop() {
			_ = p.EnqueueWorker(ctx, item)
			_, _ = p.FetchOrchestrationItem(ctx, provobs.FetchOptions{})
		}
	}
	noop := func() provobs.Provider { return &obstest.Stub{} }
	b.Run("bare", func(b *testing.B) { run(b, noop()) })
	b.Run("intercept=1", func(b *testing.B) { run(b, provobs.Chain(noop(), pass)) })
	b.Run("observe=1", func(b *testing.B) { run(b, provobs.Chain(noop(), observe)) })
	b.Run("intercept=4", func(b *testing.B) { run(b, provobs.Chain(noop(), pass, pass, pass, pass)) })
}
