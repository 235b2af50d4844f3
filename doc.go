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
// Middlewares are written once, not once per method: an Interceptor runs
// around one Call (op, instance, result size) and calls Invoke to run the
// rest; Observer turns a function told of each finished call (call, error,
// duration) into one. Intercept turns an Interceptor into a Middleware;
// adjacent ones share one layer and one Call. A wrapper keeps the Admin and
// io.Closer capabilities of the provider it wraps, and admin calls are
// intercepted too.
//
// The same interceptors instrument any other storage interface: a Stack
// runs an arbitrary function as operation X (Stack.Run), with the same
// records, spans, metrics, retries and faults. Each middleware package
// exports its Interceptor beside its Middleware for this.
//
// The instance a call concerns comes from its arguments (a work item, an
// instance id) or its result (a fetched batch, a dequeued item); for calls
// by lock token, from the context (WithInstance) or else from the fetch or
// dequeue that issued the token through the same chain (the chain remembers
// up to MaxRememberedTokens tokens and forgets each when its lock ends).
//
// # Operations
//
// One Op per Provider and Admin method, and ops for what other storage
// interfaces do and Provider does not. The label is the operation log
// attribute and metric label; the metric is the latency histogram in
// milliseconds; the size key is the log attribute that carries Call.Size;
// lock says what the method does with a lock token: issues a fresh one
// (Op.Polls), presents one and keeps the lock (Op.PresentsToken), or
// presents one and ends the lock (Op.EndsLock). A test keeps this table
// equal to the catalogue in ops.go.
//
//	Op                         label                      method                      metric                                          size key          lock
//	OpFetch                    fetch                      FetchOrchestrationItem      provider_fetch_orchestration_item_duration_ms   messages          issues
//	OpAckOrch                  ack_orch                   AckOrchestrationItem        provider_ack_orchestration_item_duration_ms     events            ends
//	OpAbandonOrch              abandon_orch               AbandonOrchestrationItem    provider_abandon_orch_duration_ms               -                 ends
//	OpRenewOrch                renew_orch                 RenewOrchestrationItemLock  provider_renew_orch_duration_ms                 -                 presents
//	OpEnqueue                  enqueue                    EnqueueOrchestrator         provider_enqueue_orchestrator_duration_ms       -                 -
//	OpEnqueueWorker            enqueue_worker             EnqueueWorker               provider_enqueue_worker_duration_ms             -                 -
//	OpDequeue                  dequeue                    DequeueWorker               provider_dequeue_worker_duration_ms             messages          issues
//	OpAckWorker                ack_worker                 AckWorker                   provider_ack_worker_duration_ms                 -                 ends
//	OpAbandonWorker            abandon_worker             AbandonWorker               provider_abandon_worker_duration_ms             -                 ends
//	OpRenewWorker              renew_worker               RenewWorkerLock             provider_renew_worker_duration_ms               -                 presents
//	OpRenewSessionLock         renew_session_lock         RenewSessionLock            provider_renew_session_lock_duration_ms         sessions_renewed  -
//	OpCleanupOrphanedSessions  cleanup_orphaned_sessions  CleanupOrphanedSessions     provider_cleanup_orphaned_sessions_duration_ms  sessions_cleaned  -
//	OpReadHistory              read_history               ReadHistory                 provider_read_history_duration_ms               events            -
//	OpQueueDepths (admin)      queue_depths               QueueDepths                 provider_queue_depths_duration_ms               items             -
//	OpListInstances (admin)    list_instances             ListInstances               provider_list_instances_duration_ms             instances         -
//	OpInstanceInfo (admin)     instance_info              InstanceInfo                provider_instance_info_duration_ms              instances         -
//	OpRemoveInstance (none)    remove_instance            -                           provider_remove_instance_duration_ms            -                 -
//	OpPrepareQueues (none)     prepare_queues             -                           provider_prepare_queues_duration_ms             -                 -
//
// The five histograms the specification names keep its names (dots mapped
// to underscores); every other operation is provider_<label>_duration_ms.
//
// # Vocabulary
//
// Every log key, span attribute key, metric label name and metric family
// name shared by more than one package is a constant in vocab.go (KeyX,
// SizeX, LabelX, MetricX), defined once; a test fails when a package spells
// one as a literal.
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
//	canceled             no         the caller's context was cancelled
//	deadline_exceeded    no         the caller's deadline passed before the store answered
//	invalid_argument     no         unusable arguments (empty instance id, bad kind)
//	closed               no         the provider was closed
//	unknown              no         anything unclassified
//
// invalid_argument, closed and deadline_exceeded extend the
// specification's list so that bad input, use after Close and a passed
// deadline get a type of their own. A provider builds its own errors with
// LockLostError, ClosedError, InvalidArgumentError and ContextError, and
// checks its arguments with the Validate functions of validate.go, so
// every provider refuses the same input with the same type. ErrorType is
// a small integer with String, numbered densely from 1, so arrays indexed
// by it replace switches (NumErrorTypes slots).
//
// # The caller's cancellation is not a store failure
//
// One rule, OutcomeOf(ctx, err), decides how every observer treats the end
// of an operation; slogprov, metrics, tracing, the OpenTelemetry metrics
// interceptor and goworkflows.Wrap all read it, and their docs point here:
//
//	outcome          when                                           log record                     metrics                                   span
//	OutcomeOK        no error                                       DEBUG                          latency                                   status unset
//	OutcomeCanceled  the caller cancelled ctx (context.Canceled),   DEBUG, error_type=canceled     latency, provider_canceled_total          status unset, error.type=canceled,
//	                 or the error is canceled and ctx has no                                       {operation}; never an infrastructure      no exception event
//	                 passed deadline                                                               error
//	OutcomeFailed    any other error, a passed deadline included    WARN (retryable or             latency, provider_infrastructure_         status Error, error.type, exception
//	                                                                deadline_exceeded) or ERROR    errors_total{operation,error_type}        event
//
// The error type every observer records (error_type, error.type, the
// error counter's label) is ErrorTypeOf(ctx, err): canceled for every
// cancellation, deadline_exceeded for an error the store calls canceled
// once the deadline has passed, TypeOf(err) otherwise.
//
// A worker shutting down cancels its pollers: the calls in flight end with
// OutcomeCanceled, so a graceful shutdown writes no WARN or ERROR record,
// sets no span status and counts no infrastructure error. A passed deadline
// is a failure (TypeDeadlineExceeded): the store may be too slow for its
// caller, which is worth a WARN and a count. The one exception is a poll
// that ends on a deadline of its own, which its caller reads as "no work"
// (go-workflows' pollers do): PollExpired recognises it and a wrapper
// reports it as an empty poll; see OutcomeOf.
package provobs
