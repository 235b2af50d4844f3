package redact_test

import (
	"context"
	"io"
	"log/slog"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/provobs/provobs/logenv"
	"github.com/provobs/provobs/redact"
)

// order is a struct value with nothing sensitive in it.
type order struct {
	ID     string `json:"id"`
	Amount int    `json:"amount"`
	Items  []string
}

// preset is what logenv turns on (logenv.RedactDefaults): every detector
// and the message scan, trace_id and span_id allowed.
func preset() *redact.Options {
	o := logenv.RedactDefaults()
	return &o
}

// BenchmarkHandler compares a bare slog.JSONHandler with the redacting
// handler wrapped around it, on a record of eight attributes with a nested
// group: with nothing to redact (the hot path) under the defaults, with
// its strings built at run time (benchRecordBuilt), with
// whole-key matching, with logenv's preset (every detector and the message
// scan), and with two attributes to redact. The discard cases isolate the
// handler's own cost from the JSON encoding, part by part: each detector
// alone, the message scan, and a record that also holds a struct value
// with struct fields on and off.
func BenchmarkHandler(b *testing.B) {
	ctx := context.Background()
	bare := slog.NewJSONHandler(io.Discard, nil)
	discard := slog.DiscardHandler
	clean, built := benchRecord(), benchRecordBuilt()
	withStruct := benchRecord()
	withStruct.AddAttrs(slog.Any("order", order{ID: "o-1", Amount: 3, Items: []string{"a", "b"}}))
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
	type bench struct {
		name string
		h    slog.Handler
		r    slog.Record
	}
	benches := []bench{
		{"bare-json", bare, clean},
		{"redact-json-nothing-redacted", redact.NewHandler(bare, nil), clean},
		{"redact-json-nothing-redacted-detectors", redact.NewHandler(bare, preset()), clean},
		{"redact-json-nothing-redacted-detectors-nomessage", redact.NewHandler(bare, nil), clean},
		{"redact-json-redacting", redact.NewHandler(bare, nil), dirty},
		{"bare-json-built-strings", bare, built},
		{"redact-json-built-strings", redact.NewHandler(bare, nil), built},
		{"redact-json-built-strings-detectors", redact.NewHandler(bare, preset()), built},
		{"bare-json-struct", bare, withStruct},
		{"redact-json-struct", redact.NewHandler(bare, preset()), withStruct},
		// The handler's own cost, without a sink's encoding, part by part.
		{"bare-discard", discard, clean},
		{"redact-discard-nothing-redacted", redact.NewHandler(discard, nil), clean},
		{"redact-discard-detectors", redact.NewHandler(discard, preset()), clean},
		{"redact-discard-detectors-without-message-scan", redact.NewHandler(discard, &redact.Options{Detectors: redact.AllDetectors}), clean},
		{"redact-discard-struct", redact.NewHandler(discard, nil), withStruct},
		{"redact-discard-struct-detectors", redact.NewHandler(discard, preset()), withStruct},
		{"redact-discard-struct-off", redact.NewHandler(discard, &redact.Options{NoStructFields: true}), withStruct},
	}
	for _, d := range []struct {
		name string
		d    redact.Detector
	}{
		{"cards", redact.CardNumbers}, {"bearer", redact.BearerTokens}, {"jwt", redact.JWTs},
		{"dsn", redact.DSNs}, {"pem", redact.PrivateKeys}, {"pairs", redact.KeyValuePairs}, {"vendor", redact.VendorTokens},
	} {
		benches = append(benches, bench{"redact-discard-detector=" + d.name, redact.NewHandler(discard, &redact.Options{Detectors: d.d}), clean})
	}
	for _, bc := range benches {
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

// BenchmarkBudget measures the budget directly: bare slog.JSONHandler and
// the redacting handler over it take turns in batches of 256 records
// (ABBA order), each batch timed by the CPU time of the benchmark's own
// thread (so time spent waiting for a CPU on a busy machine is not
// counted), and the ratio of their totals is reported as x-bare. Its cases
// are redact's defaults and logenv's preset (every detector and the
// message scan), with nothing to redact, on benchRecord (string literals,
// as log calls mostly pass) and on benchRecordBuilt (the same strings
// built at run time, which the cache of results for literals does not
// cover).
func BenchmarkBudget(b *testing.B) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	ctx := context.Background()
	bare := slog.NewJSONHandler(io.Discard, nil)
	lit, built := benchRecord(), benchRecordBuilt()
	for _, bc := range []struct {
		name string
		h    slog.Handler
		r    slog.Record
	}{
		{"defaults", redact.NewHandler(bare, nil), lit},
		{"logenv", redact.NewHandler(bare, preset()), lit},
		{"no-detectors", redact.NewHandler(bare, &redact.Options{Detectors: redact.NoDetectors}), lit},
		{"defaults-built-strings", redact.NewHandler(bare, nil), built},
		{"logenv-built-strings", redact.NewHandler(bare, preset()), built},
	} {
		r := bc.r
		b.Run(bc.name, func(b *testing.B) {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			var tBare, tRedact int64
			batch := func(h slog.Handler) int64 {
				start := threadCPU()
				for range 256 {
					_ = h.Handle(ctx, r)
				}
				return threadCPU() - start
			}
			for b.Loop() {
				tBare += batch(bare)
				tRedact += batch(bc.h)
				tRedact += batch(bc.h)
				tBare += batch(bare)
			}
			b.ReportMetric(float64(tRedact)/float64(tBare), "x-bare")
		})
	}
}
