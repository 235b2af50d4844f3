// Package faults is a provider middleware that injects failures: typed
// errors, retryable or permanent, and latency, per operation, at a rate or on
// a schedule. It is shipped (not test-only) so that provider and runtime
// authors can prove, in their own tests, that nothing is lost when a store
// misbehaves.
//
//	in := faults.New(faults.Config{
//		Seed: 42,
//		Rules: []faults.Rule{
//			faults.OnCall(provobs.OpAckOrch, provobs.TypeConflict, 3),     // the 3rd ack fails for good
//			faults.Rate(0.05, provobs.TypeLockTimeout),                   // 5% of every operation
//			faults.Delay(20*time.Millisecond, 0.1, provobs.OpFetch),      // 10% of fetches wait 20ms
//		},
//	})
//	p := provobs.Chain(store, retry.Middleware(retry.Config{}), slogprov.Middleware(logger), m.Middleware(), in.Middleware())
//
// # Rules
//
// A Rule says which calls it applies to (Ops, Match), when it fires (Rate,
// Calls, Max) and what it does when it fires: wait Latency, then fail the
// call with a *provobs.Error of Type (no error when Type is ""). The
// injected error's Retryable is Type.Retryable(): lock_timeout and
// transaction_failed are retryable, every other type is permanent. Its cause
// is a *Fault, so errors.Is(err, faults.ErrInjected) tells an injected
// failure from a real one.
//
// Rules are evaluated in order on every call. Latency-only rules that fire
// add up; the first rule that fires with a Type ends the evaluation and the
// call fails with that rule's error.
//
// # Before and after the operation
//
// By default (Rule.After false) a failing call never reaches the provider,
// so it changed nothing, as the provider contract promises of a failed
// operation. A rule with After set runs the operation first and fires only
// if the operation succeeded: the caller is told it failed although it took
// effect, as when a response is lost. That is how a test simulates a worker
// that dies holding a lock: an After fault on OpDequeue leaves the item
// locked until its lock expires, and it is then redelivered with a higher
// attempt count. A fetch or dequeue failed this way still returns its item
// alongside the error (the Call has no way to drop it); callers must ignore
// results that come with an error, as Go callers do.
//
// # Rates, schedules and determinism
//
// Every call is numbered per operation, from 1, in the order calls reach the
// middleware (whatever the rules say). A rule fires on a call whose number
// is in Calls, or when a draw falls below Rate. The draw is a hash of
// Config.Seed, the rule's index, the operation and the call number, not a
// shared random stream: the n-th call of an operation meets the same fate in
// every run with the same seed, however calls of other operations
// interleave. Concurrent callers of one operation still race for the
// numbers, so which caller gets call n can vary; the number of faults per
// operation for a given number of calls does not.
//
// Max caps how many times a rule fires in the injector's life (0: no cap).
//
// # Counting
//
// An Injector counts every call it sees (Calls), every call it delayed
// (Delayed) and every error it injected, by operation and type (Injected,
// Counts). A test reconciles these with what its observers recorded: placed
// innermost, below a metrics and a logging middleware, each injected error
// is one provider_infrastructure_errors_total increment and one WARN
// (retryable or deadline_exceeded) or ERROR (permanent) record of the same
// operation and type; an injected canceled error is, by the root package's
// rule (provobs.OutcomeOf), one provider_canceled_total increment and one
// DEBUG record instead.
//
// # Placement
//
// Put the injector last in provobs.Chain (innermost), so that every other
// middleware sees injected errors exactly as it would see the provider's:
// the retry middleware retries them, the metrics and logging middlewares
// count and log each attempt. Placed outside a retry middleware it would
// fail calls that the retry never sees.
//
// # Context
//
// Injected latency honours the context: a call whose context ends while it
// waits fails with provobs.ContextError's error wrapping the context's
// error: TypeCanceled when the caller cancelled it, TypeDeadlineExceeded
// when its deadline passed. That error is the caller's doing, not an
// injected fault, and is not counted by Injected; the observers treat it by
// provobs.OutcomeOf (a cancellation is not a failure).
package faults
