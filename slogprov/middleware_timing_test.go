package slogprov_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/slogprov"
)

// BenchmarkMiddleware measures one FetchOrchestrationItem (a batch of one
// message for a known instance, so a record has all its attributes) on a
// no-op provider. Run it with
//
//	go test -run='^$' -bench=. -benchmem -count=5 ./slogprov/
//
// The sub-benchmarks:
//   - baseline: the bare provider, no chain;
//   - chain=observe-noop: wrapped in provobs.Observe with an empty observer,
//     the cost of the interceptor mechanism itself;
//   - debug=disabled: wrapped in slogprov.Middleware whose JSON handler is at
//     INFO, so the DEBUG record is not built;
//   - debug=enabled-json-discard: the same at DEBUG, JSON written to
//     io.Discard.
func BenchmarkMiddleware(b *testing.B) {
	ctx := context.Background()
	opts := provobs.FetchOptions{LockTimeout: time.Minute}
	bench := func(p provobs.Provider) func(*testing.B) {
		return func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := p.FetchOrchestrationItem(ctx, opts); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	b.Run("baseline", bench(newStub()))
	b.Run("chain=observe-noop", bench(observeNoop(newStub())))
	b.Run("debug=disabled", bench(withJSON(newStub(), slog.LevelInfo)))
	b.Run("debug=enabled-json-discard", bench(withJSON(newStub(), slog.LevelDebug)))
}

func observeNoop(p provobs.Provider) provobs.Provider {
	return provobs.Chain(p, provobs.Observe(func(context.Context, *provobs.Call, error, time.Duration) {}))
}

func withJSON(p provobs.Provider, level slog.Level) provobs.Provider {
	h := slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: level})
	return provobs.Chain(p, slogprov.Middleware(slog.New(h)))
}
