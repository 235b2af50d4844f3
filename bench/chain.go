package bench

import (
	"io"
	"log/slog"

	"go.opentelemetry.io/otel/trace"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/logenv"
	"github.com/provobs/provobs/metrics"
	"github.com/provobs/provobs/retry"
	"github.com/provobs/provobs/slogprov"
	"github.com/provobs/provobs/tracing"
)

// FullChain wraps p in the observability chain, outermost first: retries
// (of acks), slogprov at level over the redaction handler over JSON to w,
// and metrics. The three share one layer and one Call. It returns the
// wrapped provider and the metrics, whose RetryHook the retry layer calls.
func FullChain(p provobs.Provider, level slog.Level, w io.Writer) (provobs.Provider, *metrics.Metrics, error) {
	return chain(p, nil, level, w)
}

// TracedChain is FullChain with tracing.Middleware(tp) outermost, the order
// of cmd/provobs's chain: a span per caller call, around the retries.
func TracedChain(p provobs.Provider, tp trace.TracerProvider, level slog.Level, w io.Writer) (provobs.Provider, *metrics.Metrics, error) {
	return chain(p, []provobs.Middleware{tracing.Middleware(tp)}, level, w)
}

// chain is FullChain with outer (outermost first) around it.
func chain(p provobs.Provider, outer []provobs.Middleware, level slog.Level, w io.Writer) (provobs.Provider, *metrics.Metrics, error) {
	if w == nil {
		w = io.Discard
	}
	h, _, err := logenv.New(logenv.Config{Format: logenv.FormatJSON, Level: level, Writer: w})
	if err != nil {
		return nil, nil, err
	}
	m := metrics.New()
	mws := append(outer,
		retry.Middleware(retry.Config{OnRetry: m.RetryHook()}),
		slogprov.Middleware(slog.New(h)),
		m.Middleware(),
	)
	return provobs.Chain(p, mws...), m, nil
}
