package stress

import (
	"slices"
	"time"
)

// Failure causes, the keys of Result.FailedByCause.
const (
	// CausePoison: a batch or an activity passed Config.MaxAttempts.
	CausePoison = "poison"
	// CauseTimeout: still running when the drain timed out.
	CauseTimeout = "timeout"
	// CauseCanceled: still running when the run's context was cancelled.
	CauseCanceled = "canceled" // vocab:ignore (a cause, not an error type)
)

// Result is what a run measured.
type Result struct {
	// Launched counts orchestrations started.
	Launched int64
	// Completed counts orchestrations that completed.
	Completed int64
	// Failed counts orchestrations that failed, by cause in FailedByCause.
	Failed        int64
	FailedByCause map[string]int64
	// Activities counts activity completions acked.
	Activities int64
	// Elapsed is the wall time of the run, launch and drain.
	Elapsed time.Duration
	// OrchestrationsPerSec is Completed / Elapsed.
	OrchestrationsPerSec float64
	// ActivitiesPerSec is Activities / Elapsed.
	ActivitiesPerSec float64
	// Latency is the start-to-complete time of each completed orchestration.
	Latency Latency
	// Abandons counts orchestration and worker items the harness abandoned
	// after a failed ack.
	Abandons int64
	// LocksLost counts acks and renewals that found their lock lost.
	LocksLost int64
	// Errors counts provider errors the harness saw, any operation.
	Errors int64
	// ActivityTime is the wall time the worker dispatchers spent inside
	// activities (each at least ActivityDelay; more when the timer is late).
	ActivityTime time.Duration
	// WorkerUtilization is ActivityTime / (WorkerDispatchers × Elapsed): the
	// share of the workers' time spent working, 1 when no worker ever
	// waited for the provider or for work. With ActivityDelay 0 it is 0.
	WorkerUtilization float64
}

// Latency summarises per-instance start-to-complete times, measured from
// the enqueue of the start message to the commit of the completing ack.
type Latency struct {
	Count              int
	P50, P95, P99, Max time.Duration
	Mean               time.Duration
}

// Progress is a snapshot of a running workload.
type Progress struct {
	Elapsed    time.Duration
	Launched   int64
	Completed  int64
	Failed     int64
	InFlight   int64
	Activities int64
	// Draining is true once the pump stopped launching.
	Draining bool
}

// summarize computes the latency percentiles (nearest rank) of samples; it
// sorts samples in place.
func summarize(samples []time.Duration) Latency {
	if len(samples) == 0 {
		return Latency{}
	}
	slices.Sort(samples)
	var sum time.Duration
	for _, s := range samples {
		sum += s
	}
	rank := func(p float64) time.Duration {
		i := int(p*float64(len(samples))+0.999999) - 1
		return samples[max(0, min(i, len(samples)-1))]
	}
	return Latency{
		Count: len(samples),
		P50:   rank(0.50),
		P95:   rank(0.95),
		P99:   rank(0.99),
		Max:   samples[len(samples)-1],
		Mean:  sum / time.Duration(len(samples)),
	}
}
