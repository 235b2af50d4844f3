package slogprov

import (
	"context"
	"log/slog"
	"math"
	"sync/atomic"
	"time"

	"github.com/provobs/provobs"
)

// Middleware returns a provobs.Middleware that writes at most one record per
// operation to logger's handler: DEBUG on success, ERROR on failure and WARN
// on a retryable failure (provobs.IsRetryable). See the package
// documentation for the attributes. The handler's level, With attributes
// and groups apply; when the handler is not enabled for a record's level the
// middleware builds nothing and allocates nothing.
//
// A nil logger gives a Middleware that returns the provider unchanged.
func Middleware(logger *slog.Logger, opts ...Option) provobs.Middleware {
	if logger == nil {
		return func(next provobs.Provider) provobs.Provider { return next }
	}
	m := &middleware{h: logger.Handler()}
	for _, o := range opts {
		o.apply(&m.cfg)
	}
	return provobs.Observe(m.observe)
}

type middleware struct {
	h   slog.Handler
	cfg config
	// polls counts empty polls of OpFetch and OpDequeue for sampling.
	polls [provobs.NumOps]atomic.Uint64
}

func (m *middleware) observe(ctx context.Context, c *provobs.Call, err error, elapsed time.Duration) {
	op := c.Op()
	level := slog.LevelDebug
	empty := false
	switch {
	case err != nil:
		level = slog.LevelError
		if provobs.IsRetryable(err) {
			level = slog.LevelWarn
		}
	case c.Size() == 0 && (op == provobs.OpFetch || op == provobs.OpDequeue):
		if m.cfg.emptyPollEvery == 0 {
			return
		}
		empty = true
	}
	if !m.h.Enabled(ctx, level) {
		return
	}
	if empty && m.polls[op].Add(1)%m.cfg.emptyPollEvery != 1%m.cfg.emptyPollEvery {
		return
	}

	msg := MessageOK
	if err != nil {
		msg = MessageFailed
	}
	// PC 0: the caller of a provider method is an unknown number of
	// middleware frames away, and the middleware's own location says nothing.
	r := slog.NewRecord(time.Now(), level, msg, 0)
	// At most five attributes, which slog.Record stores without allocating.
	r.AddAttrs(slog.String(KeyOperation, op.String()))
	if err != nil {
		r.AddAttrs(
			slog.String(KeyErrorType, string(provobs.TypeOf(err))),
			slog.Any(KeyError, err),
		)
	}
	r.AddAttrs(slog.Float64(KeyDurationMS, durationMS(elapsed)))
	if id := c.Instance(); id != "" {
		r.AddAttrs(slog.String(KeyInstanceID, id))
	}
	if err == nil {
		if k := op.SizeKey(); k != "" {
			r.AddAttrs(slog.Int(k, c.Size()))
		}
		if empty {
			r.AddAttrs(slog.Uint64(KeyEmptyPolls, m.cfg.emptyPollEvery))
		}
	}
	_ = m.h.Handle(ctx, r) // a logging failure must not fail the operation
}

// durationMS converts d to milliseconds rounded to the microsecond.
func durationMS(d time.Duration) float64 {
	return math.Round(float64(d)/float64(time.Microsecond)) / 1000
}
