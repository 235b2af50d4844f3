package otelmetrics_test

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/otel/trace"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/obstest"
)

// TestRecordingAllocs: recording allocates nothing, with the SDK's default
// reader: a chain with the interceptor allocates what a chain with an
// empty observer does, for every outcome, for a call that names its
// storage method, and inside a sampled span (exemplars kept).
func TestRecordingAllocs(t *testing.T) {
	m, _ := newMetrics(t)
	noop := func(context.Context, *provobs.Call, error, time.Duration) {}
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	sampled := trace.ContextWithSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{1}, SpanID: trace.SpanID{1}, TraceFlags: trace.FlagsSampled}))
	item := provobs.WorkItem{Kind: provobs.KindActivityExecute, InstanceID: "i"}
	for _, tc := range []struct {
		name string
		ctx  context.Context
		err  error
	}{
		{"success", context.Background(), nil},
		{"failure", context.Background(), provobs.NewError(provobs.OpEnqueueWorker, provobs.TypeLockTimeout, io.EOF)},
		{"cancellation", canceled, context.Canceled},
		{"sampled span", sampled, nil},
	} {
		store := describedStub{Stub: &obstest.Stub{Err: tc.err}, info: networkStore}
		empty := provobs.Chain(store, provobs.Observe(noop))
		p := provobs.Chain(store, m.Middleware())
		_ = p.EnqueueWorker(tc.ctx, item) // the SDK creates the series once
		want := testing.AllocsPerRun(100, func() { _ = empty.EnqueueWorker(tc.ctx, item) })
		got := testing.AllocsPerRun(100, func() { _ = p.EnqueueWorker(tc.ctx, item) })
		assert.Equal(t, want, got, tc.name)
	}

	ok := func(context.Context, *provobs.Call) error { return nil }
	empty := provobs.NewStack(provobs.Observer(noop))
	s := provobs.NewStack(m.Interceptor()).ForStore(networkStore)
	_ = s.Run(context.Background(), provobs.OpDequeue, "GetActivityTask", "", ok)
	want := testing.AllocsPerRun(100, func() { _ = empty.Run(context.Background(), provobs.OpDequeue, "GetActivityTask", "", ok) })
	got := testing.AllocsPerRun(100, func() { _ = s.Run(context.Background(), provobs.OpDequeue, "GetActivityTask", "", ok) })
	assert.Equal(t, want, got, "a named method")
}
