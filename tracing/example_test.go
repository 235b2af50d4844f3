package tracing_test

import (
	"context"
	"fmt"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/tracing"
)

// A span per operation; a failed one carries error.type and status Error.
func ExampleMiddleware() {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	defer func() { _ = tp.Shutdown(context.Background()) }()

	var store provobs.Provider = fakeProvider{} // a real store in practice
	p := provobs.Chain(store, tracing.Middleware(tp))

	ctx := context.Background()
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
	// provobs.fetch Unset operation=fetch instance_id=obstest-exercise messages=1
	// provobs.ack_worker Error operation=ack_worker error.type=lock_lost
}
