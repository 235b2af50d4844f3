// Package otelmetrics is a provider interceptor that records OpenTelemetry
// metrics through any metric.MeterProvider: the semantic conventions'
// db.client.operation.duration histogram, in seconds, and the provobs
// counters and queue-depth gauge. It is the alternative to package metrics
// (VictoriaMetrics, the specification's names, the default) for services
// that export through the OpenTelemetry SDK, to a collector or with the
// OpenTelemetry Prometheus exporter.
//
//	m, err := otelmetrics.New(meterProvider) // nil: otel.GetMeterProvider()
//	p := provobs.Chain(store, retry.Middleware(retry.Config{OnRetry: m.RetryHook()}), m.Middleware())
//	go m.PollQueueDepths(ctx, p.(provobs.Admin), 0, logger)
//
// # Instruments
//
// Every instrument belongs to the Meter named ScopeName, with the schema
// URL of semantic conventions 1.43.0. Instrument names follow
// OpenTelemetry's naming rules (dotted, the unit in the instrument's unit,
// not in the name); the constants are in the root package's vocabulary
// (provobs.OTelMetricInfrastructureErrors, ...).
//
//	instrument                              kind                  unit       attributes
//	db.client.operation.duration            Float64Histogram      s          db.system.name, db.operation.name, operation; db.namespace, server.address, server.port when known; error.type unless a success
//	provobs.provider.infrastructure_errors  Int64Counter          {error}    operation, error.type
//	provobs.provider.cancellations          Int64Counter          {call}     operation
//	provobs.provider.retries                Int64Counter          {retry}    operation
//	provobs.provider.sessions.renewed       Int64Counter          {session}  -
//	provobs.provider.sessions.cleaned       Int64Counter          {session}  -
//	provobs.provider.queue.depth            Int64ObservableGauge  {item}     queue (orchestrator, worker, timer)
//	provobs.provider.queue.poll_errors      Int64Counter          {error}    -
//
// The OpenTelemetry Prometheus exporter (its default translation: dots to
// underscores, the unit "s" as _seconds, _total on counters, units in
// braces dropped) exposes them as these families:
//
//	instrument                              Prometheus family
//	db.client.operation.duration            db_client_operation_duration_seconds
//	provobs.provider.infrastructure_errors  provobs_provider_infrastructure_errors_total
//	provobs.provider.cancellations          provobs_provider_cancellations_total
//	provobs.provider.retries                provobs_provider_retries_total
//	provobs.provider.sessions.renewed       provobs_provider_sessions_renewed_total
//	provobs.provider.sessions.cleaned       provobs_provider_sessions_cleaned_total
//	provobs.provider.queue.depth            provobs_provider_queue_depth
//	provobs.provider.queue.poll_errors      provobs_provider_queue_poll_errors_total
//
// Tests check both tables against the SDK's collection and the exporter's
// output.
//
// The attribute keys db.system.name, db.operation.name, db.namespace,
// server.address, server.port and error.type are the constants of
// go.opentelemetry.io/otel/semconv/v1.43.0, and the histogram is made by
// its dbconv package (name, unit, description); operation and queue are
// provobs's own (provobs.KeyOperation, provobs.KeyQueue). Every value is
// from a closed set: db.system.name, db.namespace, server.address and
// server.port describe the store (provobs.StoreInfo); db.operation.name is
// the storage method the call ran (provobs.Call.Method, else the op's
// Provider or Admin method, else its label: "FetchOrchestrationItem",
// "GetActivityTask", "remove_instance"); operation is provobs.Op.String;
// error.type is provobs.ErrorType.String. No instance id is ever an
// attribute. The Prometheus exporter spells the keys with underscores
// (db_system_name, error_type, ...) and adds otel_scope_* labels.
//
// The exporter writes, for instance (one operation, some buckets elided):
//
//	# HELP db_client_operation_duration_seconds Duration of database client operations.
//	# TYPE db_client_operation_duration_seconds histogram
//	db_client_operation_duration_seconds_bucket{db_operation_name="FetchOrchestrationItem",db_system_name="sqlite",operation="fetch",otel_scope_name="github.com/provobs/provobs/otelmetrics",...,le="0.001"} 41
//	...
//	db_client_operation_duration_seconds_bucket{...,le="+Inf"} 45
//	db_client_operation_duration_seconds_sum{...} 0.0731
//	db_client_operation_duration_seconds_count{...} 45
//	# HELP provobs_provider_infrastructure_errors_total Failed provider operations by operation and error type; the caller's cancellations are not counted.
//	# TYPE provobs_provider_infrastructure_errors_total counter
//	provobs_provider_infrastructure_errors_total{error_type="lock_timeout",operation="ack_orch",...} 2
//	# HELP provobs_provider_queue_depth Visible, unlocked orchestrator messages and worker items, and future timers, at the last queue-depth poll.
//	# TYPE provobs_provider_queue_depth gauge
//	provobs_provider_queue_depth{...,queue="orchestrator"} 3
//
// Unlike package metrics, no series exists before its first measurement
// (the OpenTelemetry SDK creates a point per attribute set on first use),
// and the queue-depth gauge reports nothing until a depth is known.
//
// # Buckets
//
// The histogram's advisory bucket boundaries are the semantic conventions'
// for db.client.operation.duration (DefaultBuckets: 0.001, 0.005, 0.01,
// 0.05, 0.1, 0.5, 1, 5, 10 seconds), replaced with WithBuckets; a view on
// the MeterProvider overrides both.
//
// # Outcomes
//
// Each call is classified by provobs.OutcomeOf, the one rule of the root
// package, never by a rule of this package:
//
//   - OutcomeOK: the histogram without error.type; for RenewSessionLock and
//     CleanupOrphanedSessions, provobs.Call.Size is added to the session
//     counter.
//   - OutcomeCanceled (the caller cancelled the context it passed): the
//     histogram with error.type "canceled", and one in
//     provobs.provider.cancellations. It is not an infrastructure error,
//     so an alert on that counter stays quiet through a graceful shutdown.
//   - OutcomeFailed (any other error, a passed deadline included): the
//     histogram with error.type set to provobs.ErrorTypeOf of the call
//     ("unknown" for a type outside the defined set), and one in
//     provobs.provider.infrastructure_errors with the same error.type.
//
// An alert on the histogram's error.type must therefore exclude
// "canceled"; provobs.provider.infrastructure_errors needs no filter.
//
// # Binding to the store and cost of recording
//
// Metrics.Interceptor is a provobs.StoreBinder. A chain built with
// provobs.Intercept (Middleware) or provobs.Stack.ForStore binds it to the
// provobs.StoreInfo of the store it wraps; the bound interceptor
// precomputes one attribute set, as a ready []metric.RecordOption, per
// operation and outcome (success, or each error type), as exaring/otelpgx
// does, and the counters' sets are precomputed per operation and error
// type in New. A call named by a storage method other than its op's
// (go-workflows' backend methods) gets its sets built on first use and
// cached, up to MaxMethods names per binding; further names are recorded
// under the op's own method, so db.operation.name stays a bounded set. So
// a call builds nothing and allocates nothing (a test checks it): it costs
// one Record on the histogram and, on a failure or cancellation, one Add on
// a counter, which with the SDK's default (cumulative, no exemplars) reader
// is almost entirely the SDK's own work: the 1.47 SDK normalises a
// measurement's attribute set on every Record, by reflection, so the cost
// grows with the number of attributes.
// otelmetrics_timing_test.go measures it; BENCHMARKS.md has the figures.
// An interceptor used without a chain (Interceptor().Intercept) records
// with the attributes of a store that does not describe itself
// (db.system.name "other_sql", provobs.DescribeStore(nil)).
//
// # Retries
//
// The retry package reports each re-invocation through its Config.OnRetry
// hook; RetryHook (or RecordRetry) counts it in provobs.provider.retries by
// operation. It replaces package metrics' pair of retry counters: the
// AckOrchestrationItem retries are provobs_provider_retries_total with
// operation="ack_orch".
//
// # Queue depths
//
// PollQueueDepths polls provobs.Admin.QueueDepths on an interval (Default:
// DefaultPollInterval) and SetQueueDepths stores the answer; the gauge's
// callback reads the stored values at each collection and never calls the
// provider. A failed poll is counted in provobs.provider.queue.poll_errors,
// logged at WARN through the logger given, and keeps the last values.
// Close unregisters the callback.
package otelmetrics
