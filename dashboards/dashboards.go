// Package dashboards ships a Grafana dashboard for the metrics that the
// provobs metrics middleware exposes.
//
// provobs.json imports as is (Dashboards → New → Import) and asks for a
// Prometheus-compatible data source (Prometheus or VictoriaMetrics) that
// scrapes a provobs /metrics endpoint. A test checks that every metric the
// dashboard queries is exposed by metrics.New.
package dashboards

import _ "embed"

// Provider is the Grafana dashboard JSON for provider operations:
// operations per second, p50/p99 latency, infrastructure errors by
// operation and type, retries, sessions and queue depths.
//
//go:embed provobs.json
var Provider []byte
