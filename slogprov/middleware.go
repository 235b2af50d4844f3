package slogprov

import (
	"context"
	"log/slog"
	"math"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/provobs/provobs"
)

// Middleware returns a provobs.Middleware that writes at most one record per
// operation to logger's handler: provobs.Intercept(Interceptor(logger,
// opts...)). A nil logger gives a Middleware that returns the provider
// unchanged.
func Middleware(logger *slog.Logger, opts ...Option) provobs.Middleware {
	if logger == nil {
		return func(next provobs.Provider) provobs.Provider { return next }
	}
	return provobs.Intercept(Interceptor(logger, opts...))
}

// Interceptor returns the provobs.Interceptor that writes at most one
// record per operation to logger's handler: DEBUG on success and on the
// caller's cancellation (provobs.OutcomeOf), ERROR on failure and WARN on a
// retryable failure or a passed deadline. See the
// package documentation for the attributes. The handler's level, With
// attributes and groups apply; when the handler is not enabled for a
// record's level the interceptor builds nothing and allocates nothing. Use
// it in a provobs.Stack to log the calls of another storage interface. A
// nil logger gives nil, which provobs.NewStack skips.
func Interceptor(logger *slog.Logger, opts ...Option) provobs.Interceptor {
	if logger == nil {
		return nil
	}
	m := &interceptor{h: logger.Handler(), cfg: config{traceIDs: true}}
	for _, o := range opts {
		o.apply(&m.cfg)
	}
	return provobs.Observer(m.observe)
}

type interceptor struct {
	h   slog.Handler
	cfg config
	// polls counts empty polls per op for sampling.
	polls [provobs.NumOps]atomic.Uint64
}

func (m *interceptor) observe(ctx context.Context, c *provobs.Call, err error, elapsed time.Duration) {
	op := c.Op()
	level := slog.LevelDebug
	var claimed uint64 // empty polls this record stands for
	msg := provobs.MessageOK
	var errType provobs.ErrorType
	outcome := provobs.OutcomeOK
	if err != nil { // the success path classifies nothing
		errType, outcome = provobs.ErrorTypeOf(ctx, err), provobs.OutcomeOf(ctx, err)
	}
	switch {
	case outcome == provobs.OutcomeCanceled:
		// The caller's own cancellation: DEBUG, never WARN or ERROR.
		msg = provobs.MessageCanceled
	case err != nil:
		msg = provobs.MessageFailed
		level = slog.LevelError
		if provobs.IsRetryable(err) || errType == provobs.TypeDeadlineExceeded {
			level = slog.LevelWarn
		}
	case c.Size() == 0 && op.Polls():
		if m.cfg.emptyPollEvery == 0 {
			return
		}
		if !m.h.Enabled(ctx, level) {
			return
		}
		// Polls n, 2n, 3n, ... write a record; each stands for the n polls
		// since the previous record, itself included.
		if m.polls[op].Add(1)%m.cfg.emptyPollEvery != 0 {
			return
		}
		claimed = m.cfg.emptyPollEvery
	}
	if claimed == 0 && !m.h.Enabled(ctx, level) {
		return
	}

	r := slog.NewRecord(time.Now(), level, msg, 0)
	r.AddAttrs(slog.String(provobs.KeyOperation, op.String()))
	if err != nil {
		r.AddAttrs(
			slog.String(provobs.KeyErrorType, errType.String()),
			slog.Any(provobs.KeyError, err),
		)
	}
	r.AddAttrs(slog.Float64(provobs.KeyDurationMS, durationMS(elapsed)))
	if id := c.Instance(); id != "" {
		r.AddAttrs(slog.String(provobs.KeyInstanceID, id))
	}
	if err == nil {
		if k := op.SizeKey(); k != "" {
			r.AddAttrs(slog.Int(k, c.Size()))
		}
		if claimed > 0 {
			r.AddAttrs(slog.Uint64(provobs.KeyEmptyPolls, claimed))
		}
	}
	if m := c.Method(); m != "" {
		r.AddAttrs(slog.String(provobs.KeyMethod, m))
	}
	if m.cfg.traceIDs {
		if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
			r.AddAttrs(
				slog.String(provobs.KeyTraceID, sc.TraceID().String()),
				slog.String(provobs.KeySpanID, sc.SpanID().String()),
			)
		}
	}
	_ = m.h.Handle(ctx, r) // a logging failure must not fail the operation
}

// durationMS returns d in milliseconds rounded to the microsecond.
func durationMS(d time.Duration) float64 {
	return math.Round(float64(d)/float64(time.Microsecond)) / 1000
}
