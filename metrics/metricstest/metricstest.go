// Package metricstest reads the metrics middleware's exposition back as
// numbers, parsed from the real Prometheus text, so that a test asserts on
// "verify metrics updated" without parsing text itself:
//
//	snap := metricstest.Snapshot(t, m) // m is the *metrics.Metrics in the chain
//	assert.Equal(t, uint64(2), snap.Count(provobs.OpFetch))
//	assert.Equal(t, uint64(1), snap.Errors(provobs.OpAckWorker, provobs.TypeLockLost))
//	assert.Equal(t, uint64(3), snap.SessionsRenewed())
//
// A MetricsSnapshot has the histogram count, sum and buckets per operation
// (either naming: _ms, or _seconds under metrics.WithBaseUnits), the error
// counts per operation and type, the retry and session counters and the
// queue depths. ParseMetrics reads any exposition and ScrapeMetrics a
// /metrics URL. It lives beside metrics so that obstest stays free of the
// Prometheus parser.
package metricstest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"sort"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/metrics"
)

// MetricsSnapshot is the provider metrics of one Prometheus text
// exposition, read back as numbers: per operation the latency histogram's
// count, sum and buckets, the error counters by operation and error type,
// the cancellation counters, the retry counters, the session counters and
// the queue depths. It
// understands both namings of the histograms (provider_<op>_duration_ms and,
// under metrics.WithBaseUnits, provider_<op>_duration_seconds). A series the
// exposition lacks reads as zero; HasSeries tells whether it was there.
//
// A MetricsSnapshot is immutable and safe for concurrent use.
type MetricsSnapshot struct {
	baseUnits  bool
	histograms [provobs.NumOps]HistogramSnapshot
	errors     map[ErrorKey]uint64
	retries    [provobs.NumOps]uint64
	canceled   [provobs.NumOps]uint64
	scalars    map[string]float64 // unlabelled counters and gauges by name
	series     map[string]bool    // every sample name seen
}

// ErrorKey is one provider_infrastructure_errors_total series: an
// operation and an error type.
type ErrorKey struct {
	Op   provobs.Op
	Type provobs.ErrorType
}

// HistogramSnapshot is one latency histogram as exposed: the number of
// calls, the sum of their latencies and the cumulative buckets, in the
// exposition's unit (milliseconds, or seconds under metrics.WithBaseUnits).
type HistogramSnapshot struct {
	Count   uint64
	Sum     float64
	Buckets []Bucket // ascending upper bounds; the last is +Inf
}

// Bucket is one cumulative `le` bucket of a histogram.
type Bucket struct {
	UpperBound float64
	Count      uint64
}

// MetricsError is the error ParseMetrics returns for an exposition it cannot
// read: text that is not the Prometheus text format, or a provider series
// whose operation or error type is not in the catalogue.
type MetricsError struct {
	Reason string
	Err    error // the parser's error, if any
}

// Error renders "metricstest: metrics exposition: <reason>[: <cause>]".
func (e *MetricsError) Error() string {
	if e.Err != nil {
		return "metricstest: metrics exposition: " + e.Reason + ": " + e.Err.Error()
	}
	return "metricstest: metrics exposition: " + e.Reason
}

// Unwrap returns the parser's error, if any.
func (e *MetricsError) Unwrap() error { return e.Err }

// ParseMetrics reads a Prometheus text exposition (version 0.0.4, as
// metrics.Metrics.WritePrometheus and Handler write it) and returns its
// provider metrics. Series of other families (go_*, the caller's own) are
// recorded for HasSeries only. It returns a *MetricsError if the text does
// not parse or a provider series names an unknown operation or error type.
func ParseMetrics(r io.Reader) (*MetricsSnapshot, error) {
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(r)
	if err != nil {
		return nil, &MetricsError{Reason: "not the Prometheus text format", Err: err}
	}
	s := &MetricsSnapshot{
		errors:  map[ErrorKey]uint64{},
		scalars: map[string]float64{},
		series:  map[string]bool{},
	}
	for name, f := range fams {
		if len(f.GetMetric()) == 0 {
			continue
		}
		if f.GetType() == dto.MetricType_HISTOGRAM {
			s.series[name+"_bucket"], s.series[name+"_sum"], s.series[name+"_count"] = true, true, true
		} else {
			s.series[name] = true
		}
	}

	ops := map[string]provobs.Op{}
	for _, op := range provobs.Ops() {
		ops[op.String()] = op
		for i, name := range []string{op.MetricName(), metrics.BaseUnitMetricName(op)} {
			f := fams[name]
			if f == nil || len(f.GetMetric()) == 0 {
				continue
			}
			if i == 1 {
				s.baseUnits = true
			}
			s.histograms[op] = histogramOf(f)
		}
	}

	for _, m := range fams[provobs.MetricInfrastructureErrors].GetMetric() {
		l := labelMap(m)
		op, ok := ops[l[provobs.LabelOperation]]
		if !ok {
			return nil, &MetricsError{Reason: fmt.Sprintf("%s: unknown operation %q", provobs.MetricInfrastructureErrors, l[provobs.LabelOperation])}
		}
		t, ok := provobs.ParseErrorType(l[provobs.LabelErrorType])
		if !ok {
			return nil, &MetricsError{Reason: fmt.Sprintf("%s: unknown error type %q", provobs.MetricInfrastructureErrors, l[provobs.LabelErrorType])}
		}
		s.errors[ErrorKey{op, t}] += uint64(sampleValue(m))
	}
	for _, m := range fams[provobs.MetricRetries].GetMetric() {
		l := labelMap(m)
		op, ok := ops[l[provobs.LabelOperation]]
		if !ok {
			return nil, &MetricsError{Reason: fmt.Sprintf("%s: unknown operation %q", provobs.MetricRetries, l[provobs.LabelOperation])}
		}
		s.retries[op] += uint64(sampleValue(m))
	}
	for _, m := range fams[provobs.MetricCanceled].GetMetric() {
		l := labelMap(m)
		op, ok := ops[l[provobs.LabelOperation]]
		if !ok {
			return nil, &MetricsError{Reason: fmt.Sprintf("%s: unknown operation %q", provobs.MetricCanceled, l[provobs.LabelOperation])}
		}
		s.canceled[op] += uint64(sampleValue(m))
	}
	for _, name := range []string{
		provobs.MetricAckOrchestrationRetries, provobs.MetricSessionsRenewed, provobs.MetricSessionsCleaned,
		provobs.MetricQueueDepthPollErrors, provobs.MetricOrchestratorQueueDepth, provobs.MetricWorkerQueueDepth,
		provobs.MetricTimerQueueDepth,
	} {
		if f := fams[name]; f != nil && len(f.GetMetric()) > 0 {
			s.scalars[name] = sampleValue(f.GetMetric()[0])
		}
	}
	return s, nil
}

// ReadMetrics returns the snapshot of what m exposes now: m.WritePrometheus
// parsed by ParseMetrics.
func ReadMetrics(m *metrics.Metrics) (*MetricsSnapshot, error) {
	var buf bytes.Buffer
	m.WritePrometheus(&buf)
	return ParseMetrics(&buf)
}

// ScrapeMetrics GETs url (a /metrics endpoint) with ctx and parses the
// answer with ParseMetrics. A status other than 200 is an error.
func ScrapeMetrics(ctx context.Context, url string) (*MetricsSnapshot, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("metricstest: GET %s: %s", url, resp.Status)
	}
	return ParseMetrics(resp.Body)
}

// Snapshot returns the snapshot of what m exposes now, failing the test if
// it cannot be read: the one-line form of ReadMetrics for a test.
//
//	snap := metricstest.Snapshot(t, m)
//	assert.Equal(t, uint64(3), snap.Count(provobs.OpFetch))
func Snapshot(t testing.TB, m *metrics.Metrics) *MetricsSnapshot {
	t.Helper()
	s, err := ReadMetrics(m)
	if err != nil {
		t.Fatalf("%v", err)
	}
	return s
}

// BaseUnits reports whether the histograms were named in seconds
// (metrics.WithBaseUnits).
func (s *MetricsSnapshot) BaseUnits() bool { return s.baseUnits }

// Histogram returns op's latency histogram; it is zero if the exposition
// has none.
func (s *MetricsSnapshot) Histogram(op provobs.Op) HistogramSnapshot {
	if !op.Valid() {
		return HistogramSnapshot{}
	}
	h := s.histograms[op]
	h.Buckets = append([]Bucket(nil), h.Buckets...)
	return h
}

// Count returns the number of op calls recorded by its latency histogram
// (its _count), failures included.
func (s *MetricsSnapshot) Count(op provobs.Op) uint64 {
	if !op.Valid() {
		return 0
	}
	return s.histograms[op].Count
}

// Sum returns the total latency of op's calls (its histogram's _sum),
// converted from the exposition's unit.
func (s *MetricsSnapshot) Sum(op provobs.Op) time.Duration {
	if !op.Valid() {
		return 0
	}
	unit := float64(time.Millisecond)
	if s.baseUnits {
		unit = float64(time.Second)
	}
	return time.Duration(math.Round(s.histograms[op].Sum * unit))
}

// Errors returns provider_infrastructure_errors_total for op and t.
func (s *MetricsSnapshot) Errors(op provobs.Op, t provobs.ErrorType) uint64 {
	return s.errors[ErrorKey{op, t}]
}

// OpErrors returns the failed calls of op, all error types together.
func (s *MetricsSnapshot) OpErrors(op provobs.Op) uint64 {
	var n uint64
	for k, v := range s.errors {
		if k.Op == op {
			n += v
		}
	}
	return n
}

// ErrorCounts returns the non-zero error counters by operation and type.
// The map is new on each call.
func (s *MetricsSnapshot) ErrorCounts() map[ErrorKey]uint64 {
	out := map[ErrorKey]uint64{}
	for k, v := range s.errors {
		if v > 0 {
			out[k] = v
		}
	}
	return out
}

// Canceled returns provider_canceled_total for op: the calls the caller
// cancelled, which are not infrastructure errors.
func (s *MetricsSnapshot) Canceled(op provobs.Op) uint64 {
	if !op.Valid() {
		return 0
	}
	return s.canceled[op]
}

// TotalCanceled returns provider_canceled_total summed over the operations.
func (s *MetricsSnapshot) TotalCanceled() uint64 {
	var n uint64
	for _, v := range s.canceled {
		n += v
	}
	return n
}

// Retries returns provider_retries_total for op.
func (s *MetricsSnapshot) Retries(op provobs.Op) uint64 {
	if !op.Valid() {
		return 0
	}
	return s.retries[op]
}

// RetryCounts returns the non-zero retry counters by operation. The map is
// new on each call.
func (s *MetricsSnapshot) RetryCounts() map[provobs.Op]uint64 {
	out := map[provobs.Op]uint64{}
	for _, op := range provobs.Ops() {
		if s.retries[op] > 0 {
			out[op] = s.retries[op]
		}
	}
	return out
}

// AckOrchestrationRetries returns provider_ack_orchestration_retries_total.
func (s *MetricsSnapshot) AckOrchestrationRetries() uint64 {
	return uint64(s.scalars[provobs.MetricAckOrchestrationRetries])
}

// SessionsRenewed returns provider_sessions_renewed_total.
func (s *MetricsSnapshot) SessionsRenewed() uint64 {
	return uint64(s.scalars[provobs.MetricSessionsRenewed])
}

// SessionsCleaned returns provider_sessions_cleaned_total.
func (s *MetricsSnapshot) SessionsCleaned() uint64 {
	return uint64(s.scalars[provobs.MetricSessionsCleaned])
}

// QueueDepths returns the three queue-depth gauges.
func (s *MetricsSnapshot) QueueDepths() provobs.QueueDepths {
	return provobs.QueueDepths{
		Orchestrator: int64(s.scalars[provobs.MetricOrchestratorQueueDepth]),
		Worker:       int64(s.scalars[provobs.MetricWorkerQueueDepth]),
		Timer:        int64(s.scalars[provobs.MetricTimerQueueDepth]),
	}
}

// QueueDepthPollErrors returns provider_queue_depth_poll_errors_total.
func (s *MetricsSnapshot) QueueDepthPollErrors() uint64 {
	return uint64(s.scalars[provobs.MetricQueueDepthPollErrors])
}

// HasSeries reports whether the exposition had a sample named name, of any
// family: a counter or gauge name, or a histogram's name_bucket, name_sum
// or name_count.
func (s *MetricsSnapshot) HasSeries(name string) bool { return s.series[name] }

// SeriesNames returns every sample name of the exposition, sorted.
func (s *MetricsSnapshot) SeriesNames() []string {
	out := make([]string, 0, len(s.series))
	for n := range s.series {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func histogramOf(f *dto.MetricFamily) HistogramSnapshot {
	h := f.GetMetric()[0].GetHistogram()
	out := HistogramSnapshot{Count: h.GetSampleCount(), Sum: h.GetSampleSum()}
	for _, b := range h.GetBucket() {
		out.Buckets = append(out.Buckets, Bucket{UpperBound: b.GetUpperBound(), Count: b.GetCumulativeCount()})
	}
	return out
}

func labelMap(m *dto.Metric) map[string]string {
	out := make(map[string]string, len(m.GetLabel()))
	for _, lp := range m.GetLabel() {
		out[lp.GetName()] = lp.GetValue()
	}
	return out
}

// sampleValue is the value of a counter, gauge or untyped sample.
func sampleValue(m *dto.Metric) float64 {
	switch {
	case m.Counter != nil:
		return m.GetCounter().GetValue()
	case m.Gauge != nil:
		return m.GetGauge().GetValue()
	default:
		return m.GetUntyped().GetValue()
	}
}
