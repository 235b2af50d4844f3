// Package depthpoll is the queue-depth poller that the VictoriaMetrics and
// the OpenTelemetry metrics packages share: each hands it what to do with
// an answer and with a failure.
package depthpoll

import (
	"context"
	"log/slog"
	"time"

	"github.com/provobs/provobs"
)

// DefaultInterval is the poll interval Run uses when given zero or less.
const DefaultInterval = 5 * time.Second

// Run polls admin.QueueDepths now and then every interval until ctx is
// done, handing each answer to set; it blocks until then. Each poll is
// bounded by a timeout of one interval, but not less than DefaultInterval;
// polls never overlap. A failed poll calls failed and is logged at WARN
// through logger (when not nil); a poll that ends because ctx was
// cancelled (provobs.OutcomeOf) is neither. A nil admin returns at once.
func Run(ctx context.Context, admin provobs.Admin, interval time.Duration, logger *slog.Logger, set func(provobs.QueueDepths), failed func()) {
	if admin == nil {
		return
	}
	if interval <= 0 {
		interval = DefaultInterval
	}
	timeout := max(interval, DefaultInterval)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		once(ctx, admin, timeout, logger, set, failed)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func once(ctx context.Context, admin provobs.Admin, timeout time.Duration, logger *slog.Logger, set func(provobs.QueueDepths), failed func()) {
	pctx, cancel := context.WithTimeout(ctx, timeout)
	d, err := admin.QueueDepths(pctx)
	cancel()
	if err == nil {
		set(d)
		return
	}
	if ctx.Err() != nil || provobs.OutcomeOf(ctx, err) == provobs.OutcomeCanceled {
		return
	}
	failed()
	if logger != nil && logger.Enabled(ctx, slog.LevelWarn) {
		logger.LogAttrs(ctx, slog.LevelWarn, "queue depth poll failed",
			slog.String(provobs.LabelOperation, provobs.OpQueueDepths.String()),
			slog.String(provobs.LabelErrorType, provobs.ErrorTypeOf(ctx, err).String()),
			slog.Any(provobs.KeyError, err))
	}
}
