package otelmetrics

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/semconv/v1.43.0/dbconv"

	"github.com/provobs/provobs"
)

// ScopeName is the instrumentation scope of every instrument: the name of
// the Meter New takes from the MeterProvider.
const ScopeName = "github.com/provobs/provobs/otelmetrics"

// DefaultBuckets returns the advisory bucket boundaries, in seconds, that
// the semantic conventions give db.client.operation.duration: 0.001,
// 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10. The slice is new on each call.
func DefaultBuckets() []float64 {
	return []float64{0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10}
}

// Option configures New.
type Option interface{ apply(*config) }

type config struct {
	buckets []float64 // nil: DefaultBuckets
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// WithBuckets sets the advisory bucket boundaries, in seconds, of the
// db.client.operation.duration histogram. They must be strictly increasing
// and finite, else New fails. The slice is copied. A view registered on the
// MeterProvider still overrides them. (Default: DefaultBuckets())
func WithBuckets(bounds ...float64) Option {
	b := append(make([]float64, 0, len(bounds)), bounds...) // non-nil: nil means the default
	return optionFunc(func(c *config) { c.buckets = b })
}

// ErrBuckets is the error New returns, wrapped, for invalid WithBuckets
// boundaries.
var ErrBuckets = errors.New("otelmetrics: bucket boundaries must be finite and strictly increasing")

// Metrics holds the instruments of one MeterProvider and the attribute sets
// of its provobs counters, all built once in New. It is safe for
// concurrent use.
type Metrics struct {
	duration        metric.Float64Histogram
	infraErrors     metric.Int64Counter
	cancellations   metric.Int64Counter
	retries         metric.Int64Counter
	sessionsRenewed metric.Int64Counter
	sessionsCleaned metric.Int64Counter
	pollErrors      metric.Int64Counter

	// Precomputed options: operation, and operation with error.type.
	opOnly  [provobs.NumOps][]metric.AddOption
	byType  [provobs.NumOps][provobs.NumErrorTypes][]metric.AddOption
	queueOf [3][]metric.ObserveOption // orchestrator, worker, timer

	depths    [3]atomic.Int64
	depthsOK  atomic.Bool // a depth was set: the gauge reports from then on
	reg       metric.Registration
	closeOnce sync.Once
	closeErr  error

	unbound *interceptor // Interceptor(): bound to DescribeStore(nil)
	mw      provobs.Middleware
}

// New creates the instruments of the package documentation through mp's
// Meter named ScopeName. A nil mp means the global MeterProvider,
// otel.GetMeterProvider() (so a provider installed later with
// otel.SetMeterProvider receives the measurements too). It fails when mp
// refuses an instrument or WithBuckets was given invalid boundaries.
func New(mp metric.MeterProvider, opts ...Option) (*Metrics, error) {
	var cfg config
	for _, o := range opts {
		if o != nil {
			o.apply(&cfg)
		}
	}
	if cfg.buckets == nil {
		cfg.buckets = DefaultBuckets()
	}
	if err := validBuckets(cfg.buckets); err != nil {
		return nil, err
	}
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	meter := mp.Meter(ScopeName, metric.WithSchemaURL(semconv.SchemaURL))

	m := &Metrics{}
	var errs []error
	check := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	dur, err := dbconv.NewClientOperationDuration(meter, metric.WithExplicitBucketBoundaries(cfg.buckets...))
	check(err)
	m.duration = dur.Inst()
	counter := func(name, unit, desc string) metric.Int64Counter {
		c, err := meter.Int64Counter(name, metric.WithUnit(unit), metric.WithDescription(desc))
		check(err)
		return c
	}
	m.infraErrors = counter(provobs.OTelMetricInfrastructureErrors, "{error}",
		"Failed provider operations by operation and error type; the caller's cancellations are not counted.")
	m.cancellations = counter(provobs.OTelMetricCancellations, "{call}",
		"Provider operations that ended because the caller cancelled their context.")
	m.retries = counter(provobs.OTelMetricRetries, "{retry}",
		"Re-invocations of provider operations by the retry middleware.")
	m.sessionsRenewed = counter(provobs.OTelMetricSessionsRenewed, "{session}", "Sessions renewed by RenewSessionLock.")
	m.sessionsCleaned = counter(provobs.OTelMetricSessionsCleaned, "{session}", "Sessions deleted by CleanupOrphanedSessions.")
	m.pollErrors = counter(provobs.OTelMetricQueuePollErrors, "{error}", "Failed queue-depth polls.")
	gauge, err := meter.Int64ObservableGauge(provobs.OTelMetricQueueDepth, metric.WithUnit("{item}"),
		metric.WithDescription("Visible, unlocked orchestrator messages and worker items, and future timers, at the last queue-depth poll."))
	check(err)
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("otelmetrics: creating the instruments: %w", err)
	}

	opKey := attribute.Key(provobs.KeyOperation)
	for _, op := range provobs.Ops() {
		m.opOnly[op] = []metric.AddOption{metric.WithAttributeSet(attribute.NewSet(opKey.String(op.String())))}
		for _, t := range provobs.ErrorTypes() {
			m.byType[op][t] = []metric.AddOption{metric.WithAttributeSet(attribute.NewSet(
				opKey.String(op.String()), semconv.ErrorTypeKey.String(t.String())))}
		}
	}
	for i, q := range []string{provobs.QueueOrchestrator, provobs.QueueWorker, provobs.QueueTimer} {
		m.queueOf[i] = []metric.ObserveOption{metric.WithAttributeSet(attribute.NewSet(attribute.Key(provobs.KeyQueue).String(q)))}
	}
	m.reg, err = meter.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		if !m.depthsOK.Load() {
			return nil
		}
		for i := range m.depths {
			o.ObserveInt64(gauge, m.depths[i].Load(), m.queueOf[i]...)
		}
		return nil
	}, gauge)
	if err != nil {
		return nil, fmt.Errorf("otelmetrics: registering the queue-depth callback: %w", err)
	}

	m.unbound = &interceptor{m: m, ob: provobs.Observer(m.bind(provobs.DescribeStore(nil)).observe)}
	m.mw = provobs.Intercept(m.unbound)
	return m, nil
}

func validBuckets(b []float64) error {
	for i, v := range b {
		if math.IsNaN(v) || math.IsInf(v, 0) || (i > 0 && v <= b[i-1]) {
			return fmt.Errorf("%w: %v", ErrBuckets, b)
		}
	}
	return nil
}

// Interceptor returns the recording interceptor, for provobs.Intercept or
// a provobs.Stack around another storage interface. It is a
// provobs.StoreBinder: a chain binds it to the store it wraps when built,
// and the bound interceptor precomputes one attribute set per operation
// and outcome. Used unbound it describes the store as
// provobs.DescribeStore(nil) does (db.system.name other_sql). The same
// Interceptor is returned on every call.
func (m *Metrics) Interceptor() provobs.Interceptor { return m.unbound }

// Middleware returns provobs.Intercept(m.Interceptor()): the middleware
// that records every operation of the provider it wraps, described by
// provobs.DescribeStore of that provider. The same Middleware is returned
// on every call.
func (m *Metrics) Middleware() provobs.Middleware { return m.mw }

// RecordRetry counts one re-invocation of op in
// provobs.provider.retries. Invalid ops are ignored.
func (m *Metrics) RecordRetry(ctx context.Context, op provobs.Op) {
	if !op.Valid() {
		return
	}
	m.retries.Add(ctx, 1, m.opOnly[op]...)
}

// RetryHook returns a function with the shape of retry.Config.OnRetry that
// calls RecordRetry, so a retry middleware's retries are counted:
//
//	retry.Middleware(retry.Config{OnRetry: m.RetryHook()})
func (m *Metrics) RetryHook() func(ctx context.Context, op provobs.Op, attempt int, err error) {
	return func(ctx context.Context, op provobs.Op, _ int, _ error) { m.RecordRetry(ctx, op) }
}

// SetQueueDepths sets the depths the provobs.provider.queue.depth gauge
// reports at the next collection; PollQueueDepths calls it after each
// successful poll. Until the first call the gauge reports nothing.
func (m *Metrics) SetQueueDepths(d provobs.QueueDepths) {
	m.depths[0].Store(int64(d.Orchestrator))
	m.depths[1].Store(int64(d.Worker))
	m.depths[2].Store(int64(d.Timer))
	m.depthsOK.Store(true)
}

// Close unregisters the queue-depth callback: the gauge reports nothing
// from then on. The other instruments stay usable. Only the first call
// does anything; each returns the MeterProvider's answer to it.
func (m *Metrics) Close() error {
	m.closeOnce.Do(func() { m.closeErr = m.reg.Unregister() })
	return m.closeErr
}
