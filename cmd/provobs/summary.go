package main

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"net/url"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/metrics"
	"github.com/provobs/provobs/stress"
)

// report is one run's summary.
type report struct {
	o         options
	path      string
	res       stress.Result
	depths    provobs.QueueDepths
	depthsErr error

	observed bool
	otel     bool // the metrics are OpenTelemetry's (-metrics otel)
	ops      []opStats
	errors   map[string]float64 // "operation/error_type" -> count
	canceled map[string]float64 // operation -> calls the caller cancelled
	retries  map[string]float64 // operation -> retries
	spans    int64
	parseErr error
}

// opStats is one operation's latency, read back from its histogram.
type opStats struct {
	op                 provobs.Op
	count              uint64
	mean, p50, p99, le float64 // ms; le is the largest finite bucket bound
}

// readMetrics parses the metrics exposition, as a scraper would, for the
// per-operation latency, the error and the retry counts.
func (r *report) readMetrics(m *metrics.Metrics) {
	r.observed = true
	var buf bytes.Buffer
	m.WritePrometheus(&buf)
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(&buf)
	if err != nil {
		r.parseErr = err
		return
	}
	scale := 1.0 // histogram unit to milliseconds
	if m.BaseUnits() {
		scale = 1000
	}
	for _, op := range provobs.Ops() {
		f := fams[m.HistogramName(op)]
		if f == nil || len(f.GetMetric()) == 0 {
			continue
		}
		h := f.GetMetric()[0].GetHistogram()
		if h.GetSampleCount() == 0 {
			continue
		}
		r.ops = append(r.ops, opStats{
			op:    op,
			count: h.GetSampleCount(),
			mean:  scale * h.GetSampleSum() / float64(h.GetSampleCount()),
			p50:   scale * quantile(0.50, h),
			p99:   scale * quantile(0.99, h),
		})
	}
	r.errors = labelled(fams[provobs.MetricInfrastructureErrors], func(l map[string]string) string {
		return l[provobs.LabelOperation] + "/" + l[provobs.LabelErrorType]
	})
	r.retries = labelled(fams[provobs.MetricRetries], func(l map[string]string) string { return l[provobs.LabelOperation] })
	r.canceled = labelled(fams[provobs.MetricCanceled], func(l map[string]string) string { return l[provobs.LabelOperation] })
}

// labelled sums the non-zero counters of f by key(labels).
func labelled(f *dto.MetricFamily, key func(map[string]string) string) map[string]float64 {
	out := map[string]float64{}
	for _, m := range f.GetMetric() {
		v := m.GetCounter().GetValue()
		if v == 0 {
			continue
		}
		l := map[string]string{}
		for _, lp := range m.GetLabel() {
			l[lp.GetName()] = lp.GetValue()
		}
		out[key(l)] += v
	}
	return out
}

// quantile estimates the q-quantile of a cumulative histogram by linear
// interpolation inside the bucket that holds it, as PromQL's
// histogram_quantile does. A quantile in the +Inf bucket reports the largest
// finite bound.
func quantile(q float64, h *dto.Histogram) float64 {
	total := float64(h.GetSampleCount())
	if total == 0 {
		return math.NaN()
	}
	rank := q * total
	lower, below := 0.0, 0.0
	for _, b := range h.GetBucket() {
		upper, cum := b.GetUpperBound(), float64(b.GetCumulativeCount())
		if math.IsInf(upper, 1) {
			return lower
		}
		if cum >= rank {
			if cum == below {
				return upper
			}
			return lower + (upper-lower)*(rank-below)/(cum-below)
		}
		lower, below = upper, cum
	}
	return lower
}

func (r *report) exitCode() int {
	if r.res.Failed > 0 || r.res.Completed < r.res.Launched {
		return 1
	}
	return 0
}

func (r *report) write(w io.Writer) {
	res, c := r.res, r.o.stress
	chain := "full (spans, retry, redacted logs, metrics)"
	if r.otel {
		chain = "full (spans, retry, redacted logs, OpenTelemetry metrics)"
	}
	if r.o.baseline {
		chain = "none (baseline: the bare provider)"
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "provobs stress summary\n")
	if isPostgres(r.o.db) {
		dsn, schema, _ := strings.Cut(r.path, "#schema=")
		if u, err := url.Parse(dsn); err == nil {
			dsn = u.Redacted()
		}
		fmt.Fprintf(tw, "database\tPostgreSQL %s, schema %s\n", dsn, schema)
	} else {
		fmt.Fprintf(tw, "database\t%s (synchronous=%s)\n", r.path, r.o.sync)
	}
	fmt.Fprintf(tw, "chain\t%s\n", chain)
	workload := fmt.Sprintf("for %s", c.Duration)
	if c.Instances > 0 {
		workload = fmt.Sprintf("%d instances", c.Instances)
	}
	delay := c.ActivityDelay
	if c.NoActivityDelay {
		delay = 0
	}
	fmt.Fprintf(tw, "workload\t%s, %d concurrent, %d activities of %s, %d orchestration + %d worker dispatchers\n",
		workload, c.MaxConcurrent, c.TasksPerInstance, delay, c.OrchestrationDispatchers, c.WorkerDispatchers)
	fmt.Fprintf(tw, "orchestrations\tlaunched %d, completed %d, failed %d%s\n", res.Launched, res.Completed, res.Failed, causes(res.FailedByCause))
	fmt.Fprintf(tw, "throughput\t%.1f orchestrations/s, %.1f activities/s over %s\n", res.OrchestrationsPerSec, res.ActivitiesPerSec, res.Elapsed.Round(time.Millisecond))
	l := res.Latency
	fmt.Fprintf(tw, "latency\tp50 %s  p95 %s  p99 %s  max %s  (start to complete, %d instances)\n",
		ms(l.P50), ms(l.P95), ms(l.P99), ms(l.Max), l.Count)
	fmt.Fprintf(tw, "harness\t%d provider errors seen, %d locks lost, %d abandons\n", res.Errors, res.LocksLost, res.Abandons)
	if delay > 0 {
		bound := float64(c.WorkerDispatchers) / delay.Seconds() / float64(c.TasksPerInstance)
		perActivity := time.Duration(0)
		if res.Activities > 0 {
			perActivity = res.ActivityTime / time.Duration(res.Activities)
		}
		fmt.Fprintf(tw, "workers\t%.0f%% busy; an activity of %s took %s on average; bound %.1f orchestrations/s (%.0f%% reached)\n",
			100*res.WorkerUtilization, delay, perActivity.Round(time.Microsecond), bound, 100*res.OrchestrationsPerSec/bound)
	}
	if r.depthsErr != nil {
		fmt.Fprintf(tw, "queue depths\tunavailable: %v\n", r.depthsErr)
	} else {
		fmt.Fprintf(tw, "queue depths\torchestrator %d, worker %d, timers %d\n", r.depths.Orchestrator, r.depths.Worker, r.depths.Timer)
	}
	if r.observed {
		fmt.Fprintf(tw, "errors\t%s\n", counts(r.errors))
		fmt.Fprintf(tw, "canceled\t%s\n", counts(r.canceled))
		fmt.Fprintf(tw, "retries\t%s\n", counts(r.retries))
		fmt.Fprintf(tw, "spans\t%d\n", r.spans)
	}
	_ = tw.Flush()
	if r.parseErr != nil {
		fmt.Fprintf(w, "metrics: could not parse the exposition: %v\n", r.parseErr)
	}
	if len(r.ops) == 0 {
		return
	}
	source := "the histograms"
	if r.otel {
		source = "db.client.operation.duration, every outcome"
	}
	fmt.Fprintf(w, "\noperation latency (from %s; p50/p99 interpolated in buckets)\n", source)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "operation\tcalls\tmean ms\tp50 ms\tp99 ms\t")
	for _, s := range r.ops {
		fmt.Fprintf(tw, "%s\t%d\t%.3f\t%.3f\t%.3f\t\n", s.op, s.count, s.mean, s.p50, s.p99)
	}
	_ = tw.Flush()
}

func writeComparison(w io.Writer, base, full *report) {
	fmt.Fprintln(w)
	ratio := math.NaN()
	if base.res.OrchestrationsPerSec > 0 {
		ratio = full.res.OrchestrationsPerSec / base.res.OrchestrationsPerSec
	}
	fmt.Fprintf(w, "observability overhead: full chain %.1f orch/s vs bare %.1f orch/s: ratio %.3f (p99 %s vs %s)\n",
		full.res.OrchestrationsPerSec, base.res.OrchestrationsPerSec, ratio, ms(full.res.Latency.P99), ms(base.res.Latency.P99))
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
}

func causes(m map[string]int64) string {
	if len(m) == 0 {
		return ""
	}
	parts := make([]string, 0, len(m))
	for k, v := range m {
		parts = append(parts, fmt.Sprintf("%s %d", k, v))
	}
	sort.Strings(parts)
	return " (" + strings.Join(parts, ", ") + ")"
}

func counts(m map[string]float64) string {
	if len(m) == 0 {
		return "none"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %.0f", k, m[k])
	}
	return strings.Join(parts, ", ")
}
