package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/dashboards"
	"github.com/provobs/provobs/metrics"
	"github.com/provobs/provobs/metrics/metricstest"
	"github.com/provobs/provobs/obstest"
)

// The command's /metrics and push, checked by the real servers rather than
// by a Go parser: three runs of the command (default names, -base-units,
// and -metrics otel) serve /metrics on loopback while a real Prometheus
// scrapes them every second, and the first pushes to a real
// VictoriaMetrics. Then
//
//   - Prometheus holds, for every provider series of each run, the value
//     the run exposes at the end, and VictoriaMetrics holds the same
//     values for the pushed run;
//   - the five histograms' _count equals the calls the summary printed;
//   - every query of dashboards/provobs.json, with each unit, evaluates
//     without error in Prometheus and returns data, with a positive value
//     for every operation the workload exercised;
//   - promtool check metrics finds nothing in the -base-units run's
//     provider series;
//   - the -metrics otel run's OpenTelemetry series pass checkOTelRun.
//   - every rule of dashboards/alerts.yml loads and evaluates with health
//     ok, and its recorded series have values for both runs.
//
// The servers listen on 127.0.0.1 only, on free ports, keep their data in
// the test's temporary directory and are stopped by the test. Without the
// binaries the test is skipped, unless CI is set (.ci/run installs them).
func TestRealServers(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real Prometheus and VictoriaMetrics; skipped with -short")
	}
	promtool := obstest.Binary(t, "promtool", "PROVOBS_PROMTOOL")
	promBin := obstest.Binary(t, "prometheus", "PROVOBS_PROMETHEUS")
	vmBin := obstest.Binary(t, "victoria-metrics", "PROVOBS_VICTORIA_METRICS")
	dir := t.TempDir()
	client := &http.Client{Timeout: 10 * time.Second}
	defer client.CloseIdleConnections()
	defer http.DefaultClient.CloseIdleConnections()

	msAddr, secAddr := freeAddr(t), freeAddr(t)
	otelAddr := freeAddr(t) // the -metrics otel run (checkOTelRun)
	vmURL := startServer(t, client, vmBin, "victoria-metrics", "/health", []string{
		"-storageDataPath=" + filepath.Join(dir, "vm"),
		"-search.latencyOffset=0s", // show samples at once
		"-search.disableCache",
		"-loggerLevel=ERROR",
	}, func(addr string) []string { return []string{"-httpListenAddr=" + addr} })
	config := filepath.Join(dir, "prometheus.yml")
	require.NoError(t, os.WriteFile(config, []byte(fmt.Sprintf(`global:
  scrape_interval: 1s
  scrape_timeout: 1s
%s
scrape_configs:
  - job_name: ms
    static_configs: [{targets: [%q]}]
  - job_name: seconds
    static_configs: [{targets: [%q]}]
  - job_name: %s
    static_configs: [{targets: [%q]}]
`, alertRulesConfig(t, dir), msAddr, secAddr, otelJob, otelAddr)), 0o644))
	promURL := startServer(t, client, promBin, "prometheus", "/-/ready", []string{
		"--config.file=" + config,
		"--storage.tsdb.path=" + filepath.Join(dir, "prometheus"),
		"--log.level=warn",
	}, func(addr string) []string { return []string{"--web.listen-address=" + addr} })

	// Prometheus starts scraping a few seconds after it is ready (target
	// updates are throttled); start the workload once both targets exist.
	awaitTargets(t, client, promURL, 3)

	start := time.Now()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	workload := []string{"-duration=3s", "-concurrency=4", "-tasks=2", "-activity-delay=5ms",
		"-log-format=json", "-log-level=warn", "-progress=1s", "-linger=5m"}
	ms := startRun(ctx, append(workload, "-metrics-addr="+msAddr,
		"-push-url="+vmURL+"/api/v1/import/prometheus", "-push-interval=1s"))
	sec := startRun(ctx, append(workload, "-metrics-addr="+secAddr, "-base-units"))
	otelRun := startRun(ctx, append(workload, "-metrics-addr="+otelAddr, "-metrics=otel"))
	defer func() {
		cancel()
		assert.Equal(t, 0, <-ms.code, "seed-name run exit code; stderr:\n%s", ms.stderr.String())
		assert.Equal(t, 0, <-sec.code, "base-unit run exit code; stderr:\n%s", sec.stderr.String())
		assert.Equal(t, 0, <-otelRun.code, "-metrics otel run exit code; stderr:\n%s", otelRun.stderr.String())
	}()
	for _, r := range []*cmdRun{ms, sec, otelRun} {
		r.awaitLinger(t)
	}

	// The final values, as each run exposes them while it lingers.
	msSnap, err := metricstest.ScrapeMetrics(ctx, "http://"+msAddr+"/metrics")
	require.NoError(t, err)
	secSnap, err := metricstest.ScrapeMetrics(ctx, "http://"+secAddr+"/metrics")
	require.NoError(t, err)
	require.False(t, msSnap.BaseUnits())
	require.True(t, secSnap.BaseUnits())

	t.Run("summary equals the seed histograms", func(t *testing.T) {
		for _, r := range []struct {
			run  *cmdRun
			snap *metricstest.MetricsSnapshot
		}{{ms, msSnap}, {sec, secSnap}} {
			printed := summaryCalls(t, r.run.stdout.String())
			for _, op := range []provobs.Op{provobs.OpFetch, provobs.OpAckOrch, provobs.OpEnqueue, provobs.OpDequeue, provobs.OpAckWorker} {
				require.Positive(t, printed[op], "the summary prints %s calls", op)
			}
			for op, n := range printed {
				assert.Equal(t, n, r.snap.Count(op), "%s: summary vs exposition", op)
			}
		}
	})

	t.Run("Prometheus scraped the final values", func(t *testing.T) {
		for job, snap := range map[string]*metricstest.MetricsSnapshot{"ms": msSnap, "seconds": secSnap} {
			want := expectedSeries(snap)
			got := eventually(t, func() map[string]float64 {
				return querySeries(t, client, promURL, `{__name__=~"provider_.+",job="`+job+`"}`)
			}, want, 0)
			assert.Equal(t, want, got, "job %s: Prometheus's last values vs the run's /metrics", job)
		}
	})

	t.Run("VictoriaMetrics received the pushed values", func(t *testing.T) {
		want := expectedSeries(msSnap)
		// VictoriaMetrics stores a float as a decimal of 12 or so
		// significant digits: sums come back rounded there.
		const precision = 1e-10
		got := eventually(t, func() map[string]float64 {
			return querySeries(t, client, vmURL, `{__name__=~"provider_.+"}`)
		}, want, precision)
		require.Len(t, got, len(want), "VictoriaMetrics's series vs the pushing run's /metrics")
		for k, v := range want {
			assert.InEpsilon(t, v+1, got[k]+1, precision, "%s: VictoriaMetrics's last value vs the pushing run's /metrics", k)
		}
	})

	t.Run("every dashboard query returns data", func(t *testing.T) {
		end := time.Now()
		const window = "4s" // Grafana's $__rate_interval for a 1s scrape
		for unit, snap := range map[string]*metricstest.MetricsSnapshot{"ms": msSnap, "seconds": secSnap} {
			queries, err := dashboards.Queries(unit, window)
			require.NoError(t, err)
			// A rate is positive only where Prometheus saw the count grow
			// within one window; on a loaded machine a rare operation may
			// have run before the first scrape, or between failed ones.
			seen := map[provobs.Op]bool{}
			for _, op := range provobs.Ops() {
				if snap.Count(op) == 0 {
					continue
				}
				name := op.MetricName()
				if unit == "seconds" {
					name = metrics.BaseUnitMetricName(op)
				}
				changes, err := queryRange(client, promURL, fmt.Sprintf(`changes(%s_count{job=%q}[%s])`, name, unit, window), start, end)
				require.NoError(t, err)
				seen[op] = hasPositive(changes)
				if !seen[op] {
					t.Logf("%s: %s was called %d times, but no %s window of Prometheus's samples saw its count change", unit, op, snap.Count(op), window)
				}
			}
			require.True(t, seen[provobs.OpFetch] || seen[provobs.OpDequeue], "%s: Prometheus saw neither fetches nor dequeues happen", unit)
			for _, q := range queries {
				values, err := queryRange(client, promURL, q.Expr, start, end)
				if !assert.NoError(t, err, "%s: panel %q: %s", unit, q.Panel, q.Expr) {
					continue
				}
				assert.NotEmpty(t, values, "%s: panel %q returns no data: %s", unit, q.Panel, q.Expr)
				if op, ok := queryOp(q); ok && seen[op] {
					assert.True(t, hasPositive(values), "%s: panel %q: Prometheus saw %s calls happen but %s is never positive",
						unit, q.Panel, op, q.Expr)
				}
			}
		}
	})

	t.Run("OpenTelemetry metrics through the Prometheus exporter", func(t *testing.T) {
		checkOTelRun(t, client, promURL, otelAddr, otelRun, start)
	})

	t.Run("the alert rules load and evaluate", func(t *testing.T) {
		checkAlertRules(t, client, promURL)
	})

	t.Run("promtool check metrics on the base-unit exposition", func(t *testing.T) {
		text := get(t, client, "http://"+secAddr+"/metrics")
		provider := providerFamilies(text)
		require.Contains(t, provider, "provider_fetch_orchestration_item_duration_seconds_count")
		cmd := exec.Command(promtool, "check", "metrics")
		cmd.Stdin = strings.NewReader(provider)
		out, err := cmd.CombinedOutput()
		assert.NoError(t, err, "promtool check metrics:\n%s", out)
		assert.Empty(t, strings.TrimSpace(string(out)))
	})
}

// awaitTargets waits until Prometheus has n active scrape targets.
func awaitTargets(t *testing.T, client *http.Client, base string, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var r struct {
			Data struct {
				ActiveTargets []struct {
					ScrapeURL string `json:"scrapeUrl"`
				} `json:"activeTargets"`
			} `json:"data"`
		}
		resp, err := client.Get(base + "/api/v1/targets")
		require.NoError(t, err)
		err = json.NewDecoder(resp.Body).Decode(&r)
		_ = resp.Body.Close()
		require.NoError(t, err)
		if len(r.Data.ActiveTargets) >= n {
			return
		}
		require.True(t, time.Now().Before(deadline), "Prometheus has %d of %d targets", len(r.Data.ActiveTargets), n)
		time.Sleep(100 * time.Millisecond)
	}
}

// cmdRun is one run of the command in a goroutine.
type cmdRun struct {
	stdout, stderr obstest.Buffer
	code           chan int
}

func startRun(ctx context.Context, args []string) *cmdRun {
	r := &cmdRun{code: make(chan int, 1)}
	go func() { r.code <- run(ctx, args, &r.stdout, &r.stderr) }()
	return r
}

// awaitLinger waits until the run has printed its summary and serves its
// final values.
func (r *cmdRun) awaitLinger(t *testing.T) {
	t.Helper()
	deadline := time.After(2 * time.Minute)
	for !strings.Contains(r.stderr.String(), "serving the final values") {
		select {
		case code := <-r.code:
			r.code <- code
			t.Fatalf("the run ended (exit %d) before lingering; stderr:\n%s\nstdout:\n%s", code, r.stderr.String(), r.stdout.String())
		case <-deadline:
			t.Fatalf("the run did not finish; stderr:\n%s", r.stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// summaryRow is a row of the summary's operation latency table.
var summaryRow = regexp.MustCompile(`(?m)^\s*([a-z_]+)\s+(\d+)\s+[\d.]+\s+[\d.]+\s+[\d.]+\s*$`)

// summaryCalls reads the calls per operation from the summary.
func summaryCalls(t *testing.T, summary string) map[provobs.Op]uint64 {
	t.Helper()
	_, table, ok := strings.Cut(summary, "operation latency")
	require.True(t, ok, "no latency table in the summary:\n%s", summary)
	ops := map[string]provobs.Op{}
	for _, op := range provobs.Ops() {
		ops[op.String()] = op
	}
	out := map[provobs.Op]uint64{}
	for _, m := range summaryRow.FindAllStringSubmatch(table, -1) {
		op, ok := ops[m[1]]
		require.True(t, ok, "summary row of unknown operation %q", m[1])
		n, err := strconv.ParseUint(m[2], 10, 64)
		require.NoError(t, err)
		out[op] = n
	}
	return out
}

// freeAddr returns a loopback address with a port that was free a moment
// ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// startServer starts bin with args plus listen(addr) on a free loopback
// port, waits until GET ready answers 200, and stops it (SIGTERM, then
// SIGKILL) when the test ends. It returns the server's base URL.
func startServer(t *testing.T, client *http.Client, bin, name, ready string, args []string, listen func(string) []string) string {
	t.Helper()
	for attempt := 1; ; attempt++ {
		addr := freeAddr(t)
		var out obstest.Buffer
		cmd := exec.Command(bin, append(args, listen(addr)...)...)
		cmd.Stdout, cmd.Stderr = &out, &out
		require.NoError(t, cmd.Start(), name)
		exited := make(chan struct{})
		go func() { _ = cmd.Wait(); close(exited) }()
		stop := func() {
			_ = cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-exited:
			case <-time.After(10 * time.Second):
				_ = cmd.Process.Kill()
				<-exited
			}
		}
		base := "http://" + addr
		if waitReady(client, base+ready, exited) {
			t.Cleanup(func() {
				stop()
				if t.Failed() {
					t.Logf("%s output:\n%s", name, tail(out.String(), 3000))
				}
			})
			return base
		}
		stop()
		if attempt == 3 {
			t.Fatalf("%s did not become ready on %s:\n%s", name, addr, tail(out.String(), 3000))
		}
		// Most likely another process took the port in between: retry.
	}
}

// waitReady polls url until it answers 200 (true), the process exits or
// 30 seconds pass (false).
func waitReady(client *http.Client, url string, exited <-chan struct{}) bool {
	deadline := time.After(30 * time.Second)
	for {
		if resp, err := client.Get(url); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return true
			}
		}
		select {
		case <-exited:
			return false
		case <-deadline:
			return false
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

// apiResponse is the Prometheus HTTP API's answer, which VictoriaMetrics
// gives too.
type apiResponse struct {
	Status    string `json:"status"`
	Error     string `json:"error"`
	ErrorType string `json:"errorType"`
	Data      struct {
		ResultType string `json:"resultType"`
		Result     []struct {
			Metric map[string]string `json:"metric"`
			Value  []any             `json:"value"`
			Values [][]any           `json:"values"`
		} `json:"result"`
	} `json:"data"`
}

func apiGet(client *http.Client, base, path string, params url.Values) (*apiResponse, error) {
	resp, err := client.Get(base + path + "?" + params.Encode())
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var r apiResponse
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return nil, fmt.Errorf("%s: %s: %w", path, resp.Status, err)
	}
	if r.Status != "success" {
		return nil, fmt.Errorf("%s %s: %s: %s", path, params.Get("query"), r.ErrorType, r.Error)
	}
	return &r, nil
}

// querySeries evaluates query at now and returns its series by seriesKey.
func querySeries(t *testing.T, client *http.Client, base, query string) map[string]float64 {
	t.Helper()
	r, err := apiGet(client, base, "/api/v1/query", url.Values{"query": {query}})
	require.NoError(t, err)
	out := map[string]float64{}
	for _, s := range r.Data.Result {
		require.Len(t, s.Value, 2, "%v", s)
		v, err := strconv.ParseFloat(s.Value[1].(string), 64)
		require.NoError(t, err)
		labels := map[string]string{}
		for k, v := range s.Metric {
			if k != "__name__" && k != "job" && k != "instance" {
				labels[k] = v
			}
		}
		out[seriesKey(s.Metric["__name__"], labels)] = v
	}
	return out
}

// queryRange evaluates query over [start, end] every second and returns
// every value of every series.
func queryRange(client *http.Client, base, query string, start, end time.Time) ([]float64, error) {
	r, err := apiGet(client, base, "/api/v1/query_range", url.Values{
		"query": {query},
		"start": {strconv.FormatInt(start.Unix(), 10)},
		"end":   {strconv.FormatInt(end.Unix()+1, 10)},
		"step":  {"1"},
	})
	if err != nil {
		return nil, err
	}
	var out []float64
	for _, s := range r.Data.Result {
		for _, p := range s.Values {
			if len(p) != 2 {
				return nil, fmt.Errorf("bad point %v", p)
			}
			v, err := strconv.ParseFloat(p[1].(string), 64)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
	}
	return out, nil
}

func hasPositive(values []float64) bool {
	for _, v := range values {
		if v > 0 && !math.IsInf(v, 0) {
			return true
		}
	}
	return false
}

// queryOp returns the operation a dashboard query is about: the one its
// legend names, or the histogram its panel shows.
func queryOp(q dashboards.Query) (provobs.Op, bool) {
	for _, op := range provobs.Ops() {
		if q.Legend == op.String() || strings.HasPrefix(q.Panel, op.Method()+" latency") {
			return op, true
		}
	}
	return 0, false
}

// seriesKey renders a series as name{k="v",...} with sorted labels and
// `le` normalised as a number, so that the exposition's, Prometheus's and
// VictoriaMetrics's spellings compare equal.
func seriesKey(name string, labels map[string]string) string {
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(name)
	b.WriteByte('{')
	for i, k := range keys {
		v := labels[k]
		if k == "le" {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				v = strconv.FormatFloat(f, 'g', -1, 64)
			}
		}
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%s=%q", k, v)
	}
	b.WriteByte('}')
	return b.String()
}

// expectedSeries lists every provider series of snap with its value, keyed
// as seriesKey does.
func expectedSeries(snap *metricstest.MetricsSnapshot) map[string]float64 {
	out := map[string]float64{}
	none := map[string]string{}
	for _, op := range provobs.Ops() {
		name := op.MetricName()
		if snap.BaseUnits() {
			name = metrics.BaseUnitMetricName(op)
		}
		h := snap.Histogram(op)
		out[seriesKey(name+"_count", none)] = float64(h.Count)
		out[seriesKey(name+"_sum", none)] = h.Sum
		for _, b := range h.Buckets {
			out[seriesKey(name+"_bucket", map[string]string{"le": strconv.FormatFloat(b.UpperBound, 'g', -1, 64)})] = float64(b.Count)
		}
		for _, et := range provobs.ErrorTypes() {
			out[seriesKey(provobs.MetricInfrastructureErrors, map[string]string{
				provobs.LabelOperation: op.String(), provobs.LabelErrorType: et.String(),
			})] = float64(snap.Errors(op, et))
		}
		out[seriesKey(provobs.MetricRetries, map[string]string{provobs.LabelOperation: op.String()})] = float64(snap.Retries(op))
		out[seriesKey(provobs.MetricCanceled, map[string]string{provobs.LabelOperation: op.String()})] = float64(snap.Canceled(op))
	}
	d := snap.QueueDepths()
	for name, v := range map[string]float64{
		provobs.MetricAckOrchestrationRetries: float64(snap.AckOrchestrationRetries()),
		provobs.MetricSessionsRenewed:         float64(snap.SessionsRenewed()),
		provobs.MetricSessionsCleaned:         float64(snap.SessionsCleaned()),
		provobs.MetricQueueDepthPollErrors:    float64(snap.QueueDepthPollErrors()),
		provobs.MetricOrchestratorQueueDepth:  float64(d.Orchestrator),
		provobs.MetricWorkerQueueDepth:        float64(d.Worker),
		provobs.MetricTimerQueueDepth:         float64(d.Timer),
	} {
		out[seriesKey(name, none)] = v
	}
	return out
}

// eventually calls get until it returns want (each value within a
// relative precision), or for 30 seconds, and returns the last answer: a
// server shows a sample a little after it got it.
func eventually(t *testing.T, get func() map[string]float64, want map[string]float64, precision float64) map[string]float64 {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got := get()
		if equalSeries(got, want, precision) || time.Now().After(deadline) {
			return got
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func equalSeries(a, b map[string]float64, precision float64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		w, ok := b[k]
		if !ok || math.Abs(v-w) > precision*math.Max(math.Abs(v), math.Abs(w)) {
			return false
		}
	}
	return true
}

func get(t *testing.T, client *http.Client, u string) string {
	t.Helper()
	resp, err := client.Get(u)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

// providerFamilies keeps the lines of an exposition that belong to the
// provider's families (provider_*), dropping the Go runtime and process
// series that metrics.WriteProcessMetrics adds.
func providerFamilies(text string) string {
	var b bytes.Buffer
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := sc.Text()
		name := strings.TrimPrefix(strings.TrimPrefix(line, "# HELP "), "# TYPE ")
		if strings.HasPrefix(name, "provider_") {
			b.WriteString(line)
			b.WriteByte('\n')
		}
	}
	return b.String()
}
