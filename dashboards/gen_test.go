package dashboards_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/dashboards"
)

// provobs.json is generated from the operation catalogue by the code
// below, so a new operation gets its panels by a rerun:
//
//	go test ./dashboards -run TestDashboardIsGenerated -update
var update = flag.Bool("update", false, "rewrite provobs.json from the generator")

func TestDashboardIsGenerated(t *testing.T) {
	want := generate()
	if *update {
		require.NoError(t, os.WriteFile("provobs.json", want, 0o644))
		return
	}
	assert.Equal(t, string(want), string(dashboards.Provider),
		"provobs.json is not what the generator writes; run go test ./dashboards -run TestDashboardIsGenerated -update")
}

// seedOps are the operations whose histograms the specification names.
var seedOps = []provobs.Op{provobs.OpFetch, provobs.OpAckOrch, provobs.OpEnqueue, provobs.OpDequeue, provobs.OpAckWorker}

// histogram is op's histogram name with the unit left to the dashboard's
// unit variable.
func histogram(op provobs.Op) string {
	return strings.TrimSuffix(op.MetricName(), "_ms") + "_${unit}"
}

type target struct {
	Datasource   datasource `json:"datasource"`
	RefID        string     `json:"refId"`
	Expr         string     `json:"expr"`
	LegendFormat string     `json:"legendFormat"`
}

type datasource struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

var ds = datasource{Type: "prometheus", UID: "${datasource}"}

type panel struct {
	ID          int            `json:"id"`
	Type        string         `json:"type"`
	Title       string         `json:"title"`
	Description string         `json:"description"`
	Datasource  datasource     `json:"datasource"`
	GridPos     map[string]int `json:"gridPos"`
	FieldConfig any            `json:"fieldConfig"`
	Options     any            `json:"options"`
	Targets     []target       `json:"targets"`
}

func newPanel(title, unit, description string, targets ...target) panel {
	for i := range targets {
		targets[i].Datasource = ds
		targets[i].RefID = string(rune('A' + i))
	}
	return panel{
		Type:        "timeseries",
		Title:       title,
		Description: description,
		Datasource:  ds,
		FieldConfig: map[string]any{"defaults": map[string]any{"unit": unit}, "overrides": []any{}},
		Options: map[string]any{
			"legend":  map[string]any{"displayMode": "list", "placement": "bottom", "showLegend": true},
			"tooltip": map[string]any{"mode": "multi", "sort": "desc"},
		},
		Targets: targets,
	}
}

func quantile(q string, op provobs.Op) target {
	return target{
		Expr:         fmt.Sprintf("histogram_quantile(%s, sum by (le) (rate(%s_bucket[$__rate_interval])))", q, histogram(op)),
		LegendFormat: op.String(),
	}
}

func generate() []byte {
	var panels []panel

	var rate []target
	for _, op := range provobs.Ops() {
		rate = append(rate, target{Expr: fmt.Sprintf("sum(rate(%s_count[$__rate_interval]))", histogram(op)), LegendFormat: op.String()})
	}
	panels = append(panels,
		newPanel("Operations per second", "ops", "Calls of every provider operation, failures included (the _count of each latency histogram).", rate...),
		newPanel("Queue depths", "short", "Visible, unlocked orchestrator messages and worker items, and future timers, at the last queue-depth poll.",
			target{Expr: provobs.MetricOrchestratorQueueDepth, LegendFormat: "orchestrator"},
			target{Expr: provobs.MetricWorkerQueueDepth, LegendFormat: "worker"},
			target{Expr: provobs.MetricTimerQueueDepth, LegendFormat: "timers"}),
	)
	for _, op := range seedOps {
		mean := target{
			Expr:         fmt.Sprintf("sum(rate(%[1]s_sum[$__rate_interval])) / sum(rate(%[1]s_count[$__rate_interval]))", histogram(op)),
			LegendFormat: "mean",
		}
		p50, p99 := quantile("0.5", op), quantile("0.99", op)
		p50.LegendFormat, p99.LegendFormat = "p50", "p99"
		panels = append(panels, newPanel(op.Method()+" latency ($unit)", "none",
			"Latency of "+op.Method()+" ("+strings.TrimSuffix(op.MetricName(), "_ms")+"_<unit>), failures included, in the unit the dashboard's unit variable names: ms (the default naming) or seconds (metrics.WithBaseUnits).",
			p50, p99, mean))
	}
	var p99 []target
	for _, op := range provobs.Ops() {
		if !isSeed(op) {
			p99 = append(p99, quantile("0.99", op))
		}
	}
	panels = append(panels,
		newPanel("Other operations p99 latency ($unit)", "none", "p99 latency of every other operation.", p99...),
		newPanel("Infrastructure errors by operation and type", "ops",
			"Failed calls per second, by operation and provobs error type (provider_infrastructure_errors_total). Faults of the store: transaction_failed, lock_timeout, deadline_exceeded, closed, unknown. Cancellations by the caller are not counted here.",
			target{Expr: "sum by (operation, error_type) (rate(" + provobs.MetricInfrastructureErrors + "[$__rate_interval]))", LegendFormat: "{{operation}} {{error_type}}"}),
		newPanel("Cancellations by operation", "ops",
			"Calls the caller cancelled, per second (provider_canceled_total): a worker shutting down, a poller stopped. Not failures of the store; a burst at each deploy is expected.",
			target{Expr: "sum by (operation) (rate(" + provobs.MetricCanceled + "[$__rate_interval]))", LegendFormat: "{{operation}}"}),
		newPanel("Retries", "ops", "Re-invocations by the retry middleware, per second.",
			target{Expr: "sum(rate(" + provobs.MetricAckOrchestrationRetries + "[$__rate_interval]))", LegendFormat: "ack_orch (provider_ack_orchestration_retries_total)"},
			target{Expr: "sum by (operation) (rate(" + provobs.MetricRetries + "[$__rate_interval]))", LegendFormat: "{{operation}}"}),
		newPanel("Sessions", "ops", "Sessions renewed by RenewSessionLock and deleted by CleanupOrphanedSessions, per second.",
			target{Expr: "sum(rate(" + provobs.MetricSessionsRenewed + "[$__rate_interval]))", LegendFormat: "renewed"},
			target{Expr: "sum(rate(" + provobs.MetricSessionsCleaned + "[$__rate_interval]))", LegendFormat: "cleaned"}),
		newPanel("Queue-depth poll errors", "short", "Failed QueueDepths polls in the range (the gauges then keep their last values).",
			target{Expr: "sum(increase(" + provobs.MetricQueueDepthPollErrors + "[$__rate_interval]))", LegendFormat: "poll errors"}),
	)
	for i := range panels {
		panels[i].ID = i + 1
		panels[i].GridPos = map[string]int{"x": 12 * (i % 2), "y": 8 * (i / 2), "w": 12, "h": 8}
	}

	unitOption := func(v string, selected bool) map[string]any {
		return map[string]any{"selected": selected, "text": v, "value": v}
	}
	dash := map[string]any{
		"__requires": []any{
			map[string]any{"type": "grafana", "id": "grafana", "name": "Grafana", "version": "10.0.0"},
			map[string]any{"type": "datasource", "id": "prometheus", "name": "Prometheus", "version": "1.0.0"},
			map[string]any{"type": "panel", "id": "timeseries", "name": "Time series", "version": ""},
		},
		"title":         "provobs provider",
		"uid":           "provobs-provider",
		"description":   "Durable-task provider operations: throughput, latency, errors, retries, sessions and queue depths, from the provobs metrics middleware. Pick the data source (Prometheus or VictoriaMetrics) and the histogram unit (ms, the default naming, or seconds under metrics.WithBaseUnits) at the top.",
		"tags":          []string{"provobs", "durable-task"},
		"timezone":      "browser",
		"schemaVersion": 39,
		"version":       1,
		"editable":      true,
		"refresh":       "10s",
		"time":          map[string]string{"from": "now-15m", "to": "now"},
		"annotations":   map[string]any{"list": []any{}},
		"templating": map[string]any{"list": []any{
			map[string]any{
				"name": "datasource", "label": "Data source", "type": "datasource", "query": "prometheus",
				"description": "A Prometheus-compatible source (Prometheus, VictoriaMetrics) that scrapes or receives a provobs /metrics.",
				"hide":        0, "refresh": 1, "regex": "", "current": map[string]any{}, "options": []any{},
			},
			map[string]any{
				"name": "unit", "label": "Histogram unit", "type": "custom", "query": "ms,seconds",
				"description": "The latency histograms' naming: ms for provider_<op>_duration_ms (the default), seconds for provider_<op>_duration_seconds (metrics.WithBaseUnits). Latency panels show values in this unit.",
				"hide":        0, "includeAll": false, "multi": false,
				"current": unitOption("ms", true),
				"options": []any{unitOption("ms", true), unitOption("seconds", false)},
			},
		}},
		"panels": panels,
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(dash); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

func isSeed(op provobs.Op) bool {
	for _, s := range seedOps {
		if s == op {
			return true
		}
	}
	return false
}
