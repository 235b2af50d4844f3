package main

import (
	"bytes"
	"context"
	"regexp"
	"strconv"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// -metrics otel: the run records through otelmetrics, and the summary's
// per-operation table is read back from the exporter's families.
func TestRunOTelMetrics(t *testing.T) {
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{
		"-metrics=otel", "-instances=20", "-tasks=2", "-activity-delay=1ms", "-metrics-addr=127.0.0.1:0",
		"-log-format=json", "-log-level=warn", "-progress=100ms",
	}, &out, &errb)
	require.Equal(t, 0, code, "stderr:\n%s", errb.String())
	s := out.String()
	assert.Contains(t, s, "full (spans, retry, redacted logs, OpenTelemetry metrics)")
	assert.Contains(t, s, "operation latency (from db.client.operation.duration, every outcome;")
	assert.Regexp(t, `(?m)^errors\s+none$`, s)
	assert.Regexp(t, `(?m)^canceled\s+`, s)
	// 20 orchestrations: 20 enqueues, and as many orchestration acks as
	// fetches that returned work.
	m := regexp.MustCompile(`(?m)^\s+enqueue\s+(\d+)\s`).FindStringSubmatch(s)
	require.NotNil(t, m, "enqueue row in:\n%s", s)
	n, err := strconv.Atoi(m[1])
	require.NoError(t, err)
	assert.Equal(t, 20, n)
	for _, op := range []string{"fetch", "ack_orch", "dequeue", "ack_worker"} {
		assert.Regexp(t, regexp.MustCompile(`(?m)^\s+`+op+`\s+[1-9]\d*\s`), s, "per-operation latency row for %s", op)
	}
	assert.Contains(t, errb.String(), "metrics: http://127.0.0.1:")
}

func TestMergeHistogram(t *testing.T) {
	h := func(count uint64, sum float64, bounds []float64, cum []uint64) *dto.Histogram {
		out := &dto.Histogram{SampleCount: &count, SampleSum: &sum}
		for i := range bounds {
			out.Bucket = append(out.Bucket, &dto.Bucket{UpperBound: &bounds[i], CumulativeCount: &cum[i]})
		}
		return out
	}
	got := mergeHistogram(nil, h(3, 0.5, []float64{0.1, 1}, []uint64{1, 3}))
	got = mergeHistogram(got, h(4, 1.5, []float64{0.1, 1}, []uint64{2, 3}))
	assert.Equal(t, uint64(7), got.GetSampleCount())
	assert.InDelta(t, 2.0, got.GetSampleSum(), 1e-12)
	var bounds []float64
	var cum []uint64
	for _, b := range got.GetBucket() {
		bounds = append(bounds, b.GetUpperBound())
		cum = append(cum, b.GetCumulativeCount())
	}
	assert.Equal(t, []float64{0.1, 1}, bounds)
	assert.Equal(t, []uint64{3, 6}, cum)
	// The merge leaves its inputs alone.
	first := h(1, 1, []float64{5}, []uint64{1})
	merged := mergeHistogram(nil, first)
	merged = mergeHistogram(merged, h(1, 1, []float64{5}, []uint64{1}))
	assert.Equal(t, uint64(1), first.GetBucket()[0].GetCumulativeCount())
	assert.Equal(t, uint64(2), merged.GetBucket()[0].GetCumulativeCount())
}
