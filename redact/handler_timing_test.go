package redact_test

import (
	"context"
	"io"
	"log/slog"
	"syscall"
	"testing"
	"time"

	"github.com/provobs/provobs/redact"
)

// BenchmarkHandler compares a bare slog.JSONHandler with the redacting
// handler wrapped around it, on a record of eight attributes with a nested
// group: with nothing to redact (the hot path), with the value detectors on
// and nothing to redact, and with two attributes to redact. The discard
// pair isolates the handler's own cost from the JSON encoding.
func BenchmarkHandler(b *testing.B) {
	ctx := context.Background()
	bare := slog.NewJSONHandler(io.Discard, nil)
	clean := benchRecord()
	dirty := slog.NewRecord(time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), slog.LevelInfo, "fetched orchestration item", 0)
	dirty.AddAttrs(
		slog.String("operation", "fetch"),
		slog.String("instance_id", "order-42"),
		slog.Int64("duration_ms", 3),
		slog.String("password", "hunter2"),
		slog.String("error_type", "none"),
		slog.Bool("retryable", false),
		slog.Group("worker", slog.String("id", "w-1"), slog.Group("lease", slog.String("token", "t"))),
		slog.Duration("wait", 150*time.Millisecond),
	)
	for _, bc := range []struct {
		name string
		h    slog.Handler
		r    slog.Record
	}{
		{"bare-json", bare, clean},
		{"redact-json-nothing-redacted", redact.NewHandler(bare), clean},
		{"redact-json-nothing-redacted-detectors", redact.NewHandler(bare,
			redact.WithCardNumbers(), redact.WithBearerTokens(), redact.WithJWTs()), clean},
		{"redact-json-redacting", redact.NewHandler(bare), dirty},
		// The handler's own cost, without a sink's encoding.
		{"bare-discard", slog.DiscardHandler, clean},
		{"redact-discard-nothing-redacted", redact.NewHandler(slog.DiscardHandler), clean},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			start := cpuTime()
			for b.Loop() {
				if err := bc.h.Handle(ctx, bc.r); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
		})
	}
}

// cpuTime returns the CPU time the process has used, in nanoseconds. On a
// shared machine cpu-ns/op is steadier than the wall-clock ns/op, which
// counts the time the benchmark waited for a CPU.
func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
