package goworkflows

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	vm "github.com/VictoriaMetrics/metrics"
	"github.com/cschleiden/go-workflows/backend"
	"github.com/cschleiden/go-workflows/workflow"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/metrics"
)

// The series PollStats keeps, per queue where go-workflows reports one.
const (
	// MetricPendingWorkflowTasks is the gauge of workflow tasks waiting in
	// a queue (label queue): backend.Stats.PendingWorkflowTasks.
	MetricPendingWorkflowTasks = "workflows_pending_workflow_tasks"
	// MetricPendingActivityTasks is the gauge of activity tasks waiting in
	// a queue (label queue): backend.Stats.PendingActivityTasks.
	MetricPendingActivityTasks = "workflows_pending_activity_tasks"
	// MetricActiveInstances is the gauge of active workflow instances:
	// backend.Stats.ActiveWorkflowInstances.
	MetricActiveInstances = "workflows_active_workflow_instances"
	// MetricStatsPollErrors counts failed GetStats polls.
	MetricStatsPollErrors = "workflows_stats_poll_errors_total"
	// LabelQueue is the label of the per-queue gauges.
	LabelQueue = "queue"
)

// PollStats calls b.GetStats every interval (Default:
// metrics.DefaultPollInterval), the first time at once, until ctx is done,
// and keeps its answer in m's Set:
//
//	workflows_pending_workflow_tasks{queue="default"} 3
//	workflows_pending_activity_tasks{queue="default"} 1
//	workflows_active_workflow_instances 4
//	workflows_stats_poll_errors_total 0
//
// It also sets m's provider_orchestrator_queue_depth and
// provider_worker_queue_depth to the totals over all queues (through
// SetQueueDepths; go-workflows reports no timers, so the timer depth is 0),
// so the dashboards of provobs providers show go-workflows queues. A queue
// that drops out of GetStats's answer reads 0. A failed poll is counted in
// workflows_stats_poll_errors_total, logged at WARN through logger (if not
// nil) and keeps the last values; it never stops the poller. Each poll has
// a timeout of one interval, and at least a second. Pass the wrapped backend to have the polls
// instrumented as queue_depths.
func PollStats(ctx context.Context, b backend.Backend, m *metrics.Metrics, interval time.Duration, logger *slog.Logger) {
	if b == nil || m == nil {
		return
	}
	if interval <= 0 {
		interval = metrics.DefaultPollInterval
	}
	p := &statsPoller{set: m.Set(), m: m, seen: map[string]bool{}}
	p.errors = p.set.GetOrCreateCounter(MetricStatsPollErrors)
	p.active = p.set.GetOrCreateGauge(MetricActiveInstances, nil)
	t := time.NewTicker(interval)
	defer t.Stop()
	timeout := max(interval, minPollTimeout)
	for {
		p.poll(ctx, b, timeout, logger)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// minPollTimeout is the shortest timeout of a GetStats poll.
const minPollTimeout = time.Second

type statsPoller struct {
	set    *vm.Set
	m      *metrics.Metrics
	errors *vm.Counter
	active *vm.Gauge

	mu   sync.Mutex
	seen map[string]bool // series set by an earlier poll
}

func (p *statsPoller) poll(ctx context.Context, b backend.Backend, timeout time.Duration, logger *slog.Logger) {
	pctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	stats, err := b.GetStats(pctx)
	if err != nil || stats == nil {
		if ctx.Err() != nil {
			return // stopping
		}
		p.errors.Inc()
		if logger != nil {
			logger.WarnContext(ctx, "go-workflows GetStats poll failed",
				slog.String(provobs.KeyErrorType, errorType(err).String()), slog.Any(provobs.KeyError, err))
		}
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := map[string]bool{}
	var wf, act int64
	set := func(family string, q workflow.Queue, v int64) {
		name := queueSeries(family, q)
		now[name] = true
		p.set.GetOrCreateGauge(name, nil).Set(float64(v))
	}
	for q, v := range stats.PendingWorkflowTasks {
		set(MetricPendingWorkflowTasks, q, v)
		wf += v
	}
	for q, v := range stats.PendingActivityTasks {
		set(MetricPendingActivityTasks, q, v)
		act += v
	}
	for name := range p.seen {
		if !now[name] {
			p.set.GetOrCreateGauge(name, nil).Set(0)
		}
	}
	for name := range now {
		p.seen[name] = true
	}
	p.active.Set(float64(stats.ActiveWorkflowInstances))
	p.m.SetQueueDepths(provobs.QueueDepths{Orchestrator: wf, Worker: act})
}

func queueSeries(family string, q workflow.Queue) string {
	var b strings.Builder
	b.WriteString(family)
	b.WriteByte('{')
	b.WriteString(LabelQueue)
	b.WriteString(`="`)
	writeLabelValue(&b, string(q))
	b.WriteString(`"}`)
	return b.String()
}
