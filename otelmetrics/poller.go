package otelmetrics

import (
	"context"
	"log/slog"
	"time"

	"github.com/provobs/provobs"
)

// DefaultPollInterval is the queue-depth poll interval PollQueueDepths uses
// when given zero or less.
const DefaultPollInterval = 5 * time.Second

// PollQueueDepths polls admin.QueueDepths now and then every interval
// (Default: DefaultPollInterval) and hands each answer to SetQueueDepths,
// until ctx is done; it blocks until then, so run it in its own goroutine.
// Each poll is bounded by a timeout of one interval, but not less than
// DefaultPollInterval; polls never overlap. A failed poll is never fatal:
// it adds one to provobs.provider.queue.poll_errors, is logged at WARN
// through logger (when logger is not nil), and leaves the gauge at its last
// values. A poll that ends because ctx was cancelled
// (provobs.OutcomeOf is OutcomeCanceled) is not counted. Collections read
// the last values only, never the provider.
//
// Pass the chained provider (p.(provobs.Admin)) to have the polls
// themselves observed as queue_depths operations.
func (m *Metrics) PollQueueDepths(ctx context.Context, admin provobs.Admin, interval time.Duration, logger *slog.Logger) {
	if admin == nil {
		return
	}
	if interval <= 0 {
		interval = DefaultPollInterval
	}
	timeout := max(interval, DefaultPollInterval)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		m.pollOnce(ctx, admin, timeout, logger)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (m *Metrics) pollOnce(ctx context.Context, admin provobs.Admin, timeout time.Duration, logger *slog.Logger) {
	pctx, cancel := context.WithTimeout(ctx, timeout)
	d, err := admin.QueueDepths(pctx)
	cancel()
	if err == nil {
		m.SetQueueDepths(d)
		return
	}
	if provobs.OutcomeOf(ctx, err) == provobs.OutcomeCanceled {
		return
	}
	m.pollErrors.Add(ctx, 1)
	if logger != nil && logger.Enabled(ctx, slog.LevelWarn) {
		logger.LogAttrs(ctx, slog.LevelWarn, "queue depth poll failed",
			slog.String(provobs.LabelOperation, provobs.OpQueueDepths.String()),
			slog.String(provobs.LabelErrorType, provobs.TypeOf(err).String()),
			slog.Any(provobs.KeyError, err))
	}
}
