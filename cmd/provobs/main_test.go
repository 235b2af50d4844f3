package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/metrics/metricstest"
	"github.com/provobs/provobs/obstest"
	"github.com/provobs/provobs/sqlite"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The README's main job, shortened: it runs to its summary and exits 0.
func TestRunPrintsSummary(t *testing.T) {
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{
		"-duration=400ms", "-tasks=2", "-activity-delay=1ms", "-metrics-addr=127.0.0.1:0",
		"-log-format=json", "-log-level=info", "-progress=100ms", "-linger=100ms",
	}, &out, &errb)
	require.Equal(t, 0, code, "stderr:\n%s", errb.String())
	s := out.String()
	assert.Contains(t, s, "chain           full")
	assert.Regexp(t, `orchestrations\s+launched [1-9]\d*, completed [1-9]\d*, failed 0`, s)
	assert.Regexp(t, `latency\s+p50 [\d.]+ms\s+p95`, s)
	assert.Regexp(t, `queue depths\s+orchestrator 0, worker 0, timers 0`, s)
	assert.Regexp(t, `spans\s+[1-9]\d*`, s)
	for _, op := range []string{"fetch", "ack_orch", "enqueue", "dequeue", "ack_worker"} {
		assert.Regexp(t, regexp.MustCompile(`(?m)^\s+`+op+`\s+[1-9]\d*\s`), s, "per-operation latency row for %s", op)
	}
	assert.Contains(t, errb.String(), "metrics: http://127.0.0.1:")
	assert.Contains(t, errb.String(), "metrics: serving the final values for 100ms (-linger)")
	assert.Contains(t, errb.String(), "launched", "progress lines on a non-terminal")
	assert.NotContains(t, errb.String(), `"level":"ERROR"`, "a clean run logs no error")
}

func TestRunCompare(t *testing.T) {
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{
		"-compare", "-instances=15", "-tasks=2", "-activity-delay=0", "-metrics-addr=", "-log-format=json",
	}, &out, &errb)
	require.Equal(t, 0, code, "stderr:\n%s", errb.String())
	assert.Contains(t, out.String(), "none (baseline: the bare provider)")
	assert.Regexp(t, `observability overhead: full chain [\d.]+ orch/s vs bare [\d.]+ orch/s: ratio [\d.]+`, out.String())
}

func TestRunUsage(t *testing.T) {
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-help"}, 0, "-activity-delay"},
		{[]string{"-sync=sometimes"}, 2, "want full or normal"},
		{[]string{"-concurrency=0"}, 2, "-concurrency must be positive"},
		{[]string{"-baseline", "-compare"}, 2, "exclude each other"},
		{[]string{"-resume"}, 2, "-resume needs -db"},
		{[]string{"stray"}, 2, "unexpected arguments"},
		{[]string{"-linger=-1s"}, 2, "-linger must not be negative"},
		{[]string{"-push-interval=0s"}, 2, "-push-interval must be positive"},
		{[]string{"-log-format=xml", "-instances=1"}, 1, "tint"},
		{[]string{"-metrics=prom"}, 2, "want vm or otel"},
		{[]string{"-metrics=otel", "-base-units"}, 2, "need -metrics vm"},
		{[]string{"-metrics=otel", "-push-url=http://127.0.0.1:1/"}, 2, "need -metrics vm"},
	}
	for _, tc := range cases {
		var out, errb bytes.Buffer
		assert.Equal(t, tc.code, run(context.Background(), tc.args, &out, &errb), "%v", tc.args)
		assert.Contains(t, errb.String(), tc.want, "%v", tc.args)
	}
}

// /metrics is served over real HTTP while the command runs, parses as the
// Prometheus text format, and carries the provider series and, as a Go
// service's endpoint does, the Go runtime and process series.
func TestServeMetrics(t *testing.T) {
	ob, err := newObservability(options{logFormat: "json"}, &bytes.Buffer{})
	require.NoError(t, err)
	defer func() { _ = ob.close(context.Background()) }()
	var errb bytes.Buffer
	stop, err := serveMetrics("127.0.0.1:0", ob, &errb)
	require.NoError(t, err)
	defer stop()
	url := strings.TrimSpace(strings.TrimPrefix(errb.String(), "metrics: "))
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, resp.Header.Get("Content-Type"), "text/plain")
	snap, err := metricstest.ParseMetrics(resp.Body)
	require.NoError(t, err)
	for _, name := range []string{
		"provider_fetch_orchestration_item_duration_ms_count", "provider_sessions_renewed_total",
		"go_goroutines", "go_memstats_heap_inuse_bytes", "process_cpu_seconds_total", "process_resident_memory_bytes",
	} {
		assert.True(t, snap.HasSeries(name), name)
	}
}

// -base-units names the histograms in seconds; the summary still reports
// milliseconds.
func TestSummaryMillisecondsWithEitherNaming(t *testing.T) {
	const pause = 20 * time.Millisecond
	sleep := provobs.Intercept(provobs.InterceptorFunc(func(ctx context.Context, c *provobs.Call) error {
		time.Sleep(pause)
		return c.Invoke(ctx)
	}))
	for _, base := range []bool{false, true} {
		ob, err := newObservability(options{logFormat: "json", baseUnits: base}, &bytes.Buffer{})
		require.NoError(t, err)
		p := provobs.Chain(&obstest.Stub{}, ob.metrics.Middleware(), sleep)
		_, _ = p.FetchOrchestrationItem(context.Background(), provobs.FetchOptions{})
		rep := &report{}
		rep.readMetrics(ob.metrics)
		require.NoError(t, rep.parseErr)
		require.Len(t, rep.ops, 1)
		assert.Equal(t, uint64(1), rep.ops[0].count)
		assert.GreaterOrEqual(t, rep.ops[0].mean, float64(pause/time.Millisecond), "base units %v: mean in ms", base)
		assert.GreaterOrEqual(t, rep.ops[0].p99, 10.0, "base units %v: p99 in ms (the 10-25ms bucket)", base)
		require.NoError(t, ob.close(context.Background()))
	}
}

// jsonLines decodes JSON log lines, skipping the non-JSON progress lines.
func jsonLines(t *testing.T, b []byte) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range bytes.Split(b, []byte("\n")) {
		if len(line) == 0 || line[0] != '{' {
			continue
		}
		var m map[string]any
		require.NoError(t, json.Unmarshal(line, &m), "%s", line)
		out = append(out, m)
	}
	return out
}

func TestQuantileInterpolates(t *testing.T) {
	bucket := func(le float64, n uint64) *dto.Bucket {
		return &dto.Bucket{UpperBound: &le, CumulativeCount: &n}
	}
	count := uint64(100)
	h := &dto.Histogram{SampleCount: &count, Bucket: []*dto.Bucket{
		bucket(1, 50), bucket(2, 90), bucket(4, 100), bucket(math.Inf(1), 100),
	}}
	assert.InDelta(t, 1.0, quantile(0.5, h), 1e-9)
	assert.InDelta(t, 1.5, quantile(0.7, h), 1e-9, "halfway through the (1,2] bucket")
	assert.InDelta(t, 3.8, quantile(0.99, h), 1e-9)
	h.Bucket[2] = bucket(4, 95) // 5 samples above every finite bound
	assert.InDelta(t, 4.0, quantile(0.99, h), 1e-9, "the +Inf bucket reports the largest finite bound")
	zero := uint64(0)
	assert.True(t, math.IsNaN(quantile(0.5, &dto.Histogram{SampleCount: &zero})))
}

// -resume drives what an earlier run left in a named file, launching nothing.
func TestRunResume(t *testing.T) {
	path := t.TempDir() + "/left.db"
	store, err := sqlite.Open(context.Background(), path)
	require.NoError(t, err)
	for _, id := range []string{"left-1", "left-2"} {
		require.NoError(t, store.EnqueueOrchestrator(context.Background(), provobs.WorkItem{Kind: provobs.KindStartOrchestration, InstanceID: id}, 0))
	}
	require.NoError(t, store.Close())

	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"-db=" + path, "-resume", "-lock-timeout=500ms", "-tasks=2", "-activity-delay=1ms", "-metrics-addr=", "-log-format=json"}, &out, &errb)
	require.Equal(t, 0, code, "stderr:\n%s\nstdout:\n%s", errb.String(), out.String())
	assert.Regexp(t, `queue depths\s+orchestrator 0, worker 0, timers 0`, out.String())

	store, err = sqlite.Open(context.Background(), path)
	require.NoError(t, err)
	defer store.Close()
	for _, id := range []string{"left-1", "left-2"} {
		info, err := store.InstanceInfo(context.Background(), id)
		require.NoError(t, err)
		require.NotNil(t, info, id)
		assert.Equal(t, provobs.StatusCompleted, info.Status, id)
	}
}
