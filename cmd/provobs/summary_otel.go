package main

import (
	"sort"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"go.opentelemetry.io/otel/semconv/v1.43.0/dbconv"

	"github.com/provobs/provobs"
)

// promFamily is the family the OpenTelemetry Prometheus exporter exposes
// an instrument as under its default translation: dots to underscores,
// then suffix ("_seconds" for the unit s, "_total" for a counter).
func promFamily(instrument, suffix string) string {
	return strings.ReplaceAll(instrument, ".", "_") + suffix
}

// readOTelMetrics reads, from what the -metrics otel registry gathers (the
// exporter's families, as a scraper sees them), the per-operation latency
// of db.client.operation.duration, all its series of an operation merged
// (successes and every error.type), and the error, cancellation and retry
// counts.
func (r *report) readOTelMetrics(g prometheus.Gatherer) {
	r.observed, r.otel = true, true
	fams, err := g.Gather()
	if err != nil {
		r.parseErr = err
		return
	}
	byName := map[string]*dto.MetricFamily{}
	for _, f := range fams {
		byName[f.GetName()] = f
	}
	merged := map[provobs.Op]*dto.Histogram{}
	for _, m := range byName[promFamily(dbconv.ClientOperationDuration{}.Name(), "_seconds")].GetMetric() {
		op, ok := provobs.ParseOp(labelValue(m, provobs.KeyOperation))
		if !ok {
			continue
		}
		merged[op] = mergeHistogram(merged[op], m.GetHistogram())
	}
	for _, op := range provobs.Ops() {
		h := merged[op]
		if h.GetSampleCount() == 0 {
			continue
		}
		r.ops = append(r.ops, opStats{
			op:    op,
			count: h.GetSampleCount(),
			mean:  1000 * h.GetSampleSum() / float64(h.GetSampleCount()),
			p50:   1000 * quantile(0.50, h),
			p99:   1000 * quantile(0.99, h),
		})
	}
	errorType := strings.ReplaceAll(provobs.KeyOTelErrorType, ".", "_")
	r.errors = labelled(byName[promFamily(provobs.OTelMetricInfrastructureErrors, "_total")], func(l map[string]string) string {
		return l[provobs.LabelOperation] + "/" + l[errorType]
	})
	r.canceled = labelled(byName[promFamily(provobs.OTelMetricCancellations, "_total")], func(l map[string]string) string { return l[provobs.LabelOperation] })
	r.retries = labelled(byName[promFamily(provobs.OTelMetricRetries, "_total")], func(l map[string]string) string { return l[provobs.LabelOperation] })
}

// mergeHistogram adds h to sum (nil: a new one): counts, sums and the
// cumulative count of each bucket bound. The series of one instrument
// share their bounds.
func mergeHistogram(sum, h *dto.Histogram) *dto.Histogram {
	if sum == nil {
		sum = &dto.Histogram{SampleCount: new(uint64), SampleSum: new(float64)}
	}
	*sum.SampleCount += h.GetSampleCount()
	*sum.SampleSum += h.GetSampleSum()
	at := map[float64]*dto.Bucket{}
	for _, b := range sum.Bucket {
		at[b.GetUpperBound()] = b
	}
	for _, b := range h.GetBucket() {
		if s, ok := at[b.GetUpperBound()]; ok {
			*s.CumulativeCount += b.GetCumulativeCount()
			continue
		}
		ub, c := b.GetUpperBound(), b.GetCumulativeCount()
		nb := &dto.Bucket{UpperBound: &ub, CumulativeCount: &c}
		sum.Bucket = append(sum.Bucket, nb)
		at[ub] = nb
	}
	sort.Slice(sum.Bucket, func(i, j int) bool { return sum.Bucket[i].GetUpperBound() < sum.Bucket[j].GetUpperBound() })
	return sum
}

func labelValue(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}
