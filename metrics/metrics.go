package metrics

import (
	"context"
	"errors"
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
	errors          [provobs.NumOps][numErrorTypes]*vm.Counter
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
		m.family(m.HistogramName(op), "histogram", "Latency of "+op.Method()+" in "+unitName+", failures included.")
		for _, t := range provobs.ErrorTypes() {
			m.errors[op][errorTypeIndex(t)] = s.NewCounter(fmt.Sprintf(`%s{%s=%q,%s=%q}`,
				NameInfrastructureErrors, LabelOperation, op.String(), LabelErrorType, string(t)))
		}
		m.retries[op] = s.NewCounter(fmt.Sprintf(`%s{%s=%q}`, NameRetries, LabelOperation, op.String()))
	}
	m.ackOrchRetries = s.NewCounter(NameAckOrchestrationRetries)
	m.sessionsRenewed = s.NewCounter(NameSessionsRenewed)
	m.sessionsCleaned = s.NewCounter(NameSessionsCleaned)
	m.orchDepth = s.NewGauge(NameOrchestratorQueueDepth, nil)
	m.workerDepth = s.NewGauge(NameWorkerQueueDepth, nil)
	m.timerDepth = s.NewGauge(NameTimerQueueDepth, nil)
	m.pollErrors = s.NewCounter(NameQueueDepthPollErrors)

	m.family(NameInfrastructureErrors, "counter", "Failed provider operations by operation and error type.")
	m.family(NameRetries, "counter", "Re-invocations of provider operations by the retry middleware.")
	m.family(NameAckOrchestrationRetries, "counter", "Re-invocations of AckOrchestrationItem by the retry middleware.")
	m.family(NameSessionsRenewed, "counter", "Sessions renewed by RenewSessionLock.")
	m.family(NameSessionsCleaned, "counter", "Sessions deleted by CleanupOrphanedSessions.")
	m.family(NameOrchestratorQueueDepth, "gauge", "Visible, unlocked orchestrator messages at the last queue-depth poll.")
	m.family(NameWorkerQueueDepth, "gauge", "Visible, unlocked worker items at the last queue-depth poll.")
	m.family(NameTimerQueueDepth, "gauge", "Timers scheduled in the future at the last queue-depth poll.")
	m.family(NameQueueDepthPollErrors, "counter", "Failed queue-depth polls.")

	m.mw = provobs.Observe(m.observe)
	return m
}

// Set returns the *metrics.Set that holds every series. Register it with
// metrics.RegisterSet to expose it through the library's global
// WritePrometheus; the series are then typed only if metrics.ExposeMetadata
// is on, whereas WritePrometheus and Handler always type them.
func (m *Metrics) Set() *vm.Set { return m.set }

// Middleware returns the middleware that records every operation of the
// provider it wraps: its latency (failures included) into the op's
// histogram, its error into the error counter of its op and type, and the
// session counts of RenewSessionLock and CleanupOrphanedSessions. Recording
// takes a few atomic operations and the op's own histogram mutex, and never
// allocates. The same Middleware is returned on every call.
func (m *Metrics) Middleware() provobs.Middleware { return m.mw }

func (m *Metrics) observe(_ context.Context, c *provobs.Call, err error, elapsed time.Duration) {
	op := c.Op()
	if !op.Valid() {
		return
	}
	m.durations[op].Update(float64(elapsed) / m.unit)
	if err != nil {
		m.errors[op][errorTypeIndex(typeOf(err))].Inc()
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

// typeOf is provobs.TypeOf for a non-nil err, without its allocation
// (errors.As needs its target on the heap; errors.AsType does not).
func typeOf(err error) provobs.ErrorType {
	if pe, ok := errors.AsType[*provobs.Error](err); ok {
		return pe.Type
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return provobs.TypeCanceled
	}
	return provobs.TypeUnknown
}

// numErrorTypes is the number of provobs.ErrorTypes; errorTypeIndex maps
// each onto [0, numErrorTypes) without a map lookup.
const numErrorTypes = 9

func errorTypeIndex(t provobs.ErrorType) int {
	switch t {
	case provobs.TypeTransactionFailed:
		return 0
	case provobs.TypeLockTimeout:
		return 1
	case provobs.TypeSerialization:
		return 2
	case provobs.TypeLockLost:
		return 3
	case provobs.TypeConflict:
		return 4
	case provobs.TypeCanceled:
		return 5
	case provobs.TypeInvalidArgument:
		return 6
	case provobs.TypeClosed:
		return 7
	default:
		return 8 // provobs.TypeUnknown and anything unclassified
	}
}
