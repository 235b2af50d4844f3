package providertest_test

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"testing"

	"go.uber.org/goleak"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/metrics"
	"github.com/provobs/provobs/obstest"
	"github.com/provobs/provobs/providertest"
	"github.com/provobs/provobs/retry"
	"github.com/provobs/provobs/slogprov"
)

// passThrough is the smallest interceptor: it runs every call once and
// returns its error untouched.
var passThrough = provobs.Intercept(provobs.InterceptorFunc(func(ctx context.Context, c *provobs.Call) error {
	return c.Invoke(ctx)
}))

// TestSQLite runs the suite against the reference provider.
func TestSQLite(t *testing.T) {
	providertest.Run(t, func(t *testing.T) provobs.Provider { return obstest.NewSQLite(t) })
}

// TestSQLiteChain runs the suite through the observability chain of the
// spec — retry, logging (at DEBUG, so every record is built) and metrics —
// plus a pass-through interceptor, which proves the middlewares change
// nothing the provider does, Admin capability included.
func TestSQLiteChain(t *testing.T) {
	providertest.Run(t, func(t *testing.T) provobs.Provider {
		logger := slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelDebug}))
		return provobs.Chain(obstest.NewSQLite(t),
			retry.Middleware(retry.Config{}),
			slogprov.Middleware(logger),
			metrics.New().Middleware(),
			passThrough,
		)
	})
}

// TestMain raises -parallel (default GOMAXPROCS) to 16 unless it was set:
// the cases mostly wait on short timers, so more of them in flight shortens
// the run without loading the CPU more.
func TestMain(m *testing.M) {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		_ = flag.Set("test.parallel", "16")
	}
	code := m.Run()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}
