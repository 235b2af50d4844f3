// Package dashboards ships a Grafana dashboard and Prometheus alerting
// rules for the metrics that the provobs metrics middleware exposes.
//
// provobs.json imports as is (Dashboards → New → Import, or file
// provisioning): it asks for nothing at import time. Two variables at the
// top of the dashboard choose what it reads:
//
//   - datasource: any Prometheus-type data source (Prometheus, or
//     VictoriaMetrics through its Prometheus API) that scrapes a provobs
//     /metrics endpoint or receives its pushes;
//   - unit: the naming of the latency histograms, ms for
//     provider_<op>_duration_ms (metrics.New's default) or seconds for
//     provider_<op>_duration_seconds (metrics.WithBaseUnits). The latency
//     panels show values in that unit and say so in their titles.
//
// One dashboard thus serves both namings; the counters and gauges have one
// name in both. Panels: operations per second for every operation; p50,
// p99 and mean latency of each of the five histograms the specification
// names; p99 of every other operation; infrastructure errors by operation
// and error type; cancellations by operation (provider_canceled_total:
// the caller's own, not failures); retries (AckOrchestrationItem's own counter and every
// operation's); sessions renewed and cleaned; queue depths; queue-depth
// poll errors.
//
// The file is generated from the operation catalogue (dashboards/gen_test.go).
// Tests check that every query names only series that metrics.New exposes,
// with either naming, and that every provider series is queried; the
// cmd/provobs real-server test evaluates every query in a real Prometheus.
//
// # Alerts
//
// alerts.yml (also Alerts) is a Prometheus rule file for the same series,
// in either naming of the histograms; load it with rule_files. Its first
// group records, per operation (label operation), the calls per second
// (operation:provider_calls:rate5m) and the p99 latency in milliseconds
// (operation:provider_duration_ms:p99_rate5m) over 5 minutes, summed over
// instances. Its second group holds the alerts; the thresholds are starting
// points, to be tuned per deployment:
//
//	alert                          fires when, for                                          severity
//	ProviderErrorRateHigh          > 5% of an operation's calls fail with one error type,   critical
//	                               and ≥ 1 a minute, for 5m
//	ProviderLatencyP99High         an operation's p99 > 1000 ms, for 10m (not fetch and     warning
//	                               dequeue: their latency includes the long poll)
//	ProviderQueueDepthGrowing      the orchestrator or worker queue (label queue) is above  warning
//	                               100 and grew over the last 15m, for 15m (not timers)
//	ProviderQueueDepthPollFailing  more than 2 failed queue-depth polls in 5m (metrics's     warning
//	                               poller, or goworkflows.PollStats's), for 10m
//	ProviderLocksLost              more than 3 lock_lost errors of an operation in 10m,     warning
//	                               for 5m
//
// A caller's cancellation is not a failure of the store: it is counted in
// provider_canceled_total, never in provider_infrastructure_errors_total,
// and the error-rate alert also leaves out error_type="canceled" (as a
// provobs from before that rule counted it), so a deploy or a graceful
// shutdown fires nothing. It leaves out lock_lost too, which has its own
// alert. A passed deadline (deadline_exceeded) counts: the store may be slow.
//
// Each alert has a summary and a description annotation. alerts_test.yml
// holds promtool unit tests (promtool test rules alerts_test.yml): a
// rolling deploy with a burst of cancellations fires nothing, an outage
// (half the fetches fail) fires the error-rate alert, and every alert fires
// on a case of its own. Go tests run promtool check rules and the unit
// tests, plant bugs in the rules that the unit tests must catch, and check
// that every series a rule reads is one metrics.New exposes; the
// cmd/provobs real-server test loads the rules into a real Prometheus and
// checks that every rule evaluates.
package dashboards

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
)

// Alerts is the Prometheus rule file (alerts.yml) for the same series: see
// the package documentation.
//
//go:embed alerts.yml
var Alerts []byte

// Provider is the Grafana dashboard JSON for provider operations.
//
//go:embed provobs.json
var Provider []byte

// Units are the values of the dashboard's unit variable: the suffix of the
// latency histograms' names, ms (the default naming) or seconds
// (metrics.WithBaseUnits).
var Units = []string{"ms", "seconds"}

// Query is one target of one panel of Provider, with the dashboard's
// variables replaced.
type Query struct {
	Panel  string // the panel's title, variables replaced
	Legend string // the target's legend format ("fetch", "{{operation}}")
	Expr   string // the PromQL expression
}

// Queries returns every target of Provider as Grafana would send it with
// the unit variable set to unit (one of Units) and $__rate_interval set to
// rateInterval (a PromQL duration such as "1m"). It returns an error if
// the dashboard does not decode or unit is not one of Units.
func Queries(unit, rateInterval string) ([]Query, error) {
	known := false
	for _, u := range Units {
		known = known || u == unit
	}
	if !known {
		return nil, fmt.Errorf("dashboards: unit %q: want one of %v", unit, Units)
	}
	var dash struct {
		Panels []struct {
			Title   string
			Targets []struct {
				Expr         string
				LegendFormat string
			}
		}
	}
	if err := json.Unmarshal(Provider, &dash); err != nil {
		return nil, fmt.Errorf("dashboards: provobs.json: %w", err)
	}
	r := strings.NewReplacer("${unit}", unit, "$unit", unit, "$__rate_interval", rateInterval)
	var out []Query
	for _, p := range dash.Panels {
		for _, t := range p.Targets {
			out = append(out, Query{Panel: r.Replace(p.Title), Legend: t.LegendFormat, Expr: r.Replace(t.Expr)})
		}
	}
	return out, nil
}
