// Package stress drives a provobs.Provider the way a durable runtime would
// and measures it.
//
// Run starts an orchestration dispatcher pool (fetch a batch, decide the
// turn from history and messages, ack) and a worker dispatcher pool
// (dequeue an activity, work ActivityDelay, ack its completion), and a pump
// that keeps MaxConcurrent fan-out/fan-in orchestrations in flight for
// Duration (or until Instances have been launched), then drains. Each
// orchestration schedules TasksPerInstance activities in its first turn and
// completes when all of them have completed.
//
// The harness behaves like a careful runtime: it renews worker locks while an
// activity outlasts half its lock, abandons (with AbandonDelay) a batch or an
// item whose ack failed for any reason but a lost lock, names the instance of
// every call by token with provobs.WithInstance, and fails an orchestration
// whose batch or activity was delivered more than MaxAttempts times (cause
// "poison") instead of retrying it forever.
//
// An orchestration turn for an instance that already completed or failed
// (a late activity result after a poisoned one) only consumes its messages,
// so the end of an orchestration is recorded once.
//
// # Resume
//
// With Config.Resume the pump launches nothing: the run drives the work
// already in the store, as a runtime restarted after a crash would, until
// every instance is terminal and every queue is empty (read through
// provobs.Admin), bounded by DrainTimeout. Work locked by a process that
// died comes back when its lock expires, so a resumed run never ends before
// LockTimeout has passed. Its Result counts the orchestrations it finished;
// Launched is 0 and Latency is empty, since their start times belong to the
// process that launched them. Instances still running when DrainTimeout
// passes are counted as failed with cause "timeout".
//
// # Result
//
// Launched, Completed and Failed (by cause) orchestrations, activities
// completed, throughput per second over the whole run, and the real
// per-instance latency, from the enqueue of the start message to the commit of
// the completing ack, as nearest-rank percentiles p50/p95/p99 and max — not
// total time divided by count.
//
// Defaults (Config) match the reference stress test of the field: 20
// concurrent, 10 s, 5 activities of 10 ms each, 2 orchestration and 2 worker
// dispatchers. With them, the workers bound throughput at 2 workers × 100
// activities/s ÷ 5 = 40 orchestrations/s.
package stress
