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
// provobs.ErrorTypes), so cardinality is fixed (16 histograms, 144 error
// counters, 16 retry counters and 7 other series).
//
//	name                                            type       labels                 value
//	provider_<op>_duration_ms (op.MetricName())     histogram  -                      latency of each call, failures included, in ms
//	provider_infrastructure_errors_total            counter    operation, error_type  failed calls
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
// provobs.ErrorType ("lock_timeout", ...). The name constants are in this
// package (provobs.MetricInfrastructureErrors, ...).
//
// # Buckets
//
// The histograms are metrics.PrometheusHistogram with fixed `le` upper
// bounds in milliseconds, allocated once in New (Default: DefaultBuckets(),
// 0.1 ms to 10 s in 1-2.5-5 steps, plus +Inf; WithBuckets replaces them).
// Each exposes _bucket (cumulative), _sum (ms) and _count.
//
// # Which errors count
//
// Every error an operation returns increments
// provider_infrastructure_errors_total once, labelled with its operation
// and provobs.TypeOf(err): the store's faults (transaction_failed,
// lock_timeout, closed), the contract's permanent outcomes (lock_lost,
// conflict, invalid_argument, serialization_error), the caller's
// cancellations (canceled) and unclassified errors (unknown). Nothing is
// filtered, so the counter reconciles with the histogram counts; an alert on
// infrastructure faults selects error_type=~"transaction_failed|lock_timeout|unknown".
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
