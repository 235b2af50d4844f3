package dashboards_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/dashboards"
	"github.com/provobs/provobs/metrics"
)

// alerts.yml is generated from the operation catalogue by the code below,
// so a new operation gets its recording rules by a rerun:
//
//	go test ./dashboards -run TestAlertsAreGenerated -update
func TestAlertsAreGenerated(t *testing.T) {
	want := generateAlerts()
	if *update {
		require.NoError(t, os.WriteFile("alerts.yml", want, 0o644))
		return
	}
	assert.Equal(t, string(want), string(dashboards.Alerts),
		"alerts.yml is not what the generator writes; run go test ./dashboards -run TestAlertsAreGenerated -update")
}

// metricCanceled is the counter of calls that ended in the caller's
// cancellation; the alerts name it only in text, and the promtool unit
// tests feed it to show that it fires nothing.
const metricCanceled = provobs.MetricCanceled

// metricStatsPollErrors counts the failed GetStats polls of
// goworkflows.PollStats (goworkflows.MetricStatsPollErrors, in a module
// this one does not import; a test there checks the name), which sets the
// same queue-depth gauges for a go-workflows backend.
const metricStatsPollErrors = "workflows_stats_poll_errors_total"

// The recorded series the alerts read: per operation (label operation),
// calls per second and p99 latency in milliseconds over 5 minutes, from
// the operation's histogram in either naming.
const (
	recordCalls = "operation:provider_calls:rate5m"
	recordP99   = "operation:provider_duration_ms:p99_rate5m"
)

// longPolled are the operations whose latency includes an optional long
// poll (the specification's PollTimeout; go-workflows' Redis backend blocks
// in them too): an idle worker's p99 is the poll timeout, so the latency
// alert leaves them out. A slow fetch or dequeue shows as a growing queue.
var longPolled = []provobs.Op{provobs.OpFetch, provobs.OpDequeue}

// The thresholds of the alerts: starting points, documented in the
// package doc, to be tuned per deployment.
const (
	errorRatio      = 0.05 // failed calls of one operation and type, of all its calls
	errorsPerMinute = 1    // and at least this many of them
	p99ThresholdMs  = 1000 // p99 latency of an operation
	queueDepthMin   = 100  // a queue that grows is worth an alert from this depth on
	pollErrorsIn5m  = 2    // more failed queue-depth polls than this in 5 minutes
	lostLocksIn10m  = 3    // more lost locks than this in 10 minutes
)

// rule is one rule of alerts.yml; Expr may span lines.
type rule struct {
	Record, Alert string
	Expr          string
	For           string
	Labels        [][2]string // in this order
	Summary       string
	Description   string
	Comment       string
}

func generateAlerts() []byte {
	var recording []rule
	for _, op := range provobs.Ops() {
		ms, sec := op.MetricName(), metrics.BaseUnitMetricName(op)
		recording = append(recording,
			rule{
				Comment: op.Method() + " (" + op.String() + ")",
				Record:  recordCalls,
				Expr: fmt.Sprintf("sum without (instance) (rate(%s_count[5m]))\nor\nsum without (instance) (rate(%s_count[5m]))",
					ms, sec),
				Labels: [][2]string{{provobs.LabelOperation, op.String()}},
			},
			rule{
				Record: recordP99,
				Expr: fmt.Sprintf("histogram_quantile(0.99, sum without (instance) (rate(%s_bucket[5m])))\nor\n1000 * histogram_quantile(0.99, sum without (instance) (rate(%s_bucket[5m])))",
					ms, sec),
				Labels: [][2]string{{provobs.LabelOperation, op.String()}},
			})
	}

	var longOps []string
	for _, op := range longPolled {
		longOps = append(longOps, op.String())
	}
	errors := fmt.Sprintf(`sum without (instance) (rate(%s{%s!~"%s|%s"}[5m]))`,
		provobs.MetricInfrastructureErrors, provobs.LabelErrorType, provobs.TypeCanceled, provobs.TypeLockLost)
	alerting := []rule{
		{
			Alert: "ProviderErrorRateHigh",
			Expr: fmt.Sprintf("(\n  %s\n    / ignoring (%s) group_left\n  %s\n) > %g\nand\n%s * 60 >= %d",
				errors, provobs.LabelErrorType, recordCalls, errorRatio, errors, errorsPerMinute),
			For:     "5m",
			Labels:  [][2]string{{"severity", "critical"}},
			Summary: `{{ $labels.operation }} fails with {{ $labels.error_type }} in {{ $value | humanizePercentage }} of calls`,
			Description: fmt.Sprintf("Over the last 5 minutes, {{ $value | humanizePercentage }} of the {{ $labels.operation }} calls of job {{ $labels.job }} failed with error type {{ $labels.error_type }} (%s over the calls of the operation's latency histogram), for 5 minutes. "+
				"A caller's cancellation (%s, or error_type %s) is not counted: a deploy or a graceful shutdown does not fire this. Lost locks have an alert of their own (ProviderLocksLost).",
				provobs.MetricInfrastructureErrors, metricCanceled, provobs.TypeCanceled),
			Comment: fmt.Sprintf("More than %g%% of an operation's calls fail with one error type (and at least %d a minute).", errorRatio*100, errorsPerMinute),
		},
		{
			Alert:       "ProviderLatencyP99High",
			Expr:        fmt.Sprintf(`%s{%s!~"%s"} > %d`, recordP99, provobs.LabelOperation, strings.Join(longOps, "|"), p99ThresholdMs),
			For:         "10m",
			Labels:      [][2]string{{"severity", "warning"}},
			Summary:     `{{ $labels.operation }} p99 latency is {{ $value | printf "%.0f" }} ms`,
			Description: fmt.Sprintf("The p99 latency of {{ $labels.operation }} calls of job {{ $labels.job }} over 5 minutes has been above %d ms for 10 minutes (the operation's provider_<op>_duration_ms or _seconds histogram). %s are left out: their latency includes the long poll.", p99ThresholdMs, strings.Join(longOps, " and ")),
			Comment:     fmt.Sprintf("p99 latency of an operation above %d ms (not %s: long polls).", p99ThresholdMs, strings.Join(longOps, ", ")),
		},
	}
	for _, q := range []struct{ name, metric string }{{"orchestrator", provobs.MetricOrchestratorQueueDepth}, {"worker", provobs.MetricWorkerQueueDepth}} {
		alerting = append(alerting, rule{
			Alert:       "ProviderQueueDepthGrowing",
			Expr:        fmt.Sprintf("%[1]s > %[2]d\nand\nderiv(%[1]s[15m]) > 0", q.metric, queueDepthMin),
			For:         "15m",
			Labels:      [][2]string{{"severity", "warning"}, {"queue", q.name}},
			Summary:     fmt.Sprintf(`The %s queue keeps growing ({{ $value | printf "%%.0f" }} messages)`, q.name),
			Description: fmt.Sprintf("%s (instance {{ $labels.instance }}) has grown over every 15-minute window for 15 minutes and is above %d: the workers do not keep up, or stopped fetching.", q.metric, queueDepthMin),
			Comment:     fmt.Sprintf("The %s queue grows for 15 minutes and holds more than %d messages (timers are left out: future timers pile up by design).", q.name, queueDepthMin),
		})
	}
	alerting = append(alerting,
		rule{
			Alert:       "ProviderQueueDepthPollFailing",
			Expr:        fmt.Sprintf("increase(%[1]s[5m]) > %[3]d\nor\nincrease(%[2]s[5m]) > %[3]d", provobs.MetricQueueDepthPollErrors, metricStatsPollErrors, pollErrorsIn5m),
			For:         "10m",
			Labels:      [][2]string{{"severity", "warning"}},
			Summary:     `Queue-depth polls fail ({{ $value | printf "%.0f" }} in 5 minutes)`,
			Description: fmt.Sprintf("%s (metrics.PollQueueDepths) or %s (goworkflows.PollStats) of instance {{ $labels.instance }} grew by more than %d in every 5 minutes for 10 minutes: the queue-depth gauges keep their last values, so the queue alerts and panels are stale. The poller logs each failure at WARN.", provobs.MetricQueueDepthPollErrors, metricStatsPollErrors, pollErrorsIn5m),
			Comment:     "The queue-depth poller keeps failing.",
		},
		rule{
			Alert:       "ProviderLocksLost",
			Expr:        fmt.Sprintf(`sum without (instance) (increase(%s{%s="%s"}[10m])) > %d`, provobs.MetricInfrastructureErrors, provobs.LabelErrorType, provobs.TypeLockLost, lostLocksIn10m),
			For:         "5m",
			Labels:      [][2]string{{"severity", "warning"}},
			Summary:     `{{ $labels.operation }} lost {{ $value | printf "%.0f" }} locks in 10 minutes`,
			Description: fmt.Sprintf("{{ $labels.operation }} calls of job {{ $labels.job }} found their lock gone (error type %s) more than %d times in 10 minutes: a worker held work past its lock's expiry (lock timeout too short, or a stalled worker), so the work may run twice.", provobs.TypeLockLost, lostLocksIn10m),
			Comment:     fmt.Sprintf("More than %d lost locks of an operation in 10 minutes.", lostLocksIn10m),
		})

	var b strings.Builder
	b.WriteString(`# Prometheus alerting rules for the series of the provobs metrics
# middleware (package metrics), in either naming of the latency histograms
# (metrics.New's _ms, metrics.WithBaseUnits's _seconds). Load them with
# rule_files; package dashboards documents each alert and its threshold.
#
# Generated from the operation catalogue by dashboards/alerts_gen_test.go;
# do not edit, rerun:
#   go test ./dashboards -run TestAlertsAreGenerated -update
# Checked by promtool check rules and by the promtool unit tests in
# dashboards/alerts_test.yml.
groups:
  - name: provobs-operations
    rules:
`)
	writeRules(&b, recording)
	b.WriteString("  - name: provobs-alerts\n    rules:\n")
	writeRules(&b, alerting)
	return []byte(b.String())
}

func writeRules(b *strings.Builder, rules []rule) {
	for _, r := range rules {
		if r.Comment != "" {
			fmt.Fprintf(b, "      # %s\n", r.Comment)
		}
		if r.Record != "" {
			fmt.Fprintf(b, "      - record: %s\n", r.Record)
		} else {
			fmt.Fprintf(b, "      - alert: %s\n", r.Alert)
		}
		b.WriteString("        expr: |\n")
		for line := range strings.SplitSeq(r.Expr, "\n") {
			fmt.Fprintf(b, "          %s\n", line)
		}
		if r.For != "" {
			fmt.Fprintf(b, "        for: %s\n", r.For)
		}
		if len(r.Labels) > 0 {
			b.WriteString("        labels:\n")
			for _, l := range r.Labels {
				fmt.Fprintf(b, "          %s: %s\n", l[0], l[1])
			}
		}
		if r.Summary != "" {
			b.WriteString("        annotations:\n")
			fmt.Fprintf(b, "          summary: %s\n", yamlQuote(r.Summary))
			fmt.Fprintf(b, "          description: %s\n", yamlQuote(r.Description))
		}
	}
}

// yamlQuote writes s as a single-quoted YAML scalar.
func yamlQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
