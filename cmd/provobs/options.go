package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/provobs/provobs/logenv"
	"github.com/provobs/provobs/sqlite"
	"github.com/provobs/provobs/stress"
)

// isPostgres reports whether -db names a PostgreSQL server rather than a
// SQLite file.
func isPostgres(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// options are the command's flags.
type options struct {
	db          string
	schema      string
	keep        bool
	sync        sqlite.Synchronous
	metricsAddr string
	pushURL     string
	pushEvery   time.Duration
	linger      time.Duration
	baseUnits   bool
	metrics     string // metricsVM or metricsOTel
	logFormat   string
	logLevel    string
	baseline    bool
	compare     bool
	progress    time.Duration
	depthPoll   time.Duration
	stress      stress.Config
}

// The -metrics values.
const (
	metricsVM   = "vm"
	metricsOTel = "otel"
)

const usageText = `provobs runs the stress workload on an embedded SQLite provider (or, with
-db postgres://..., on the PostgreSQL provider) through the full
observability chain (redacted logs, metrics, retries, spans), serves
/metrics while it runs, and prints a summary.

Usage:
  go run ./cmd/provobs [flags]

With no flags it creates a SQLite file in a new temporary directory (removed
at exit); with -db postgres://user@host:5432/db?sslmode=disable it uses a new
schema on that server (dropped at exit; -schema names a kept one instead) and runs 20 concurrent fan-out/fan-in orchestrations of 5 activities of
10ms for 10s, and serves http://127.0.0.1:9464/metrics meanwhile.

Metrics are VictoriaMetrics series with the specification's names by
default; -metrics otel records them through the OpenTelemetry SDK instead
(package otelmetrics: db.client.operation.duration in seconds with the
database semantic conventions' attributes, and the provobs.provider.*
counters) and serves the OpenTelemetry Prometheus exporter's output on
/metrics. The summary reads its per-operation latency, error and retry counts
from whichever metrics the run records.

Logs go to stderr in the format of PROVOBS_LOG_FORMAT (tint, json, text, otel;
default tint on a terminal, else json) at PROVOBS_LOG_LEVEL (default info);
the flags below override both. The summary goes to stdout.

Flags:
`

func parseOptions(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("provobs", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usageText)
		fs.PrintDefaults()
	}
	fs.StringVar(&o.db, "db", "", "SQLite `file` to open or create, or a PostgreSQL URL (postgres://user@host:5432/db?sslmode=disable) (default: a new SQLite file in a temporary directory, removed at exit)")
	fs.StringVar(&o.schema, "schema", "", "PostgreSQL `schema` to use and keep, with a postgres:// -db (default: a new schema, dropped at exit unless -keep)")
	fs.BoolVar(&o.keep, "keep", false, "keep the temporary database file and print its path")
	syncFlag := fs.String("sync", "full", "SQLite synchronous level: full (durable) or normal (faster; a power loss may drop the last transactions)")
	fs.StringVar(&o.metricsAddr, "metrics-addr", "127.0.0.1:9464", "`address` to serve /metrics on while running; empty disables it")
	fs.StringVar(&o.pushURL, "push-url", "", "VictoriaMetrics import `URL` to push metrics to, e.g. http://127.0.0.1:8428/api/v1/import/prometheus (default: no push)")
	fs.DurationVar(&o.pushEvery, "push-interval", 10*time.Second, "`interval` between pushes to -push-url; the final values are pushed once more when the run ends")
	fs.DurationVar(&o.linger, "linger", 0, "keep serving /metrics for this `long` after the summary (until interrupted), so that a scraper collects the final values")
	fs.BoolVar(&o.baseUnits, "base-units", false, "name the latency histograms in seconds, Prometheus's base unit (provider_<op>_duration_seconds), instead of the default provider_<op>_duration_ms")
	fs.StringVar(&o.metrics, "metrics", metricsVM, "metrics `backend`: vm (VictoriaMetrics, the specification's provider_* names) or otel (the OpenTelemetry SDK through package otelmetrics, exposed by the OpenTelemetry Prometheus exporter); -push-url and -base-units need vm")
	fs.StringVar(&o.logFormat, "log-format", "", "log format: tint, json, text or otel (default: $"+logenv.EnvFormat+", else tint on a terminal, else json)")
	fs.StringVar(&o.logLevel, "log-level", "", "log level: debug, info, warn or error; debug logs every operation (default: $"+logenv.EnvLevel+", else info)")
	fs.BoolVar(&o.baseline, "baseline", false, "run the bare provider without any middleware, to see the cost of observability")
	fs.BoolVar(&o.compare, "compare", false, "run the workload twice, bare then fully observed, each on a fresh database, and print the throughput ratio")
	fs.DurationVar(&o.progress, "progress", time.Second, "progress report `interval`")
	fs.DurationVar(&o.depthPoll, "depth-interval", time.Second, "queue-depth poll `interval` for the gauges")

	fs.DurationVar(&o.stress.Duration, "duration", stress.DefaultDuration, "how long to launch orchestrations before draining")
	fs.IntVar(&o.stress.Instances, "instances", 0, // vocab:ignore (a flag name)
		"launch exactly `n` orchestrations instead of running for -duration")
	fs.IntVar(&o.stress.MaxConcurrent, "concurrency", stress.DefaultMaxConcurrent, "orchestrations kept in flight")
	fs.IntVar(&o.stress.TasksPerInstance, "tasks", stress.DefaultTasksPerInstance, "activities per orchestration (fan-out)")
	activityDelay := fs.Duration("activity-delay", stress.DefaultActivityDelay, "how long each activity works; 0 for none")
	fs.IntVar(&o.stress.OrchestrationDispatchers, "orch-dispatchers", stress.DefaultOrchestrationDispatchers, "orchestration dispatchers (fetch/ack)")
	fs.IntVar(&o.stress.WorkerDispatchers, "worker-dispatchers", stress.DefaultWorkerDispatchers, "worker dispatchers (dequeue/ack)")
	fs.DurationVar(&o.stress.LockTimeout, "lock-timeout", stress.DefaultLockTimeout, "peek-lock duration of fetches and dequeues")
	fs.DurationVar(&o.stress.PollTimeout, "poll-timeout", stress.DefaultPollTimeout, "long-poll wait of an idle dispatcher")
	fs.IntVar(&o.stress.MaxAttempts, "max-attempts", stress.DefaultMaxAttempts, "deliveries before a batch or activity is poison")
	fs.BoolVar(&o.stress.Resume, "resume", false, "launch nothing: drive the work already in the -db file to completion (after a crash, say); runs at least -lock-timeout, so that locks the crashed process held expire")
	fs.DurationVar(&o.stress.DrainTimeout, "drain-timeout", stress.DefaultDrainTimeout, "how long to wait for in-flight orchestrations after launching stops")

	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q (all settings are flags; see -help)", fs.Args())
	}
	switch strings.ToLower(*syncFlag) {
	case "full":
		o.sync = sqlite.SynchronousFull
	case "normal":
		o.sync = sqlite.SynchronousNormal
	default:
		return o, fmt.Errorf("-sync %q: want full or normal", *syncFlag)
	}
	if *activityDelay <= 0 {
		o.stress.NoActivityDelay = true
	} else {
		o.stress.ActivityDelay = *activityDelay
	}
	if o.stress.Resume && (o.db == "" || o.compare || (isPostgres(o.db) && o.schema == "")) {
		return o, errors.New("-resume needs -db (the file to resume; with PostgreSQL also -schema) and excludes -compare")
	}
	if o.schema != "" && !isPostgres(o.db) {
		return o, errors.New("-schema needs a postgres:// -db")
	}
	if o.baseline && o.compare {
		return o, errors.New("-baseline and -compare exclude each other")
	}
	for name, v := range map[string]int{"concurrency": o.stress.MaxConcurrent, "tasks": o.stress.TasksPerInstance,
		"orch-dispatchers": o.stress.OrchestrationDispatchers, "worker-dispatchers": o.stress.WorkerDispatchers, "max-attempts": o.stress.MaxAttempts} {
		if v <= 0 {
			return o, fmt.Errorf("-%s must be positive, got %d", name, v)
		}
	}
	if o.stress.Instances < 0 {
		return o, fmt.Errorf("-instances must not be negative, got %d", o.stress.Instances)
	}
	if o.progress <= 0 || o.depthPoll <= 0 || o.pushEvery <= 0 {
		return o, errors.New("-progress, -depth-interval and -push-interval must be positive")
	}
	switch o.metrics {
	case metricsVM:
	case metricsOTel:
		if o.pushURL != "" || o.baseUnits {
			return o, errors.New("-push-url and -base-units need -metrics vm (OpenTelemetry histograms are in seconds; export them with an OpenTelemetry reader)")
		}
	default:
		return o, fmt.Errorf("-metrics %q: want vm or otel", o.metrics)
	}
	if o.linger < 0 {
		return o, fmt.Errorf("-linger must not be negative, got %s", o.linger)
	}
	return o, nil
}
