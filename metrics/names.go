package metrics

// Metric names other than the per-operation latency histograms, whose names
// come from provobs.Op.MetricName. Every name is exposed exactly as written.
const (
	// NameInfrastructureErrors counts failed operations by operation and
	// error type (labels operation, error_type).
	NameInfrastructureErrors = "provider_infrastructure_errors_total"
	// NameAckOrchestrationRetries counts re-invocations of
	// AckOrchestrationItem reported through RecordRetry.
	NameAckOrchestrationRetries = "provider_ack_orchestration_retries_total"
	// NameRetries counts re-invocations of any operation reported through
	// RecordRetry (label operation).
	NameRetries = "provider_retries_total"
	// NameSessionsRenewed adds the sessions renewed by each successful
	// RenewSessionLock.
	NameSessionsRenewed = "provider_sessions_renewed_total"
	// NameSessionsCleaned adds the sessions deleted by each successful
	// CleanupOrphanedSessions.
	NameSessionsCleaned = "provider_sessions_cleaned_total"
	// NameOrchestratorQueueDepth is the last polled orchestrator queue depth.
	NameOrchestratorQueueDepth = "provider_orchestrator_queue_depth"
	// NameWorkerQueueDepth is the last polled worker queue depth.
	NameWorkerQueueDepth = "provider_worker_queue_depth"
	// NameTimerQueueDepth is the last polled number of future timers.
	NameTimerQueueDepth = "provider_timer_queue_depth"
	// NameQueueDepthPollErrors counts failed queue-depth polls.
	NameQueueDepthPollErrors = "provider_queue_depth_poll_errors_total"
)

// Label names.
const (
	// LabelOperation carries the operation label (provobs.Op.String).
	LabelOperation = "operation"
	// LabelErrorType carries the error type (provobs.ErrorType).
	LabelErrorType = "error_type"
)

// ContentType is the Content-Type of the Prometheus text exposition format
// that Handler serves.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"
