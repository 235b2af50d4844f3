package metrics

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
// (Default: DefaultPollInterval) and sets the three queue-depth gauges from
// each answer, until ctx is done; it blocks until then, so run it in its
// own goroutine. Each poll is bounded by a timeout of one interval, but not
// less than DefaultPollInterval; polls never overlap. A failed
// poll is never fatal: it increments provider_queue_depth_poll_errors_total,
// is logged at WARN through logger (when logger is not nil), and leaves the
// gauges at their last values. A poll that fails because ctx ended is not
// counted. Scrapes read the gauges only, never the provider.
//
// Pass the chained provider (p.(provobs.Admin)) to have the polls
// themselves observed as queue_depths operations.
func (m *Metrics) PollQueueDepths(ctx context.Context, admin provobs.Admin, interval time.Duration, logger *slog.Logger) {
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
	if ctx.Err() != nil {
		return
	}
	m.pollErrors.Inc()
	if logger != nil && logger.Enabled(ctx, slog.LevelWarn) {
		logger.LogAttrs(ctx, slog.LevelWarn, "queue depth poll failed",
			slog.String(provobs.LabelOperation, provobs.OpQueueDepths.String()),
			slog.String(provobs.LabelErrorType, provobs.TypeOf(err).String()),
			slog.Any(provobs.KeyError, err))
	}
}
