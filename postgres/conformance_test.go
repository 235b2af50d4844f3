package postgres_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/metrics"
	"github.com/provobs/provobs/providertest"
	"github.com/provobs/provobs/retry"
	"github.com/provobs/provobs/slogprov"
)

// TestConformance runs the providertest suite against the provider, one
// fresh schema per case.
func TestConformance(t *testing.T) {
	providertest.Run(t, func(t *testing.T) provobs.Provider { return openTest(t) })
}

// passThrough is the smallest interceptor: it runs every call once.
var passThrough = provobs.Intercept(provobs.InterceptorFunc(func(ctx context.Context, c *provobs.Call) error {
	return c.Invoke(ctx)
}))

// TestConformanceChain runs the suite through the observability chain —
// retry, logging at DEBUG, metrics and a pass-through interceptor — as the
// SQLite provider's chain test does.
func TestConformanceChain(t *testing.T) {
	providertest.Run(t, func(t *testing.T) provobs.Provider {
		logger := slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelDebug}))
		return provobs.Chain(openTest(t),
			retry.Middleware(retry.Config{}),
			slogprov.Middleware(logger),
			metrics.New().Middleware(),
			passThrough,
		)
	})
}
