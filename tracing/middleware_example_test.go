package tracing_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/sqlite"
	"github.com/provobs/provobs/tracing"
)

// A span per operation, named and described by OpenTelemetry's database
// conventions; a failed one carries error.type and status Error.
func ExampleMiddleware() {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	defer func() { _ = tp.Shutdown(context.Background()) }()

	ctx := context.Background()
	dir, err := os.MkdirTemp("", "tracing-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	store, err := sqlite.Open(ctx, filepath.Join(dir, "orders.db"))
	if err != nil {
		panic(err)
	}
	defer store.Close()
	p := provobs.Chain(store, tracing.Middleware(tp))

	_ = p.EnqueueOrchestrator(ctx, provobs.WorkItem{Kind: provobs.KindStartOrchestration, InstanceID: "order-42"}, 0)
	_, _ = p.FetchOrchestrationItem(ctx, provobs.FetchOptions{})
	_ = p.AckWorker(ctx, "stale-token", nil)

	for _, s := range exp.GetSpans() {
		fmt.Print(s.Name, " | ", s.SpanKind, " ", s.Status.Code)
		for _, kv := range s.Attributes {
			fmt.Printf(" %s=%s", kv.Key, kv.Value.Emit())
		}
		fmt.Println()
	}
	// Output:
	// EnqueueOrchestrator orders.db | client Unset db.system.name=sqlite db.operation.name=EnqueueOrchestrator db.namespace=orders.db operation=enqueue instance_id=order-42
	// FetchOrchestrationItem orders.db | client Unset db.system.name=sqlite db.operation.name=FetchOrchestrationItem db.namespace=orders.db operation=fetch instance_id=order-42 messages=1
	// AckWorker orders.db | client Error db.system.name=sqlite db.operation.name=AckWorker db.namespace=orders.db operation=ack_worker error.type=lock_lost
}
