// Package metrics is a provider middleware that records VictoriaMetrics
// (Prometheus-compatible) metrics for every provider operation, a
// queue-depth poller, and the /metrics exposition.
//
//	m := metrics.New()
//	p := provobs.Chain(store, m.Middleware(), retry.Middleware(retry.Config{OnRetry: m.RetryHook()}))
//	go m.PollQueueDepths(ctx, p.(provobs.Admin), 0, logger)
//	http.Handle("/metrics", m.Handler())
//
// Each Metrics owns a private *metrics.Set (see Set): the package registers
// nothing globally. Call metrics.RegisterSet(m.Set()) to expose the series
// through the library's global metrics.WritePrometheus as well.
//
// # Metrics
//
// Every series below exists, at zero, from New on, and no other is ever
// created: the labels take values from closed sets (provobs.Ops and
// provobs.ErrorTypes), so cardinality is fixed: per operation a histogram,
// a retry counter, a cancellation counter and an error counter per error
// type, plus 7 other series.
//
//	name                                            type       labels                 value
//	provider_<op>_duration_ms (op.MetricName())     histogram  -                      latency of each call, failures included, in ms
//	provider_infrastructure_errors_total            counter    operation, error_type  failed calls (provobs.OutcomeFailed)
//	provider_canceled_total                         counter    operation              calls the caller cancelled (provobs.OutcomeCanceled)
//	provider_ack_orchestration_retries_total        counter    -                      retries of AckOrchestrationItem (RecordRetry)
//	provider_retries_total                          counter    operation              retries of any operation (RecordRetry)
//	provider_sessions_renewed_total                 counter    -                      sum of RenewSessionLock results
//	provider_sessions_cleaned_total                 counter    -                      sum of CleanupOrphanedSessions results
//	provider_orchestrator_queue_depth               gauge      -                      visible, unlocked orchestrator messages
//	provider_worker_queue_depth                     gauge      -                      visible, unlocked worker items
//	provider_timer_queue_depth                      gauge      -                      timers scheduled in the future
//	provider_queue_depth_poll_errors_total          counter    -                      failed QueueDepths polls
//
// The histogram of each operation is named by provobs.Op.MetricName; the
// five names of the specification keep their form (provider_fetch_orchestration_item_duration_ms,
// provider_ack_orchestration_item_duration_ms, provider_ack_worker_duration_ms,
// provider_enqueue_orchestrator_duration_ms, provider_dequeue_worker_duration_ms)
// and every other operation is provider_<label>_duration_ms. The operation
// label is provobs.Op.String ("fetch", "ack_orch", ...), error_type is
// provobs.ErrorType ("lock_timeout", ...). The name constants are in the
// root package's vocabulary (provobs.MetricInfrastructureErrors, ...).
//
// # Exposed lines
//
// Each family exposes exactly these lines (here as New writes them, every
// value zero; "..." stands for the lines of the other operations, error
// types or buckets). A latency histogram, one per operation:
//
//	# HELP provider_fetch_orchestration_item_duration_ms Latency of FetchOrchestrationItem in milliseconds, failures included.
//	# TYPE provider_fetch_orchestration_item_duration_ms histogram
//	provider_fetch_orchestration_item_duration_ms_bucket{le="0.1"} 0
//	provider_fetch_orchestration_item_duration_ms_bucket{le="0.25"} 0
//	...
//	provider_fetch_orchestration_item_duration_ms_bucket{le="10000"} 0
//	provider_fetch_orchestration_item_duration_ms_bucket{le="+Inf"} 0
//	provider_fetch_orchestration_item_duration_ms_sum 0
//	provider_fetch_orchestration_item_duration_ms_count 0
//
// The error counter, one series per operation and error type:
//
//	# HELP provider_infrastructure_errors_total Failed provider operations by operation and error type.
//	# TYPE provider_infrastructure_errors_total counter
//	provider_infrastructure_errors_total{operation="abandon_orch",error_type="canceled"} 0
//	...
//	provider_infrastructure_errors_total{operation="fetch",error_type="lock_timeout"} 0
//	...
//
// The cancellation counter, one series per operation:
//
//	# HELP provider_canceled_total Provider operations the caller cancelled, by operation; not failures.
//	# TYPE provider_canceled_total counter
//	provider_canceled_total{operation="abandon_orch"} 0
//	...
//	provider_canceled_total{operation="fetch"} 0
//	...
//
// The retry counters, one for AckOrchestrationItem and one per
// operation:
//
//	# HELP provider_ack_orchestration_retries_total Re-invocations of AckOrchestrationItem by the retry middleware.
//	# TYPE provider_ack_orchestration_retries_total counter
//	provider_ack_orchestration_retries_total 0
//	# HELP provider_retries_total Re-invocations of provider operations by the retry middleware.
//	# TYPE provider_retries_total counter
//	provider_retries_total{operation="abandon_orch"} 0
//	...
//	provider_retries_total{operation="fetch"} 0
//	...
//
// The session counters:
//
//	# HELP provider_sessions_renewed_total Sessions renewed by RenewSessionLock.
//	# TYPE provider_sessions_renewed_total counter
//	provider_sessions_renewed_total 0
//	# HELP provider_sessions_cleaned_total Sessions deleted by CleanupOrphanedSessions.
//	# TYPE provider_sessions_cleaned_total counter
//	provider_sessions_cleaned_total 0
//
// The queue depths and the poller's error counter:
//
//	# HELP provider_orchestrator_queue_depth Visible, unlocked orchestrator messages at the last queue-depth poll.
//	# TYPE provider_orchestrator_queue_depth gauge
//	provider_orchestrator_queue_depth 0
//	# HELP provider_worker_queue_depth Visible, unlocked worker items at the last queue-depth poll.
//	# TYPE provider_worker_queue_depth gauge
//	provider_worker_queue_depth 0
//	# HELP provider_timer_queue_depth Timers scheduled in the future at the last queue-depth poll.
//	# TYPE provider_timer_queue_depth gauge
//	provider_timer_queue_depth 0
//	# HELP provider_queue_depth_poll_errors_total Failed queue-depth polls.
//	# TYPE provider_queue_depth_poll_errors_total counter
//	provider_queue_depth_poll_errors_total 0
//
// Families are written in name order. A test checks every line quoted
// here against WritePrometheus's output.
//
// # Base units
//
// The default names end in _ms, which `promtool check metrics` flags ("metric
// names should not contain abbreviated units"). WithBaseUnits follows the
// Prometheus convention instead: each histogram is named
// provider_<op>_duration_seconds (BaseUnitMetricName), records seconds, and
// has its bounds in seconds (Default: DefaultSecondsBuckets(), the default
// millisecond bounds / 1000); the counters and gauges, already in base
// units, keep their names. promtool then reports nothing:
//
//	# HELP provider_fetch_orchestration_item_duration_seconds Latency of FetchOrchestrationItem in seconds, failures included.
//	# TYPE provider_fetch_orchestration_item_duration_seconds histogram
//	provider_fetch_orchestration_item_duration_seconds_bucket{le="0.0001"} 0
//	provider_fetch_orchestration_item_duration_seconds_bucket{le="0.00025"} 0
//	...
//	provider_fetch_orchestration_item_duration_seconds_bucket{le="10"} 0
//	provider_fetch_orchestration_item_duration_seconds_bucket{le="+Inf"} 0
//	provider_fetch_orchestration_item_duration_seconds_sum 0
//	provider_fetch_orchestration_item_duration_seconds_count 0
//
// The dashboard in package dashboards reads either naming (its unit
// variable). Pick one naming per deployment: the two are different series.
//
// # Go runtime and process series
//
// WithProcessMetrics appends what metrics.WriteProcessMetrics writes
// (go_goroutines, go_memstats_*, go_gc_*, process_cpu_seconds_total,
// process_resident_memory_bytes, ...) after the provider series, as a Go
// service's /metrics does; they are typed only if metrics.ExposeMetadata is
// on. Without it (the default) WritePrometheus, Handler and the pushes carry
// the provider series only. Those library-written series do not all pass
// promtool's naming lint; the provider series do.
//
// # Which errors count
//
// The root package's rule decides (provobs.OutcomeOf; see "The caller's
// cancellation is not a store failure" in its documentation). An operation
// the caller cancelled (the context it passed was cancelled, as when a
// worker shuts down) increments provider_canceled_total{operation} and
// never provider_infrastructure_errors_total, so a graceful shutdown fires
// no error alert. Every other error increments
// provider_infrastructure_errors_total once, labelled with its operation
// and provobs.ErrorTypeOf(ctx, err): the store's faults (transaction_failed,
// lock_timeout, closed), a passed deadline (deadline_exceeded: the store
// may be too slow for its caller), the contract's permanent outcomes
// (lock_lost, conflict, invalid_argument, serialization_error) and
// unclassified errors (unknown). The two counters together reconcile with
// the error calls of the histogram counts (the latency of a cancelled call
// is observed too); an alert on infrastructure faults selects
// error_type=~"transaction_failed|lock_timeout|deadline_exceeded|unknown".
// An empty fetch or dequeue, (nil, nil), is a success.
//
// # Cost of recording
//
// Recording a call is one PrometheusHistogram.Update (a bucket search and
// the op's own histogram mutex, never shared across operations), at most
// one atomic counter increment, and no allocation; handles are looked up in
// arrays indexed by operation and error type, never by name. See
// metrics_timing_test.go for the figures.
//
// # Queue depths
//
// PollQueueDepths polls provobs.Admin.QueueDepths on an interval (Default:
// DefaultPollInterval) until its context is done, and stores the answer in
// the three gauges; SetQueueDepths sets them directly. A failed poll is
// counted in provider_queue_depth_poll_errors_total, logged at WARN through
// the logger given (if any), and keeps the last values; it never stops the
// poller. Scrapes read the gauges and never call the provider.
//
// # Exposition
//
// WritePrometheus writes the Prometheus text format 0.0.4 with one HELP and
// one TYPE line per family (histogram, counter or gauge), whether or not
// metrics.ExposeMetadata is on; Handler serves it with Content-Type
// ContentType. Push and PushNow send the same text to a VictoriaMetrics
// server (its /api/v1/import/prometheus endpoint) through the library's push
// support; Push stops with its context.
//
// # Retries
//
// The retry package reports each re-invocation through its OnRetry hook;
// RetryHook (or RecordRetry) turns that into provider_retries_total and, for
// ack_orch, provider_ack_orchestration_retries_total. Neither package
// imports the other.
package metrics
