package metrics

import (
	"strings"

	"github.com/provobs/provobs"
)

// DefaultSecondsBuckets returns the default upper bounds, in seconds, of the
// latency histograms under WithBaseUnits: DefaultBuckets divided by 1000,
// written out so that every `le` label is exact (0.0001, 0.00025, 0.0005,
// 0.001, ..., 5, 10). The slice is new on each call.
func DefaultSecondsBuckets() []float64 {
	return []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}
}

// WithBaseUnits names and measures the latency histograms in Prometheus's
// base unit, seconds: provider_<op>_duration_seconds instead of the default
// provider_<op>_duration_ms (BaseUnitMetricName), with the values and the
// `le` bounds in seconds (Default bounds: DefaultSecondsBuckets; bounds
// given to WithBuckets are then in seconds too). The counters and gauges
// keep their names, which are already in base units. With this option
// `promtool check metrics` reports nothing on WritePrometheus's output.
// (Default: off, the _ms names)
func WithBaseUnits() Option {
	return optionFunc(func(c *config) { c.baseUnits = true })
}

// WithProcessMetrics makes WritePrometheus, and so Handler and the pushes,
// append the Go runtime and process series (go_*, process_*) that
// metrics.WriteProcessMetrics writes, as a Go service's /metrics endpoint
// does. They are typed and documented only if metrics.ExposeMetadata is on.
// (Default: off, provider series only)
func WithProcessMetrics() Option {
	return optionFunc(func(c *config) { c.processMetrics = true })
}

// BaseUnitMetricName returns the name of op's latency histogram under
// WithBaseUnits: op.MetricName with its _ms suffix replaced by _seconds
// ("provider_fetch_orchestration_item_duration_seconds"), or "" for an
// invalid op.
func BaseUnitMetricName(op provobs.Op) string {
	name, ok := strings.CutSuffix(op.MetricName(), "_ms")
	if !ok {
		return ""
	}
	return name + "_seconds"
}

// HistogramName returns the name of op's latency histogram as m exposes it:
// op.MetricName, or BaseUnitMetricName under WithBaseUnits.
func (m *Metrics) HistogramName(op provobs.Op) string {
	if m.baseUnits {
		return BaseUnitMetricName(op)
	}
	return op.MetricName()
}

// BaseUnits reports whether m was built WithBaseUnits.
func (m *Metrics) BaseUnits() bool { return m.baseUnits }

// opTitle names op in a HELP line: its method, or its label for an
// operation that is no Provider or Admin method.
func opTitle(op provobs.Op) string {
	if m := op.Method(); m != "" {
		return m
	}
	return op.String()
}
