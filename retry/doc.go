// Package retry is a provider middleware that re-invokes operations that
// failed with a retryable error (provobs.IsRetryable: transaction_failed,
// lock_timeout), with capped exponential backoff and jitter.
//
//	p := provobs.Chain(store, m.Middleware(), retry.Middleware(retry.Config{OnRetry: m.RetryHook()}))
//
// # What is retried
//
// Only the operations in Config.Ops (Default: ack_orch and ack_worker), and
// only while the last error is retryable: a permanent error (lock_lost,
// conflict, canceled, ...) or a plain error is returned at once. The
// contract makes these retries safe: a failed ack changes nothing and keeps
// its lock, and a fetch or dequeue that failed took no lock, so fetch and
// dequeue may be added to Ops too. Other operations pass through untouched.
//
// # Backoff
//
// Before retry n (n = 1 for the second attempt) the middleware waits
// d/2 + rand[0, d/2] where d = min(MaxDelay, BaseDelay·2^(n-1)): "equal
// jitter", which spreads competing callers like full jitter does but always
// waits at least half the backoff, so a busy store is never hammered with
// immediate retries. With the defaults (BaseDelay 10ms, MaxDelay 1s,
// MaxAttempts 4) the three retries wait 5–10ms, 10–20ms and 20–40ms.
//
// # Context
//
// The wait ends when ctx is done. The call then fails with a *provobs.Error
// of type canceled, or deadline_exceeded when ctx's deadline passed
// (provobs.ContextError; neither retryable), that wraps both ctx.Err() and
// the last attempt's error, so errors.Is sees context.Canceled (or
// context.DeadlineExceeded) and the provider error alike. The observers
// treat it by provobs.OutcomeOf: a cancellation is not a store failure. If ctx has a
// deadline that would pass before the next attempt could start, the
// middleware does not wait: it returns the last attempt's error at once.
//
// # Reporting
//
// Config.OnRetry is called once per re-invocation, after the wait and just
// before the attempt, with the number of the attempt about to run (2, 3,
// ...) and the error that caused it; a call that succeeds after two
// failures reports two retries. The metrics package's (*Metrics).RetryHook
// has that shape and counts provider_ack_orchestration_retries_total; this
// package does not import it.
//
// # Placement
//
// A metrics or logging middleware outside retry sees one call per caller
// call (its duration includes the waits, its error is the final one);
// placed inside retry it sees every attempt.
//
// After the final failure of an orchestration ack the caller still holds
// the lock and should abandon the item (AbandonOrchestrationItem).
package retry
