package otelmetrics_test

import (
	"context"
	"fmt"
	"sort"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/obstest"
	"github.com/provobs/provobs/otelmetrics"
	"github.com/provobs/provobs/retry"
)

// A provider chained with the interceptor, on an SDK MeterProvider (here
// with a ManualReader; a service would use a periodic OTLP reader or the
// Prometheus exporter).
func Example() {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer func() { _ = mp.Shutdown(context.Background()) }()

	m, err := otelmetrics.New(mp)
	if err != nil {
		fmt.Println(err)
		return
	}
	p := provobs.Chain(&obstest.Stub{}, retry.Middleware(retry.Config{OnRetry: m.RetryHook()}), m.Middleware())

	ctx := context.Background()
	_ = p.EnqueueOrchestrator(ctx, provobs.WorkItem{Kind: provobs.KindStartOrchestration, InstanceID: "order-1"}, 0)
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	stopping := provobs.Chain(&obstest.Stub{Err: context.Canceled}, m.Middleware())
	_, _ = stopping.FetchOrchestrationItem(canceled, provobs.FetchOptions{}) // the caller's cancellation: not an error
	m.SetQueueDepths(provobs.QueueDepths{Orchestrator: 2})

	var rm metricdata.ResourceMetrics
	if err := reader.Collect(ctx, &rm); err != nil {
		fmt.Println(err)
		return
	}
	var names []string
	for _, sm := range rm.ScopeMetrics {
		for _, md := range sm.Metrics {
			names = append(names, md.Name+" ("+md.Unit+")")
		}
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Println(n)
	}
	// Output:
	// db.client.operation.duration (s)
	// provobs.provider.cancellations ({call})
	// provobs.provider.queue.depth ({item})
}
