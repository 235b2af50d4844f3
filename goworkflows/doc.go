// Package goworkflows makes any go-workflows backend
// (github.com/cschleiden/go-workflows, v1.4.2) observable with the provobs
// interceptors: Wrap decorates a backend.Backend so that every storage call
// writes one slogprov record, one tracing span, one latency observation and,
// on failure, one error count, and can be retried (retry) or made to fail
// (faults) like a provobs provider.
//
//	m := metrics.New()
//	b := goworkflows.Wrap(sqlite.NewSqliteBackend("wf.db"),
//		tracing.Interceptor(tp),
//		retry.Interceptor(retry.Config{OnRetry: m.RetryHook()}),
//		slogprov.Interceptor(logger, slogprov.WithEmptyPollSampling(100)),
//		m.Interceptor(),
//	)
//	w := worker.New(b, nil)
//	c := client.New(b)
//
// The order of the interceptors is provobs.Chain's: the first is outermost.
// Put tracing first so that records carry the call's trace_id and span_id,
// and a faults injector last so that every other interceptor sees its
// errors as the backend's.
//
// # Operations
//
// Each call reports under the provobs operation whose job it does, so the
// dashboards and alerts of provobs providers serve go-workflows backends; the
// go-workflows method is the method attribute (provobs.KeyMethod) of each
// record and the db.operation.name of each span.
//
//	go-workflows method            operation        instance_id               size
//	GetWorkflowTask                fetch            the task's                new events (≥ 1); 0 = empty poll
//	CompleteWorkflowTask           ack_orch         the task's                executed events
//	ExtendWorkflowTask             renew_orch       the task's                -
//	GetActivityTask                dequeue          the task's                1; 0 = empty poll
//	CompleteActivityTask           ack_worker       the task's                -
//	ExtendActivityTask             renew_worker     the task's                -
//	CreateWorkflowInstance         enqueue          the argument's            -
//	SignalWorkflow                 enqueue          the argument              -
//	CancelWorkflowInstance         enqueue          the argument's            -
//	GetWorkflowInstanceHistory     read_history     the argument's            events returned
//	GetWorkflowInstanceState       instance_info    the argument's            1
//	GetStats                       queue_depths     -                         pending tasks, all queues
//	RemoveWorkflowInstance         remove_instance  the argument's            -
//	RemoveWorkflowInstances        remove_instance  -                         -
//	PrepareWorkflowQueues          prepare_queues   -                         -
//	PrepareActivityQueues          prepare_queues   -                         -
//	GetWorkflowInstance (diag)     instance_info    the argument's            1
//	GetWorkflowInstances (diag)    list_instances   -                         instances returned
//	GetWorkflowTree (diag)         instance_info    the argument's            1
//
// Options, Tracer, Metrics, Close and FeatureSupported are forwarded
// untouched, as is GetFutureEvents (FutureEventer), the hook of go-workflows'
// backend/test suites. A wrapper implements diag.Backend and FutureEventer
// exactly when the wrapped backend does.
//
// Empty polls: go-workflows' worker polls GetWorkflowTask and GetActivityTask
// in a loop (2+2 pollers by default), and an empty poll is a fetch or
// dequeue of size 0, which slogprov suppresses or samples
// (slogprov.WithEmptyPollSampling) and metrics still times. A task found is
// never an empty poll: a workflow task with no new events (the Redis
// backend can return one) has size 1. The worker gives each poll a 30 s
// deadline of its own and reads its expiry as "no task"; a poll that ends
// that way (provobs.PollExpired) is an empty poll too, not a
// deadline_exceeded failure, and the caller still gets the backend's
// error.
//
// # Shutdown and cancellation
//
// Stopping a worker cancels its pollers' context. The calls then in flight
// end with the caller's cancellation, which the root package's rule
// (provobs.OutcomeOf; see "The caller's cancellation is not a store
// failure" there) keeps out of the failures: a DEBUG record with
// error_type=canceled, a span with status unset, a count in
// provider_canceled_total and none in provider_infrastructure_errors_total.
// A graceful shutdown writes no WARN or ERROR record. A passed deadline of
// the caller's (other than a poll's own) is deadline_exceeded, a failure.
//
// # Spans
//
// Wrap describes the backend (Describe: db.system.name sqlite, postgresql,
// mysql or redis by the backend's type, other_sql for an unknown one) and
// binds the interceptors to it (provobs.Stack.ForStore), so tracing's spans
// follow OpenTelemetry's database conventions, with the go-workflows method
// as db.operation.name: "GetWorkflowTask test" on a PostgreSQL database
// named test, "CompleteActivityTask" on in-memory SQLite. The attribute
// table is the tracing package's. A wrapper is a provobs.Describer that
// answers for the backend it wraps.
//
// # Errors
//
// The interceptors see every error as a *provobs.Error typed as below (first
// match wins); the caller gets the error the backend returned, unchanged, so
// go-workflows' own errors.Is checks keep working.
//
//	error                                                     type
//	context.Canceled                                          canceled
//	context.DeadlineExceeded                                  deadline_exceeded
//	backend.ErrInstanceAlreadyExists, ErrInstanceNotFinished  conflict
//	backend.ErrInstanceNotFound, backend.ErrNotSupported      invalid_argument
//	SQLite (modernc.org/sqlite) BUSY, LOCKED                  lock_timeout (retryable)
//	SQLite CONSTRAINT                                         conflict
//	SQLite INTERRUPT                                          canceled
//	SQLite IOERR, FULL, NOMEM, PROTOCOL                       transaction_failed (retryable)
//	PostgreSQL SQLSTATE 40001, 40P01, 08xxx, 57P0x            transaction_failed (retryable)
//	PostgreSQL SQLSTATE 55P03                                 lock_timeout (retryable)
//	PostgreSQL SQLSTATE 23xxx                                 conflict
//	PostgreSQL SQLSTATE 22xxx                                 invalid_argument
//	PostgreSQL SQLSTATE 57014                                 canceled
//	encoding/json errors                                      serialization_error
//	sql.ErrConnDone                                           transaction_failed (retryable)
//	a task's lock is gone (see below)                         lock_lost
//	an *provobs.Error in the chain                            its type
//	anything else                                             unknown
//
// The observers record provobs.ErrorTypeOf of that error: any error of a
// call whose caller cancelled its context is canceled (not a failure), and
// a canceled one (SQLite INTERRUPT, SQLSTATE 57014) once the caller's
// deadline has passed is deadline_exceeded.
//
// The driver errors are matched by errors.As on their methods (Code for
// modernc.org/sqlite's *Error, SQLState for pgx's *pgconn.PgError and lib/pq),
// so this package links no database driver. go-workflows' SQL backends
// report a lost task lock (a complete or extend that found no row locked by
// this worker) only as errors.New text ("could not extend workflow task",
// ...); those few messages are the one place this package compares error
// text. Redis and MySQL driver errors are unknown.
//
// # go-workflows' own metrics
//
// MetricsClient is a go-workflows metrics.Client that writes the engine's
// workflows.* counters, gauges and distributions into a VictoriaMetrics
// *metrics.Set (the Set of a provobs metrics.Metrics, so one /metrics serves
// both), and PollStats turns GetStats into per-queue depth gauges.
package goworkflows
