package stress

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/provobs/provobs"
)

// Resume mode (Config.Resume): drive what another process left in the store
// until nothing is left.
//
// "Nothing is left" is read from the store through provobs.Admin: every
// queue depth is zero and every instance is terminal. Two kinds of work hide
// from those reads. Work locked by this process's own dispatchers is not
// counted by QueueDepths while they hold it, so the dispatchers are stopped
// (they finish what they hold) and the store is read again before the run
// ends; if work appeared, they start again. Work locked by a dead process is
// hidden until its lock expires, so the run never ends before LockTimeout
// has passed since it started.

// listPage is the page size of the terminal-instance check.
const listPage = 1000

func (r *runner) resume(ctx context.Context) (Result, error) {
	admin, ok := r.p.(provobs.Admin)
	if !ok {
		return Result{}, errors.New("stress: Resume needs a provider that implements provobs.Admin")
	}
	start := time.Now()
	deadline := start.Add(r.cfg.DrainTimeout)
	r.draining.Store(true)

	progressCtx, stopProgress := context.WithCancel(ctx)
	defer stopProgress()
	var progress sync.WaitGroup
	if r.cfg.Progress != nil {
		progress.Go(func() { r.progressLoop(progressCtx, start) })
	}

	cause := ""
	for {
		r.stopping.Store(false)
		var wg sync.WaitGroup
		for range r.cfg.OrchestrationDispatchers {
			wg.Go(func() { r.orchestrationLoop(ctx) })
		}
		for range r.cfg.WorkerDispatchers {
			wg.Go(func() { r.workerLoop(ctx) })
		}
		cause = r.waitIdle(ctx, admin, start, deadline)
		r.stopping.Store(true)
		wg.Wait()
		if cause != "" {
			break
		}
		if idle, _ := r.storeIdle(ctx, admin, start); idle {
			break // idle with no dispatcher holding anything: done
		}
	}
	stopProgress()
	progress.Wait()

	if cause != "" {
		// Charge the instances still running to the cause; start messages
		// that never got an instance row are not counted here.
		n, _ := r.countRunning(context.WithoutCancel(ctx), admin)
		r.mu.Lock()
		if n > 0 {
			r.failed[cause] += n
		}
		r.mu.Unlock()
		r.failures.Add(n)
	}

	r.mu.Lock()
	res := Result{
		Completed:     r.completed.Load(),
		Failed:        r.failures.Load(),
		FailedByCause: r.failed,
		Activities:    r.activities.Load(),
		Elapsed:       time.Since(start),
		Abandons:      r.abandons.Load(),
		LocksLost:     r.lost.Load(),
		Errors:        r.errs.Load(),
	}
	r.mu.Unlock()
	if secs := res.Elapsed.Seconds(); secs > 0 {
		res.OrchestrationsPerSec = float64(res.Completed) / secs
		res.ActivitiesPerSec = float64(res.Activities) / secs
	}
	return res, nil
}

// waitIdle polls the store every PollTimeout until it looks idle (""),
// the deadline passes (CauseTimeout) or ctx ends (CauseCanceled).
func (r *runner) waitIdle(ctx context.Context, admin provobs.Admin, start, deadline time.Time) string {
	tick := time.NewTicker(r.cfg.PollTimeout)
	defer tick.Stop()
	for {
		if idle, _ := r.storeIdle(ctx, admin, start); idle {
			return ""
		}
		select {
		case <-ctx.Done():
			return CauseCanceled
		case <-tick.C:
		}
		if !time.Now().Before(deadline) {
			return CauseTimeout
		}
	}
}

// storeIdle reports whether LockTimeout has passed since start, every queue
// depth is zero and every instance is terminal. A failed read is not idle.
func (r *runner) storeIdle(ctx context.Context, admin provobs.Admin, start time.Time) (bool, error) {
	if time.Since(start) < r.cfg.LockTimeout {
		return false, nil
	}
	d, err := admin.QueueDepths(ctx)
	if err != nil || d != (provobs.QueueDepths{}) {
		return false, err
	}
	n, err := r.countRunning(ctx, admin)
	return err == nil && n == 0, err
}

// countRunning counts the instances that are not terminal.
func (r *runner) countRunning(ctx context.Context, admin provobs.Admin) (int64, error) {
	var n int64
	after := ""
	for {
		page, err := admin.ListInstances(ctx, provobs.ListOptions{After: after, Limit: listPage})
		if err != nil {
			return n, err
		}
		for _, info := range page {
			if !info.Status.Terminal() {
				n++
			}
		}
		if len(page) < listPage {
			return n, nil
		}
		after = page[len(page)-1].InstanceID
	}
}

// finishResumed counts the end of an orchestration this run did not launch.
func (r *runner) finishResumed(failure string) {
	if failure == "" {
		r.completed.Add(1)
		return
	}
	r.mu.Lock()
	r.failed[failure]++
	r.mu.Unlock()
	r.failures.Add(1)
}
