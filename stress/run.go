package stress

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/internal/clock"
)

// Run drives p with the workload of cfg until it has launched and drained
// it, or ctx is cancelled, and reports what it measured. It returns an error
// only when the run could not be carried out (a provider that fails every
// launch, an invalid config); orchestration failures are counted in the
// Result.
func Run(ctx context.Context, p provobs.Provider, cfg Config) (Result, error) {
	if p == nil {
		return Result{}, errors.New("stress: nil provider")
	}
	r := &runner{
		p:        p,
		cfg:      cfg.withDefaults(),
		inflight: map[string]time.Time{},
		failed:   map[string]int64{},
		slots:    make(chan struct{}, cfg.withDefaults().MaxConcurrent),
	}
	if r.cfg.Resume {
		return r.resume(ctx)
	}
	return r.run(ctx)
}

type runner struct {
	p   provobs.Provider
	cfg Config

	slots chan struct{} // one token per orchestration in flight

	mu        sync.Mutex
	inflight  map[string]time.Time // instance -> start
	latencies []time.Duration
	failed    map[string]int64

	launched, completed, failures atomic.Int64
	activities, abandons, lost    atomic.Int64
	errs                          atomic.Int64
	working                       atomic.Int64 // nanoseconds spent in activities
	draining, stopping            atomic.Bool
}

// running reports whether dispatchers should poll again.
func (r *runner) running(ctx context.Context) bool {
	return ctx.Err() == nil && !r.stopping.Load()
}

func (r *runner) run(ctx context.Context) (Result, error) {
	start := time.Now()
	// Dispatchers stop between polls once the run is over, so no call is cut
	// short; only the caller's ctx cancels calls in flight.
	var wg sync.WaitGroup
	for range r.cfg.OrchestrationDispatchers {
		wg.Go(func() { r.orchestrationLoop(ctx) })
	}
	for range r.cfg.WorkerDispatchers {
		wg.Go(func() { r.workerLoop(ctx) })
	}
	progressCtx, stopProgress := context.WithCancel(ctx)
	defer stopProgress()
	if r.cfg.Progress != nil {
		wg.Go(func() { r.progressLoop(progressCtx, start) })
	}

	launchErr := r.pump(ctx)
	r.draining.Store(true)
	cause := r.drain(ctx)
	r.stopping.Store(true)
	stopProgress()
	wg.Wait()

	r.mu.Lock()
	for id := range r.inflight {
		r.failed[cause]++
		r.failures.Add(1)
		delete(r.inflight, id)
	}
	res := Result{
		Launched:      r.launched.Load(),
		Completed:     r.completed.Load(),
		Failed:        r.failures.Load(),
		FailedByCause: r.failed,
		Activities:    r.activities.Load(),
		Elapsed:       time.Since(start),
		Latency:       summarize(r.latencies),
		Abandons:      r.abandons.Load(),
		LocksLost:     r.lost.Load(),
		Errors:        r.errs.Load(),
		ActivityTime:  time.Duration(r.working.Load()),
	}
	r.mu.Unlock()
	if secs := res.Elapsed.Seconds(); secs > 0 {
		res.OrchestrationsPerSec = float64(res.Completed) / secs
		res.ActivitiesPerSec = float64(res.Activities) / secs
		res.WorkerUtilization = res.ActivityTime.Seconds() / (secs * float64(r.cfg.WorkerDispatchers))
	}
	return res, launchErr
}

// pump launches orchestrations, keeping MaxConcurrent in flight, until the
// duration passes or Instances have been launched.
func (r *runner) pump(ctx context.Context) error {
	deadline := time.Now().Add(r.cfg.Duration)
	var consecutiveFailures int
	for i := 0; ; i++ {
		if r.cfg.Instances > 0 && i >= r.cfg.Instances {
			return nil
		}
		if r.cfg.Instances <= 0 && !time.Now().Before(deadline) {
			return nil
		}
		select {
		case r.slots <- struct{}{}:
		case <-ctx.Done():
			return nil
		}
		id := r.cfg.InstancePrefix + strconv.Itoa(i)
		r.mu.Lock()
		r.inflight[id] = time.Now()
		r.mu.Unlock()
		err := r.p.EnqueueOrchestrator(ctx, provobs.WorkItem{Kind: provobs.KindStartOrchestration, InstanceID: id}, 0)
		if err != nil {
			r.errs.Add(1)
			r.mu.Lock()
			delete(r.inflight, id)
			r.mu.Unlock()
			<-r.slots
			if ctx.Err() != nil {
				return nil
			}
			consecutiveFailures++
			if consecutiveFailures >= 100 && !provobs.IsRetryable(err) {
				return err
			}
			i-- // launch the same id again
			_ = clock.Sleep(ctx, r.cfg.AbandonDelay)
			continue
		}
		consecutiveFailures = 0
		r.launched.Add(1)
	}
}

// drain waits until every launched orchestration finished; it returns the
// cause to charge to those that did not.
func (r *runner) drain(ctx context.Context) string {
	timer := time.NewTimer(r.cfg.DrainTimeout)
	defer timer.Stop()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		r.mu.Lock()
		n := len(r.inflight)
		r.mu.Unlock()
		if n == 0 {
			return ""
		}
		select {
		case <-ctx.Done():
			return CauseCanceled
		case <-timer.C:
			return CauseTimeout
		case <-tick.C:
		}
	}
}

// finish records the end of an orchestration.
func (r *runner) finish(id, failure string) {
	r.mu.Lock()
	startedAt, ok := r.inflight[id]
	if ok {
		delete(r.inflight, id)
		if failure == "" {
			r.latencies = append(r.latencies, time.Since(startedAt))
		} else {
			r.failed[failure]++
		}
	}
	r.mu.Unlock()
	if !ok {
		if r.cfg.Resume {
			r.finishResumed(failure)
		}
		return // not launched by this run, or already counted
	}
	if failure == "" {
		r.completed.Add(1)
	} else {
		r.failures.Add(1)
	}
	<-r.slots
}

// orchestrationLoop is one orchestration dispatcher: it decides and acks
// one batch while the next is being fetched.
func (r *runner) orchestrationLoop(ctx context.Context) {
	opts := provobs.FetchOptions{LockTimeout: r.cfg.LockTimeout, PollTimeout: r.cfg.PollTimeout}
	for item := range prefetch(ctx, r, provobs.OpFetch, func(ctx context.Context) (*provobs.OrchestrationItem, error) {
		return r.p.FetchOrchestrationItem(ctx, opts)
	}) {
		t := r.decide(item)
		ictx := provobs.WithInstance(ctx, item.InstanceID)
		if err := r.p.AckOrchestrationItem(ictx, item.LockToken, t.ack); err != nil {
			r.providerError(ictx, provobs.OpAckOrch, item.InstanceID, err)
			if provobs.TypeOf(err) != provobs.TypeLockLost && ctx.Err() == nil {
				r.abandons.Add(1)
				if err := r.p.AbandonOrchestrationItem(ictx, item.LockToken, provobs.AbandonOptions{Delay: r.cfg.AbandonDelay}); err != nil {
					r.providerError(ictx, provobs.OpAbandonOrch, item.InstanceID, err)
				}
			}
			continue
		}
		if t.done {
			if t.failure != "" && r.cfg.Logger != nil {
				r.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "stress: orchestration failed",
					slog.String(provobs.KeyInstanceID, item.InstanceID), slog.String("cause", t.failure),
					slog.Int("attempt", item.AttemptCount))
			}
			r.finish(item.InstanceID, t.failure)
		}
	}
}

// workerLoop is one worker dispatcher, run as a runtime's would be: an
// executor runs one activity at a time, a fetcher dequeues the next item
// while the current one runs, and each ack runs in the background so the
// executor moves on at once. Activities still run one at a time per
// dispatcher; only the provider's I/O overlaps them.
func (r *runner) workerLoop(ctx context.Context) {
	opts := provobs.FetchOptions{LockTimeout: r.cfg.LockTimeout, PollTimeout: r.cfg.PollTimeout}
	var acks sync.WaitGroup
	for w := range prefetch(ctx, r, provobs.OpDequeue, func(ctx context.Context) (*provobs.WorkerItem, error) {
		return r.p.DequeueWorker(ctx, opts, nil)
	}) {
		ictx := provobs.WithInstance(ctx, w.Item.InstanceID)
		completion := &provobs.WorkItem{
			Kind:          provobs.KindActivityCompleted,
			InstanceID:    w.Item.InstanceID,
			ExecutionID:   w.Item.ExecutionID,
			CorrelationID: w.Item.CorrelationID,
		}
		if w.AttemptCount > r.cfg.MaxAttempts {
			completion.Kind = provobs.KindActivityFailed
			completion.Payload = []byte(CausePoison)
		} else if !r.work(ictx, w) {
			continue
		}
		acks.Go(func() { r.ackActivity(ictx, w, completion) })
	}
	acks.Wait()
}

// prefetch polls fetch into the returned channel until the run stops, then
// closes it, so a dispatcher works on one item while the next is fetched.
// An item fetched when ctx ends is dropped: its lock expires and it is
// redelivered.
func prefetch[T any](ctx context.Context, r *runner, op provobs.Op, fetch func(context.Context) (*T, error)) <-chan *T {
	items := make(chan *T)
	go func() {
		defer close(items)
		for r.running(ctx) {
			item, err := fetch(ctx)
			if err != nil {
				r.providerError(ctx, op, "", err)
				continue
			}
			if item == nil {
				continue
			}
			select {
			case items <- item:
			case <-ctx.Done():
				return
			}
		}
	}()
	return items
}

// ackActivity acks an activity's completion, abandoning the item when the
// ack failed for another reason than a lost lock.
func (r *runner) ackActivity(ctx context.Context, w *provobs.WorkerItem, completion *provobs.WorkItem) {
	if err := r.p.AckWorker(ctx, w.LockToken, completion); err != nil {
		r.providerError(ctx, provobs.OpAckWorker, w.Item.InstanceID, err)
		if provobs.TypeOf(err) != provobs.TypeLockLost && ctx.Err() == nil {
			r.abandons.Add(1)
			if err := r.p.AbandonWorker(ctx, w.LockToken, provobs.AbandonOptions{Delay: r.cfg.AbandonDelay}); err != nil {
				r.providerError(ctx, provobs.OpAbandonWorker, w.Item.InstanceID, err)
			}
		}
		return
	}
	if completion.Kind == provobs.KindActivityCompleted {
		r.activities.Add(1)
	}
}

// work sleeps ActivityDelay, renewing the lock every third of LockTimeout.
// It reports false when the lock was lost or ctx ended: the item must not be
// acked.
func (r *runner) work(ctx context.Context, w *provobs.WorkerItem) bool {
	if r.cfg.ActivityDelay <= 0 {
		return true
	}
	began := time.Now()
	defer func() { r.working.Add(int64(time.Since(began))) }()
	done := time.NewTimer(r.cfg.ActivityDelay)
	defer done.Stop()
	var renew <-chan time.Time
	if r.cfg.ActivityDelay > r.cfg.LockTimeout/2 {
		t := time.NewTicker(r.cfg.LockTimeout / 3)
		defer t.Stop()
		renew = t.C
	}
	for {
		select {
		case <-done.C:
			return true
		case <-ctx.Done():
			return false
		case <-renew:
			if err := r.p.RenewWorkerLock(ctx, w.LockToken, r.cfg.LockTimeout); err != nil {
				r.providerError(ctx, provobs.OpRenewWorker, w.Item.InstanceID, err)
				if provobs.TypeOf(err) == provobs.TypeLockLost {
					return false
				}
			}
		}
	}
}

// providerError counts a provider error and backs off briefly so a failing
// store is not hammered.
func (r *runner) providerError(ctx context.Context, op provobs.Op, instance string, err error) {
	if ctx.Err() != nil {
		return
	}
	r.errs.Add(1)
	if provobs.TypeOf(err) == provobs.TypeLockLost {
		r.lost.Add(1)
	}
	if r.cfg.Logger != nil {
		r.cfg.Logger.LogAttrs(ctx, slog.LevelDebug, "stress: provider error",
			slog.String(provobs.KeyOperation, op.String()), slog.String(provobs.KeyInstanceID, instance),
			slog.String(provobs.KeyErrorType, provobs.TypeOf(err).String()))
	}
	if op.Polls() {
		_ = clock.Sleep(ctx, r.cfg.AbandonDelay)
	}
}

func (r *runner) progressLoop(ctx context.Context, start time.Time) {
	t := time.NewTicker(r.cfg.ProgressInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			r.cfg.Progress(r.snapshot(start))
		}
	}
}

func (r *runner) snapshot(start time.Time) Progress {
	r.mu.Lock()
	n := len(r.inflight)
	r.mu.Unlock()
	return Progress{
		Elapsed:    time.Since(start),
		Launched:   r.launched.Load(),
		Completed:  r.completed.Load(),
		Failed:     r.failures.Load(),
		InFlight:   int64(n),
		Activities: r.activities.Load(),
		Draining:   r.draining.Load(),
	}
}
