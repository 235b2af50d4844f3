package metrics_test

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/metrics"
	"github.com/provobs/provobs/metrics/metricstest"
	"github.com/provobs/provobs/obstest"
)

func TestBaseUnitMetricName(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "provider_fetch_orchestration_item_duration_seconds", metrics.BaseUnitMetricName(provobs.OpFetch))
	assert.Equal(t, "provider_renew_session_lock_duration_seconds", metrics.BaseUnitMetricName(provobs.OpRenewSessionLock))
	assert.Empty(t, metrics.BaseUnitMetricName(provobs.Op(0)))
	seen := map[string]bool{}
	for _, op := range provobs.Ops() {
		name := metrics.BaseUnitMetricName(op)
		require.True(t, strings.HasSuffix(name, "_duration_seconds"), "%s: %q", op, name)
		assert.False(t, seen[name], "%s: %s twice", op, name)
		seen[name] = true
		assert.Equal(t, strings.TrimSuffix(op.MetricName(), "_ms"), strings.TrimSuffix(name, "_seconds"))
	}
}

func TestWithBaseUnitsExposesSeconds(t *testing.T) {
	t.Parallel()
	m := metrics.New(metrics.WithBaseUnits())
	assert.True(t, m.BaseUnits())
	fams := scrape(t, m)
	for _, op := range provobs.Ops() {
		assert.Equal(t, metrics.BaseUnitMetricName(op), m.HistogramName(op))
		checkHistogram(t, fams, metrics.BaseUnitMetricName(op), metrics.DefaultSecondsBuckets())
		assert.NotContains(t, fams, op.MetricName(), "no _ms histogram under WithBaseUnits")
		assert.Contains(t, fams[metrics.BaseUnitMetricName(op)].GetHelp(), "in seconds")
	}
	for name := range scalarFamilies {
		assert.Contains(t, fams, name, "counters and gauges keep their names")
	}
	assert.Contains(t, fams, provobs.MetricInfrastructureErrors)
	assert.Contains(t, fams, provobs.MetricRetries)

	for i, b := range metrics.DefaultSecondsBuckets() {
		assert.InDelta(t, metrics.DefaultBuckets()[i]/1000, b, 1e-15, "seconds bucket %d is the ms bucket / 1000", i)
	}

	// WithBuckets bounds are in the exposition's unit.
	m = metrics.New(metrics.WithBaseUnits(), metrics.WithBuckets(0.5, 1))
	checkHistogram(t, scrape(t, m), metrics.BaseUnitMetricName(provobs.OpFetch), []float64{0.5, 1})
}

// The same calls, timed by a millisecond and a base-unit Metrics, read back
// as the same durations: the base-unit histograms record seconds.
func TestWithBaseUnitsRecordsSeconds(t *testing.T) {
	t.Parallel()
	const pause = 20 * time.Millisecond
	sleep := provobs.Intercept(provobs.InterceptorFunc(func(ctx context.Context, c *provobs.Call) error {
		time.Sleep(pause)
		return c.Invoke(ctx)
	}))
	ms, s := metrics.New(), metrics.New(metrics.WithBaseUnits())
	p := provobs.Chain(&obstest.Stub{}, ms.Middleware(), s.Middleware(), sleep)
	for range 3 {
		_, _ = p.FetchOrchestrationItem(context.Background(), provobs.FetchOptions{})
	}
	for _, m := range []*metrics.Metrics{ms, s} {
		snap := metricstest.Snapshot(t, m)
		assert.Equal(t, m.BaseUnits(), snap.BaseUnits())
		assert.Equal(t, uint64(3), snap.Count(provobs.OpFetch))
		assert.GreaterOrEqual(t, snap.Sum(provobs.OpFetch), 3*pause, "base units %v", m.BaseUnits())
	}
	// The raw sums differ by the unit: at least 60 (ms) against at least
	// 0.06 (s), and the seconds sum stays below 60 unless the calls took
	// a thousand times their pause.
	assert.GreaterOrEqual(t, metricstest.Snapshot(t, ms).Histogram(provobs.OpFetch).Sum, 60.0)
	raw := metricstest.Snapshot(t, s).Histogram(provobs.OpFetch).Sum
	assert.GreaterOrEqual(t, raw, 0.06)
	assert.Less(t, raw, 60.0)
}

// promtool, Prometheus's own linter, finds nothing to report in the
// base-unit exposition, and flags the default _ms names (which is why the
// option exists).
func TestPromtoolCheckMetrics(t *testing.T) {
	t.Parallel()
	promtool := obstest.Binary(t, "promtool", "PROVOBS_PROMTOOL")
	check := func(m *metrics.Metrics) (string, error) {
		exercise(t, provobs.Chain(newStore(t), m.Middleware()))
		var buf bytes.Buffer
		m.WritePrometheus(&buf)
		cmd := exec.Command(promtool, "check", "metrics")
		cmd.Stdin = &buf
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := check(metrics.New(metrics.WithBaseUnits()))
	assert.NoError(t, err, "promtool check metrics (base units):\n%s", out)
	assert.Empty(t, strings.TrimSpace(out), "promtool check metrics (base units)")

	out, err = check(metrics.New())
	assert.Error(t, err, "promtool accepts the _ms names; WithBaseUnits may be unnecessary")
	assert.Contains(t, out, "abbreviated units")
}

// WithProcessMetrics adds the Go runtime and process series after the
// provider's; without it the exposition is the provider's only.
func TestWithProcessMetrics(t *testing.T) {
	t.Parallel()
	var plain, withProc bytes.Buffer
	metrics.New().WritePrometheus(&plain)
	metrics.New(metrics.WithProcessMetrics()).WritePrometheus(&withProc)
	for _, name := range []string{"go_goroutines", "go_memstats_alloc_bytes", "process_cpu_seconds_total", "process_resident_memory_bytes"} {
		assert.NotContains(t, plain.String(), "\n"+name+" ", name)
		assert.Contains(t, withProc.String(), "\n"+name+" ", name)
	}
	snap, err := metricstest.ParseMetrics(&withProc)
	require.NoError(t, err)
	assert.True(t, snap.HasSeries("go_goroutines"))
	assert.True(t, snap.HasSeries(provobs.OpFetch.MetricName()+"_count"))
}
