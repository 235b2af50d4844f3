package metrics_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/metrics"
	"github.com/provobs/provobs/retry"
	"github.com/provobs/provobs/sqlite"
)

// printSeries prints the exposition lines that start with one of prefixes.
func printSeries(m *metrics.Metrics, prefixes ...string) {
	var buf bytes.Buffer
	m.WritePrometheus(&buf)
	for line := range strings.Lines(buf.String()) {
		for _, p := range prefixes {
			if strings.HasPrefix(line, p) {
				fmt.Print(line)
				break
			}
		}
	}
}

func ExampleMetrics_Middleware() {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, sqlite.MemoryPath)
	if err != nil {
		panic(err)
	}
	defer store.Close()

	m := metrics.New()
	p := provobs.Chain(store, m.Middleware())

	_ = p.EnqueueWorker(ctx, provobs.WorkItem{Kind: provobs.KindActivityExecute, InstanceID: "order-1", ExecutionID: 1, CorrelationID: 1})
	err = p.AckWorker(ctx, "not-a-lock-token", nil)
	fmt.Println(provobs.TypeOf(err))

	printSeries(m,
		"provider_enqueue_worker_duration_ms_count",
		"provider_ack_worker_duration_ms_count",
		`provider_infrastructure_errors_total{operation="ack_worker",error_type="lock_lost"}`,
		`provider_infrastructure_errors_total{operation="ack_worker",error_type="lock_timeout"}`,
	)
	// Output:
	// lock_lost
	// provider_ack_worker_duration_ms_count 1
	// provider_enqueue_worker_duration_ms_count 1
	// provider_infrastructure_errors_total{operation="ack_worker",error_type="lock_lost"} 1
	// provider_infrastructure_errors_total{operation="ack_worker",error_type="lock_timeout"} 0
}

func ExampleMetrics_Handler() {
	m := metrics.New()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()

	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	fmt.Println(resp.Header.Get("Content-Type"))
	var body bytes.Buffer
	_, _ = body.ReadFrom(resp.Body)
	for line := range strings.Lines(body.String()) {
		if strings.HasPrefix(line, "# TYPE provider_fetch") || strings.HasPrefix(line, "# TYPE provider_worker") {
			fmt.Print(line)
		}
	}
	// Output:
	// text/plain; version=0.0.4; charset=utf-8
	// # TYPE provider_fetch_orchestration_item_duration_ms histogram
	// # TYPE provider_worker_queue_depth gauge
}

func ExampleWithBuckets() {
	m := metrics.New(metrics.WithBuckets(1, 10, 100))
	printSeries(m, "provider_fetch_orchestration_item_duration_ms")
	// Output:
	// provider_fetch_orchestration_item_duration_ms_bucket{le="1"} 0
	// provider_fetch_orchestration_item_duration_ms_bucket{le="10"} 0
	// provider_fetch_orchestration_item_duration_ms_bucket{le="100"} 0
	// provider_fetch_orchestration_item_duration_ms_bucket{le="+Inf"} 0
	// provider_fetch_orchestration_item_duration_ms_sum 0
	// provider_fetch_orchestration_item_duration_ms_count 0
}

// The retry middleware reports each retry to RetryHook. Here the store is
// busy for the first attempt of every ack.
func ExampleMetrics_RetryHook() {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, sqlite.MemoryPath)
	if err != nil {
		panic(err)
	}
	defer store.Close()

	var failed bool
	injectBusy := provobs.Intercept(provobs.InterceptorFunc(func(ctx context.Context, c *provobs.Call) error {
		if c.Op() == provobs.OpAckOrch && !failed {
			failed = true
			return provobs.NewError(c.Op(), provobs.TypeLockTimeout, errors.New("database is locked"))
		}
		return c.Invoke(ctx)
	}))

	m := metrics.New()
	p := provobs.Chain(store,
		m.Middleware(),
		retry.Middleware(retry.Config{BaseDelay: time.Millisecond, OnRetry: m.RetryHook()}),
		injectBusy)

	_ = p.EnqueueOrchestrator(ctx, provobs.WorkItem{Kind: provobs.KindStartOrchestration, InstanceID: "order-1"}, 0)
	item, _ := p.FetchOrchestrationItem(ctx, provobs.FetchOptions{})
	err = p.AckOrchestrationItem(ctx, item.LockToken, provobs.OrchestrationAck{
		ExecutionID:  1,
		HistoryDelta: []provobs.Event{{ID: 1, Kind: provobs.EventOrchestrationStarted}},
	})
	fmt.Println("ack error:", err)
	printSeries(m, "provider_ack_orchestration_retries_total", `provider_retries_total{operation="ack_orch"}`)
	// Output:
	// ack error: <nil>
	// provider_ack_orchestration_retries_total 1
	// provider_retries_total{operation="ack_orch"} 1
}

// PollQueueDepths runs until its context ends; run it beside the chain and
// stop it before closing the store. It polls at once and then every
// interval; here an observer of the chain reports the first poll, and the
// poller is stopped after it, so the gauges hold its answer.
func ExampleMetrics_PollQueueDepths() {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, sqlite.MemoryPath)
	if err != nil {
		panic(err)
	}
	defer store.Close()

	polled := make(chan struct{}, 1)
	onPoll := provobs.Observe(func(_ context.Context, c *provobs.Call, _ error, _ time.Duration) {
		if c.Op() == provobs.OpQueueDepths {
			select {
			case polled <- struct{}{}:
			default:
			}
		}
	})
	m := metrics.New()
	p := provobs.Chain(store, m.Middleware(), onPoll)

	// Two orchestrations to start, one of them in an hour, and an activity.
	_ = p.EnqueueOrchestrator(ctx, provobs.WorkItem{Kind: provobs.KindStartOrchestration, InstanceID: "order-1"}, 0)
	_ = p.EnqueueOrchestrator(ctx, provobs.WorkItem{Kind: provobs.KindStartOrchestration, InstanceID: "order-2"}, time.Hour)
	_ = p.EnqueueWorker(ctx, provobs.WorkItem{Kind: provobs.KindActivityExecute, InstanceID: "order-1", ExecutionID: 1, CorrelationID: 1})

	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	pollCtx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { m.PollQueueDepths(pollCtx, p.(provobs.Admin), 5*time.Second, logger) })
	<-polled
	cancel()
	wg.Wait() // the poll has set the gauges before PollQueueDepths returns

	printSeries(m, "provider_orchestrator_queue_depth", "provider_worker_queue_depth", "provider_timer_queue_depth",
		"provider_queue_depths_duration_ms_count")
	// Output:
	// provider_orchestrator_queue_depth 1
	// provider_queue_depths_duration_ms_count 1
	// provider_timer_queue_depth 1
	// provider_worker_queue_depth 1
}

// WithBaseUnits names the histograms in seconds, Prometheus's base unit, as
// `promtool check metrics` wants; the counters and gauges are unchanged.
func ExampleWithBaseUnits() {
	m := metrics.New(metrics.WithBaseUnits(), metrics.WithBuckets(0.001, 0.01, 0.1))
	fmt.Println(m.HistogramName(provobs.OpFetch))
	printSeries(m, "provider_fetch_orchestration_item_duration_seconds", "provider_sessions_renewed_total")
	// Output:
	// provider_fetch_orchestration_item_duration_seconds
	// provider_fetch_orchestration_item_duration_seconds_bucket{le="0.001"} 0
	// provider_fetch_orchestration_item_duration_seconds_bucket{le="0.01"} 0
	// provider_fetch_orchestration_item_duration_seconds_bucket{le="0.1"} 0
	// provider_fetch_orchestration_item_duration_seconds_bucket{le="+Inf"} 0
	// provider_fetch_orchestration_item_duration_seconds_sum 0
	// provider_fetch_orchestration_item_duration_seconds_count 0
	// provider_sessions_renewed_total 0
}
