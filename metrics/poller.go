package metrics

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
	depthpoll.Run(ctx, admin, interval, logger, m.SetQueueDepths, m.pollErrors.Inc)
}
