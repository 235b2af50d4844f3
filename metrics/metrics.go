package metrics

import (
	"context"
	"fmt"
	"time"

	vm "github.com/VictoriaMetrics/metrics"

	"github.com/provobs/provobs"
)

// Metrics holds the provider metrics of one process or one provider: a
// private *metrics.Set and a handle for every series, created once in New.
// It is safe for concurrent use.
type Metrics struct {
	set *vm.Set

	durations       [provobs.NumOps]*vm.PrometheusHistogram
	errors          [provobs.NumOps][provobs.NumErrorTypes]*vm.Counter
	canceled        [provobs.NumOps]*vm.Counter
	retries         [provobs.NumOps]*vm.Counter
	ackOrchRetries  *vm.Counter
	sessionsRenewed *vm.Counter
	sessionsCleaned *vm.Counter
	orchDepth       *vm.Gauge
	workerDepth     *vm.Gauge
	timerDepth      *vm.Gauge
	pollErrors      *vm.Counter

	families map[string]family // exposition metadata by family name
	mw       provobs.Middleware
	ic       provobs.Interceptor

	unit           float64 // nanoseconds per histogram unit (ms, or s under WithBaseUnits)
	baseUnits      bool
	processMetrics bool
}

// Option configures New.
type Option interface{ apply(*config) }

type config struct {
	buckets        []float64 // nil: the default of the unit
	baseUnits      bool
	processMetrics bool
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// DefaultBuckets returns the default upper bounds, in milliseconds, of the
// latency histograms: 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500,
// 1000, 2500, 5000, 10000 (and the implicit +Inf). The slice is new on each
// call.
func DefaultBuckets() []float64 {
	return []float64{0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000}
}

// WithBuckets sets the upper bounds, in milliseconds (in seconds under
// WithBaseUnits), of every latency histogram's `le` buckets. They must be strictly increasing and not NaN; a
// trailing +Inf is implied and may be omitted. New panics on invalid
// bounds. The slice is copied. (Default: DefaultBuckets(), or
// DefaultSecondsBuckets() under WithBaseUnits)
func WithBuckets(upperBounds ...float64) Option {
	b := append(make([]float64, 0, len(upperBounds)), upperBounds...) // non-nil: nil means the default
	return optionFunc(func(c *config) { c.buckets = b })
}

// New returns a Metrics whose every series exists, at zero, from the start:
// one latency histogram per operation, an error counter per operation and
// error type, the retry and session counters, the queue-depth gauges and
// the poller's error counter. It registers nothing globally; pass Set() to
// metrics.RegisterSet to expose the series with the process's other metrics.
// New panics if WithBuckets was given invalid bounds.
func New(opts ...Option) *Metrics {
	var cfg config
	for _, o := range opts {
		o.apply(&cfg)
	}
	unit, unitName := float64(time.Millisecond), "milliseconds"
	if cfg.baseUnits {
		unit, unitName = float64(time.Second), "seconds"
	}
	if cfg.buckets == nil {
		cfg.buckets = DefaultBuckets()
		if cfg.baseUnits {
			cfg.buckets = DefaultSecondsBuckets()
		}
	}
	if err := vm.ValidateBuckets(cfg.buckets); err != nil {
		panic(fmt.Sprintf("provobs/metrics: invalid histogram buckets %v: %v", cfg.buckets, err))
	}

	s := vm.NewSet()
	m := &Metrics{set: s, families: make(map[string]family), unit: unit, baseUnits: cfg.baseUnits, processMetrics: cfg.processMetrics}
	for _, op := range provobs.Ops() {
		m.durations[op] = s.NewPrometheusHistogramExt(m.HistogramName(op), cfg.buckets)
		m.family(m.HistogramName(op), "histogram", "Latency of "+opTitle(op)+" in "+unitName+", failures included.")
		for _, t := range provobs.ErrorTypes() {
			m.errors[op][t] = s.NewCounter(fmt.Sprintf(`%s{%s=%q,%s=%q}`,
				provobs.MetricInfrastructureErrors, provobs.LabelOperation, op.String(), provobs.LabelErrorType, t.String()))
		}
		m.retries[op] = s.NewCounter(fmt.Sprintf(`%s{%s=%q}`, provobs.MetricRetries, provobs.LabelOperation, op.String()))
		m.canceled[op] = s.NewCounter(fmt.Sprintf(`%s{%s=%q}`, provobs.MetricCanceled, provobs.LabelOperation, op.String()))
	}
	m.ackOrchRetries = s.NewCounter(provobs.MetricAckOrchestrationRetries)
	m.sessionsRenewed = s.NewCounter(provobs.MetricSessionsRenewed)
	m.sessionsCleaned = s.NewCounter(provobs.MetricSessionsCleaned)
	m.orchDepth = s.NewGauge(provobs.MetricOrchestratorQueueDepth, nil)
	m.workerDepth = s.NewGauge(provobs.MetricWorkerQueueDepth, nil)
	m.timerDepth = s.NewGauge(provobs.MetricTimerQueueDepth, nil)
	m.pollErrors = s.NewCounter(provobs.MetricQueueDepthPollErrors)

	m.family(provobs.MetricInfrastructureErrors, "counter", "Failed provider operations by operation and error type.")
	m.family(provobs.MetricCanceled, "counter", "Provider operations the caller cancelled, by operation; not failures.")
	m.family(provobs.MetricRetries, "counter", "Re-invocations of provider operations by the retry middleware.")
	m.family(provobs.MetricAckOrchestrationRetries, "counter", "Re-invocations of AckOrchestrationItem by the retry middleware.")
	m.family(provobs.MetricSessionsRenewed, "counter", "Sessions renewed by RenewSessionLock.")
	m.family(provobs.MetricSessionsCleaned, "counter", "Sessions deleted by CleanupOrphanedSessions.")
	m.family(provobs.MetricOrchestratorQueueDepth, "gauge", "Visible, unlocked orchestrator messages at the last queue-depth poll.")
	m.family(provobs.MetricWorkerQueueDepth, "gauge", "Visible, unlocked worker items at the last queue-depth poll.")
	m.family(provobs.MetricTimerQueueDepth, "gauge", "Timers scheduled in the future at the last queue-depth poll.")
	m.family(provobs.MetricQueueDepthPollErrors, "counter", "Failed queue-depth polls.")

	m.ic = provobs.Observer(m.observe)
	m.mw = provobs.Intercept(m.ic)
	return m
}

// Set returns the *metrics.Set that holds every series. Register it with
// metrics.RegisterSet to expose it through the library's global
// WritePrometheus; the series are then typed only if metrics.ExposeMetadata
// is on, whereas WritePrometheus and Handler always type them.
func (m *Metrics) Set() *vm.Set { return m.set }

// Middleware returns the middleware that records every operation of the
// provider it wraps: its latency (failures included) into the op's
// histogram, its error into the error counter of its op and type (or, when
// the caller cancelled it, provobs.OutcomeOf, into the cancellation counter
// of its op), and the
// session counts of RenewSessionLock and CleanupOrphanedSessions. Recording
// takes a few atomic operations and the op's own histogram mutex, and never
// allocates. The same Middleware is returned on every call.
func (m *Metrics) Middleware() provobs.Middleware { return m.mw }

// Interceptor returns the recording of Middleware as a provobs.Interceptor,
// for a provobs.Stack around another storage interface. The same
// Interceptor is returned on every call.
func (m *Metrics) Interceptor() provobs.Interceptor { return m.ic }

func (m *Metrics) observe(ctx context.Context, c *provobs.Call, err error, elapsed time.Duration) {
	op := c.Op()
	if !op.Valid() {
		return
	}
	m.durations[op].Update(float64(elapsed) / m.unit)
	if err != nil {
		// The root package's rule: the caller's cancellation is not an
		// infrastructure error.
		if t := provobs.ErrorTypeOf(ctx, err); t == provobs.TypeCanceled {
			m.canceled[op].Inc()
		} else {
			m.errors[op][valid(t)].Inc()
		}
		return
	}
	switch op {
	case provobs.OpRenewSessionLock:
		m.sessionsRenewed.Add(c.Size())
	case provobs.OpCleanupOrphanedSessions:
		m.sessionsCleaned.Add(c.Size())
	}
}

// RecordRetry counts one re-invocation of op: provider_retries_total for
// op and, for provobs.OpAckOrch, provider_ack_orchestration_retries_total.
// Invalid ops are ignored.
func (m *Metrics) RecordRetry(op provobs.Op) {
	if !op.Valid() {
		return
	}
	m.retries[op].Inc()
	if op == provobs.OpAckOrch {
		m.ackOrchRetries.Inc()
	}
}

// RetryHook returns a function with the shape of retry.Config.OnRetry that
// calls RecordRetry, so a retry middleware's retries are counted:
//
//	retry.Middleware(retry.Config{OnRetry: m.RetryHook()})
func (m *Metrics) RetryHook() func(ctx context.Context, op provobs.Op, attempt int, err error) {
	return func(_ context.Context, op provobs.Op, _ int, _ error) { m.RecordRetry(op) }
}

// SetQueueDepths sets the three queue-depth gauges; PollQueueDepths calls
// it after each successful poll.
func (m *Metrics) SetQueueDepths(d provobs.QueueDepths) {
	m.orchDepth.Set(float64(d.Orchestrator))
	m.workerDepth.Set(float64(d.Worker))
	m.timerDepth.Set(float64(d.Timer))
}

// valid is t, or unknown for a type outside the defined set (an *Error
// built by hand).
func valid(t provobs.ErrorType) provobs.ErrorType {
	if t.Valid() {
		return t
	}
	return provobs.TypeUnknown
}
