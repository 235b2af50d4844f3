package slogprov

import "github.com/provobs/provobs"

// Attribute keys of the records the middleware writes. Other packages that
// log provider operations (tracing, sqlite, metrics) use these constants so
// every sink sees one vocabulary.
const (
	// KeyOperation is the operation label (provobs.Op.String): "fetch",
	// "ack_orch", ... Always present.
	KeyOperation = "operation"
	// KeyInstanceID is the orchestration instance the call concerns. Present
	// when the call knows it (provobs.Call.Instance is not empty).
	KeyInstanceID = "instance_id"
	// KeyDurationMS is how long the operation took, in milliseconds, as a
	// float64 rounded to the microsecond (0.412 is 412µs). Always present.
	KeyDurationMS = "duration_ms"
	// KeyErrorType is the provobs.ErrorType of a failure ("lock_lost", ...).
	// Present on failures only.
	KeyErrorType = "error_type"
	// KeyError is the failure itself, as an error value (handlers render its
	// text). Present on failures only.
	KeyError = "error"
	// KeyEmptyPolls is the number of empty polls a sampled empty-poll record
	// stands for. Present on sampled empty polls only; see
	// WithEmptyPollSampling.
	KeyEmptyPolls = "empty_polls"
)

// Result-size keys: the key of a successful operation's result size is
// provobs.Op.SizeKey; these mirror the values it takes.
const (
	KeyMessages        = provobs.SizeMessages        // fetch, dequeue
	KeyEvents          = provobs.SizeEvents          // ack_orch (appended), read_history
	KeyItems           = provobs.SizeItems           // queue_depths (all three queues)
	KeySessionsRenewed = provobs.SizeSessionsRenewed // renew_session_lock
	KeySessionsCleaned = provobs.SizeSessionsCleaned // cleanup_orphaned_sessions
	KeyInstances       = provobs.SizeInstances       // list_instances, instance_info
)

// Record messages. Every record has one of these two messages, so a query
// can select provider records by message and tell them apart by
// KeyOperation.
const (
	// MessageOK is the message of a successful operation's record.
	MessageOK = "provider operation"
	// MessageFailed is the message of a failed operation's record.
	MessageFailed = "provider operation failed"
)
