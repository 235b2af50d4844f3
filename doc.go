// Package provobs is the provider contract of a durable-task runtime and the
// middleware mechanism that makes any provider observable.
//
// A Provider stores orchestration instances, an orchestrator queue with
// instance-level peek-locks, a worker queue with item-level peek-locks,
// sessions, timers (orchestrator messages with a future visibility) and
// append-only history. Admin is its optional operator capability.
//
// # Middleware
//
// A Middleware wraps a Provider; Chain composes them, first outermost:
//
//	p := provobs.Chain(store, tracing.Middleware(tp), retry.Middleware(cfg), slogprov.Middleware(logger), m.Middleware())
//
// Middlewares are written once, not once per method: Intercept turns an
// Interceptor (around one Call: op, instance, result size) into a
// Middleware, and Observe turns a function told of each finished call
// (call, error, duration) into one; adjacent Observe layers fuse into one
// layer with one clock reading. Wrappers built this way keep the Admin
// capability of the provider they wrap, and admin calls are intercepted too.
//
// The instance a call concerns comes from its arguments (a work item, an
// instance id) or its result (a fetched batch, a dequeued item); for calls by
// lock token the caller names it with WithInstance.
//
// # Operations
//
// One Op per method. The label is the `operation` log attribute and metric
// label; the metric is the latency histogram in milliseconds; the size key is
// the log attribute that carries Call.Size.
//
//	Op                         label                      method                      metric                                          size key
//	OpFetch                    fetch                      FetchOrchestrationItem      provider_fetch_orchestration_item_duration_ms   messages
//	OpAckOrch                  ack_orch                   AckOrchestrationItem        provider_ack_orchestration_item_duration_ms     events
//	OpAbandonOrch              abandon_orch               AbandonOrchestrationItem    provider_abandon_orch_duration_ms               -
//	OpRenewOrch                renew_orch                 RenewOrchestrationItemLock  provider_renew_orch_duration_ms                 -
//	OpEnqueue                  enqueue                    EnqueueOrchestrator         provider_enqueue_orchestrator_duration_ms       -
//	OpEnqueueWorker            enqueue_worker             EnqueueWorker               provider_enqueue_worker_duration_ms             -
//	OpDequeue                  dequeue                    DequeueWorker               provider_dequeue_worker_duration_ms             messages
//	OpAckWorker                ack_worker                 AckWorker                   provider_ack_worker_duration_ms                 -
//	OpAbandonWorker            abandon_worker             AbandonWorker               provider_abandon_worker_duration_ms             -
//	OpRenewWorker              renew_worker               RenewWorkerLock             provider_renew_worker_duration_ms               -
//	OpRenewSessionLock         renew_session_lock         RenewSessionLock            provider_renew_session_lock_duration_ms         sessions_renewed
//	OpCleanupOrphanedSessions  cleanup_orphaned_sessions  CleanupOrphanedSessions     provider_cleanup_orphaned_sessions_duration_ms  sessions_cleaned
//	OpReadHistory              read_history               ReadHistory                 provider_read_history_duration_ms               events
//	OpQueueDepths (admin)      queue_depths               QueueDepths                 provider_queue_depths_duration_ms               items
//	OpListInstances (admin)    list_instances             ListInstances               provider_list_instances_duration_ms             instances
//	OpInstanceInfo (admin)     instance_info              InstanceInfo                provider_instance_info_duration_ms              instances
//
// The five seed histograms keep their seed names (dots mapped to
// underscores); every other operation is provider_<label>_duration_ms.
//
// # Errors
//
// Every provider error is an *Error{Op, Type, Retryable, Err}; TypeOf and
// IsRetryable classify any error without matching text, and errors.Is
// matches the sentinels (ErrLockLost, ...) by type.
//
//	type                 retryable  meaning
//	transaction_failed   yes        a begin or commit failed
//	lock_timeout         yes        the store was busy or locked too long (SQLITE_BUSY)
//	serialization_error  no         a payload would not encode or decode
//	lock_lost            no         the lock token is invalid, expired or used
//	conflict             no         a duplicate event id or other constraint violation
//	canceled             no         the caller's context was cancelled or timed out
//	invalid_argument     no         unusable arguments (empty instance id, bad kind)
//	closed               no         the provider was closed
//	unknown              no         anything unclassified
//
// invalid_argument and closed extend the seed's list so that bad input and
// use after Close get a type of their own instead of unknown.
package provobs
