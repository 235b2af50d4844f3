package provobs

// The vocabulary: every log attribute key, span attribute key, metric label
// name and metric family name that more than one package uses is defined
// here, once, and nowhere else (a test fails when a package spells one as a
// literal). Per-operation names (labels, methods, histogram names, size keys)
// live in the operation catalogue in ops.go.

// Log record and span attribute keys.
const (
	// KeyOperation carries the operation label (Op.String): "fetch", ...
	KeyOperation = "operation"
	// KeyMethod carries, on log records, the name of the storage method a
	// call ran when it is not the Provider method of its Op, as when a
	// go-workflows backend call reports under a provobs operation. Spans
	// carry the method as db.operation.name instead.
	KeyMethod = "method"
	// KeyInstanceID carries the orchestration instance a call concerns.
	KeyInstanceID = "instance_id"
	// KeyDurationMS carries a call's duration in milliseconds, as a float
	// with microsecond precision.
	KeyDurationMS = "duration_ms"
	// KeyErrorType carries ErrorType.String of a failed call.
	KeyErrorType = "error_type"
	// KeyError carries the error of a failed call.
	KeyError = "error"
	// KeyEmptyPolls carries how many empty polls a sampled record stands for.
	KeyEmptyPolls = "empty_polls"
	// KeyTraceID and KeySpanID carry the hex ids of the span a record was
	// written in, so a log line leads to its trace.
	KeyTraceID = "trace_id"
	KeySpanID  = "span_id"
	// KeyOTelErrorType is OpenTelemetry's semantic-convention key for the
	// error type, used on spans and OTel log records in place of
	// KeyErrorType.
	KeyOTelErrorType = "error.type"
)

// Result-size attribute keys: what Call.Size counts for each operation
// (Op.SizeKey names the one of an op).
const (
	SizeMessages        = "messages"
	SizeEvents          = "events"
	SizeItems           = "items"
	SizeSessionsRenewed = "sessions_renewed"
	SizeSessionsCleaned = "sessions_cleaned"
	SizeInstances       = "instances"
)

// Log messages of the per-operation records.
const (
	MessageOK = "provider operation"
	// MessageFailed is the message of a failed operation
	// (provobs.OutcomeFailed).
	MessageFailed = "provider operation failed"
	// MessageCanceled is the message of an operation the caller cancelled
	// (provobs.OutcomeCanceled), written at DEBUG.
	MessageCanceled = "provider operation canceled"
)

// Metric label names. Label values are closed sets: Op.String and
// ErrorType.String.
const (
	LabelOperation = KeyOperation
	LabelErrorType = KeyErrorType
)

// Metric family names besides the per-operation latency histograms
// (Op.MetricName). Every name is exposed exactly as written.
const (
	// MetricInfrastructureErrors counts failed operations (OutcomeFailed) by
	// operation and error type (labels operation, error_type).
	MetricInfrastructureErrors = "provider_infrastructure_errors_total"
	// MetricCanceled counts operations that ended because the caller
	// cancelled their context (OutcomeCanceled), by operation (label
	// operation). They are not infrastructure errors.
	MetricCanceled = "provider_canceled_total"
	// MetricAckOrchestrationRetries counts re-invocations of
	// AckOrchestrationItem by a retry interceptor.
	MetricAckOrchestrationRetries = "provider_ack_orchestration_retries_total"
	// MetricRetries counts re-invocations of any operation by a retry
	// interceptor (label operation).
	MetricRetries = "provider_retries_total"
	// MetricSessionsRenewed adds the sessions renewed by each successful
	// RenewSessionLock.
	MetricSessionsRenewed = "provider_sessions_renewed_total"
	// MetricSessionsCleaned adds the sessions deleted by each successful
	// CleanupOrphanedSessions.
	MetricSessionsCleaned = "provider_sessions_cleaned_total"
	// MetricOrchestratorQueueDepth is the last polled orchestrator queue
	// depth.
	MetricOrchestratorQueueDepth = "provider_orchestrator_queue_depth"
	// MetricWorkerQueueDepth is the last polled worker queue depth.
	MetricWorkerQueueDepth = "provider_worker_queue_depth"
	// MetricTimerQueueDepth is the last polled number of future timers.
	MetricTimerQueueDepth = "provider_timer_queue_depth"
	// MetricQueueDepthPollErrors counts failed queue-depth polls.
	MetricQueueDepthPollErrors = "provider_queue_depth_poll_errors_total"
)

// OpenTelemetry instrument names of the provobs counters and gauges
// (package otelmetrics), dotted as OpenTelemetry's naming conventions ask;
// their unit is the instrument's, not a suffix. The OpenTelemetry
// Prometheus exporter exposes each with dots as underscores and a _total
// suffix on counters (provobs_provider_infrastructure_errors_total). The
// latency histogram is the semantic conventions' db.client.operation.duration.
const (
	// OTelMetricInfrastructureErrors counts failed operations (attributes
	// operation, error.type); cancellations are not counted.
	OTelMetricInfrastructureErrors = "provobs.provider.infrastructure_errors"
	// OTelMetricCancellations counts operations that ended because the
	// caller cancelled their context (attribute operation).
	OTelMetricCancellations = "provobs.provider.cancellations"
	// OTelMetricRetries counts re-invocations by a retry interceptor
	// (attribute operation).
	OTelMetricRetries = "provobs.provider.retries"
	// OTelMetricSessionsRenewed adds the sessions renewed by each successful
	// RenewSessionLock.
	OTelMetricSessionsRenewed = "provobs.provider.sessions.renewed"
	// OTelMetricSessionsCleaned adds the sessions deleted by each successful
	// CleanupOrphanedSessions.
	OTelMetricSessionsCleaned = "provobs.provider.sessions.cleaned"
	// OTelMetricQueueDepth is the last polled depth of each queue
	// (attribute queue).
	OTelMetricQueueDepth = "provobs.provider.queue.depth"
	// OTelMetricQueuePollErrors counts failed queue-depth polls.
	OTelMetricQueuePollErrors = "provobs.provider.queue.poll_errors"
)

// KeyQueue is the attribute naming the queue of a queue-depth observation;
// its values are QueueOrchestrator, QueueWorker and QueueTimer.
const (
	KeyQueue          = "queue"
	QueueOrchestrator = "orchestrator"
	QueueWorker       = "worker"
	QueueTimer        = "timer"
)
