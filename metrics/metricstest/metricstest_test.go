package metricstest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/metrics"
	"github.com/provobs/provobs/metrics/metricstest"
	"github.com/provobs/provobs/obstest"
	"github.com/provobs/provobs/sqlite/sqlitetest"
)

// Every number of the snapshot is the one the middleware recorded, for
// both namings of the histograms.
func TestMetricsSnapshotReadsEverySeries(t *testing.T) {
	t.Parallel()
	for _, opts := range [][]metrics.Option{nil, {metrics.WithBaseUnits()}} {
		m := metrics.New(opts...)
		t.Run(m.HistogramName(provobs.OpFetch), func(t *testing.T) {
			ctx := context.Background()
			var calls obstest.Calls
			p := provobs.Chain(sqlitetest.New(t), m.Middleware(), calls.Middleware())
			require.NoError(t, obstest.Exercise(ctx, p))
			// Failures: two lock_lost acks, one conflict, one dequeue past
			// its deadline; and one cancelled fetch, not a failure.
			for range 2 {
				_ = p.AckWorker(ctx, "no-such-token", nil)
			}
			fail := provobs.Chain(&obstest.Stub{Err: provobs.NewError(provobs.OpAckOrch, provobs.TypeConflict, errors.New("x"))}, m.Middleware())
			_ = fail.AckOrchestrationItem(ctx, "t", provobs.OrchestrationAck{})
			fail = provobs.Chain(&obstest.Stub{Err: context.Canceled}, m.Middleware())
			_, _ = fail.FetchOrchestrationItem(ctx, provobs.FetchOptions{})
			fail = provobs.Chain(&obstest.Stub{Err: context.DeadlineExceeded}, m.Middleware())
			_, _ = fail.DequeueWorker(ctx, provobs.FetchOptions{}, nil)
			m.RecordRetry(provobs.OpAckOrch)
			m.RecordRetry(provobs.OpAckOrch)
			m.RecordRetry(provobs.OpAckWorker)
			m.SetQueueDepths(provobs.QueueDepths{Orchestrator: 3, Worker: 5, Timer: 7})

			snap := metricstest.Snapshot(t, m)
			assert.Equal(t, m.BaseUnits(), snap.BaseUnits())
			for _, op := range provobs.Ops() {
				want := uint64(calls.Count(op))
				switch op {
				case provobs.OpAckOrch, provobs.OpFetch, provobs.OpDequeue:
					want++ // the Nop calls, not counted by calls
				}
				assert.Equal(t, want, snap.Count(op), "%s count", op)
				if want > 0 {
					assert.Positive(t, snap.Sum(op), "%s sum", op)
				}
				h := snap.Histogram(op)
				require.NotEmpty(t, h.Buckets, op.String())
				assert.Equal(t, want, h.Buckets[len(h.Buckets)-1].Count, "%s +Inf bucket", op)
			}
			assert.Equal(t, uint64(2), snap.Errors(provobs.OpAckWorker, provobs.TypeLockLost))
			assert.Equal(t, uint64(1), snap.Errors(provobs.OpAckOrch, provobs.TypeConflict))
			assert.Zero(t, snap.Errors(provobs.OpFetch, provobs.TypeCanceled), "a cancellation is not an infrastructure error")
			assert.Equal(t, uint64(1), snap.Canceled(provobs.OpFetch))
			assert.Equal(t, uint64(1), snap.TotalCanceled())
			assert.Equal(t, uint64(1), snap.Errors(provobs.OpDequeue, provobs.TypeDeadlineExceeded))
			assert.Equal(t, uint64(2), snap.OpErrors(provobs.OpAckWorker))
			assert.Equal(t, map[metricstest.ErrorKey]uint64{
				{provobs.OpAckWorker, provobs.TypeLockLost}:       2,
				{provobs.OpAckOrch, provobs.TypeConflict}:         1,
				{provobs.OpDequeue, provobs.TypeDeadlineExceeded}: 1,
			}, snap.ErrorCounts())
			assert.Equal(t, uint64(2), snap.Retries(provobs.OpAckOrch))
			assert.Equal(t, uint64(2), snap.AckOrchestrationRetries())
			assert.Equal(t, map[provobs.Op]uint64{provobs.OpAckOrch: 2, provobs.OpAckWorker: 1}, snap.RetryCounts())
			assert.Equal(t, provobs.QueueDepths{Orchestrator: 3, Worker: 5, Timer: 7}, snap.QueueDepths())
			assert.Zero(t, snap.QueueDepthPollErrors())
			assert.True(t, snap.HasSeries(m.HistogramName(provobs.OpFetch)+"_bucket"))
			assert.True(t, snap.HasSeries(provobs.MetricSessionsRenewed))
			assert.False(t, snap.HasSeries(m.HistogramName(provobs.OpFetch)), "a histogram's samples are _bucket, _sum and _count")
			assert.Zero(t, snap.Count(provobs.Op(0)))
		})
	}
}

// The snapshot reads a real /metrics endpoint.
func TestScrapeMetrics(t *testing.T) {
	t.Parallel()
	m := metrics.New()
	m.SetQueueDepths(provobs.QueueDepths{Worker: 2})
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	snap, err := metricstest.ScrapeMetrics(context.Background(), srv.URL)
	require.NoError(t, err)
	assert.Equal(t, int64(2), snap.QueueDepths().Worker)
	assert.Len(t, snap.SeriesNames(), 3*len(provobs.Ops())+10)
}

func TestParseMetricsRejects(t *testing.T) {
	t.Parallel()
	for name, text := range map[string]string{
		"not the text format": "provider_sessions_renewed_total{ 1\n",
		"unknown operation":   `provider_infrastructure_errors_total{operation="fly",error_type="unknown"} 1` + "\n",
		"unknown error type":  `provider_infrastructure_errors_total{operation="fetch",error_type="gremlins"} 1` + "\n",
		"unknown retried op":  `provider_retries_total{operation="fly"} 1` + "\n",
	} {
		_, err := metricstest.ParseMetrics(strings.NewReader(text))
		var me *metricstest.MetricsError
		assert.ErrorAs(t, err, &me, name)
	}
	snap, err := metricstest.ParseMetrics(strings.NewReader(""))
	require.NoError(t, err, "an empty exposition has no series")
	assert.Zero(t, snap.Count(provobs.OpFetch))
}

func ExampleSnapshot() {
	ctx := context.Background()
	m := metrics.New()
	p := provobs.Chain(&obstest.Stub{}, m.Middleware())
	_, _ = p.FetchOrchestrationItem(ctx, provobs.FetchOptions{})
	_ = p.AckWorker(ctx, "t", nil)

	t := &testing.T{} // in a test, the test's own t
	snap := metricstest.Snapshot(t, m)
	fmt.Println(snap.Count(provobs.OpFetch), snap.Count(provobs.OpAckWorker), snap.Count(provobs.OpDequeue))
	fmt.Println(snap.Sum(provobs.OpFetch) < time.Hour)
	// Output:
	// 1 1 0
	// true
}
