package otelmetrics

import (
	"context"
	"log/slog"
	"time"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/internal/depthpoll"
)

// DefaultPollInterval is the queue-depth poll interval PollQueueDepths uses
// when given zero or less.
const DefaultPollInterval = depthpoll.DefaultInterval

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
	depthpoll.Run(ctx, admin, interval, logger, m.SetQueueDepths, func() { m.pollErrors.Add(context.Background(), 1) })
}
