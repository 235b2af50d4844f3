package bench

import (
	"io"
	"log/slog"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/logenv"
	"github.com/provobs/provobs/metrics"
	"github.com/provobs/provobs/retry"
	"github.com/provobs/provobs/slogprov"
)

// FullChain wraps p in the observability chain, outermost first: retries
// (of acks), slogprov at level over the redaction handler over JSON to w,
// and metrics. The three share one layer and one Call. It returns the
// wrapped provider and the metrics, whose RetryHook the retry layer calls.
func FullChain(p provobs.Provider, level slog.Level, w io.Writer) (provobs.Provider, *metrics.Metrics, error) {
	if w == nil {
		w = io.Discard
	}
	h, _, err := logenv.New(logenv.Config{Format: logenv.FormatJSON, Level: level, Writer: w})
	if err != nil {
		return nil, nil, err
	}
	m := metrics.New()
	return provobs.Chain(p,
		retry.Middleware(retry.Config{OnRetry: m.RetryHook()}),
		slogprov.Middleware(slog.New(h)),
		m.Middleware(),
	), m, nil
}
