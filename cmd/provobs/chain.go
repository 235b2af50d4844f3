package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/logenv"
	"github.com/provobs/provobs/metrics"
	"github.com/provobs/provobs/retry"
	"github.com/provobs/provobs/slogprov"
	"github.com/provobs/provobs/tracing"
)

// observability is everything the full chain records, and how to stop it.
// Exactly one of metrics (-metrics vm) and otel (-metrics otel) is set.
type observability struct {
	logger  *slog.Logger
	metrics *metrics.Metrics
	otel    *otelMetrics
	spans   *spanCounter
	tp      *sdktrace.TracerProvider
	close   func(context.Context) error
}

// newObservability builds the logger (per-environment handler behind
// redaction), the metrics and a tracer provider whose spans are counted.
func newObservability(o options, stderr io.Writer) (*observability, error) {
	cfg, err := logenv.FromEnv()
	if err != nil {
		return nil, err
	}
	if o.logFormat != "" {
		if cfg.Format, err = logenv.ParseFormat(o.logFormat); err != nil {
			return nil, err
		}
	}
	if o.logLevel != "" {
		lvl, err := logenv.ParseLevel(o.logLevel)
		if err != nil {
			return nil, err
		}
		cfg.Level = lvl
	}
	cfg.Writer = stderr
	cfg.ServiceName = "provobs"
	h, shutdownLogs, err := logenv.New(cfg)
	if err != nil {
		return nil, err
	}
	spans := &spanCounter{}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	ob := &observability{
		logger: slog.New(h),
		spans:  spans,
		tp:     tp,
	}
	if o.metrics == metricsOTel {
		if ob.otel, err = newOTelMetrics(); err != nil {
			return nil, errors.Join(err, tp.Shutdown(context.Background()), shutdownLogs(context.Background()))
		}
	} else {
		ob.metrics = metrics.New(metricsOptions(o)...)
	}
	// The metrics outlive close: /metrics serves the final values until
	// the server stops (-linger).
	ob.close = func(ctx context.Context) error {
		return errors.Join(tp.Shutdown(ctx), shutdownLogs(ctx))
	}
	return ob, nil
}

// metricsOptions are the metrics the command exposes: the provider series
// and, as on any Go service's /metrics, the Go runtime and process series;
// in seconds with -base-units.
func metricsOptions(o options) []metrics.Option {
	opts := []metrics.Option{metrics.WithProcessMetrics()}
	if o.baseUnits {
		opts = append(opts, metrics.WithBaseUnits())
	}
	return opts
}

// chain wraps store in the full chain, outermost first: a span per caller
// call; retries of retryable ack failures; then logs and metrics, inside the
// retries so that every failed attempt is logged and counted.
func (ob *observability) chain(store provobs.Provider) provobs.Provider {
	onRetry, record := ob.recorder()
	return provobs.Chain(store,
		tracing.Middleware(ob.tp),
		retry.Middleware(retry.Config{OnRetry: onRetry}),
		slogprov.Middleware(ob.logger),
		record,
	)
}

// recorder returns the retry hook and the middleware of the metrics the
// run records.
func (ob *observability) recorder() (func(context.Context, provobs.Op, int, error), provobs.Middleware) {
	if ob.otel != nil {
		return ob.otel.m.RetryHook(), ob.otel.m.Middleware()
	}
	return ob.metrics.RetryHook(), ob.metrics.Middleware()
}

// pollQueueDepths feeds the queue-depth gauges of the metrics the run
// records until ctx is done.
func (ob *observability) pollQueueDepths(ctx context.Context, admin provobs.Admin, interval time.Duration) {
	if ob.otel != nil {
		ob.otel.m.PollQueueDepths(ctx, admin, interval, ob.logger)
		return
	}
	ob.metrics.PollQueueDepths(ctx, admin, interval, ob.logger)
}

// metricsHandler serves the exposition of the metrics the run records.
func (ob *observability) metricsHandler() http.Handler {
	if ob.otel != nil {
		return ob.otel.handler()
	}
	return ob.metrics.Handler() // provider, Go runtime and process series
}

// spanCounter is a span processor that counts ended spans, so the summary
// can show that every operation was traced without exporting anywhere.
type spanCounter struct{ ended atomic.Int64 }

var _ sdktrace.SpanProcessor = (*spanCounter)(nil)

func (s *spanCounter) OnStart(context.Context, sdktrace.ReadWriteSpan) {}
func (s *spanCounter) OnEnd(sdktrace.ReadOnlySpan)                     { s.ended.Add(1) }
func (s *spanCounter) Shutdown(context.Context) error                  { return nil }
func (s *spanCounter) ForceFlush(context.Context) error                { return nil }
