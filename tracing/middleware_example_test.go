package tracing_test

import (
	"context"
	"fmt"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/sqlite"
	"github.com/provobs/provobs/tracing"
)

// A span per operation; a failed one carries error.type and status Error.
func ExampleMiddleware() {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	defer func() { _ = tp.Shutdown(context.Background()) }()

	ctx := context.Background()
	store, err := sqlite.Open(ctx, ":memory:")
	if err != nil {
		panic(err)
	}
	defer store.Close()
	p := provobs.Chain(store, tracing.Middleware(tp))

	_ = p.EnqueueOrchestrator(ctx, provobs.WorkItem{Kind: provobs.KindStartOrchestration, InstanceID: "order-42"}, 0)
	_, _ = p.FetchOrchestrationItem(ctx, provobs.FetchOptions{})
	_ = p.AckWorker(ctx, "stale-token", nil)

	for _, s := range exp.GetSpans() {
		fmt.Print(s.Name, " ", s.Status.Code)
		for _, kv := range s.Attributes {
			fmt.Printf(" %s=%s", kv.Key, kv.Value.Emit())
		}
		fmt.Println()
	}
	// Output:
	// provobs.enqueue Unset operation=enqueue instance_id=order-42
	// provobs.fetch Unset operation=fetch instance_id=order-42 messages=1
	// provobs.ack_worker Error operation=ack_worker error.type=lock_lost
}
