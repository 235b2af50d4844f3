package redact_test

import (
	"context"
	"hash/crc32"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// benchRecord is the record of the benchmarks and the allocation test: eight
// attributes, one a nested group, none sensitive.
func benchRecord() slog.Record { return benchRecordOf(func(s string) string { return s }) }

// benchRecordBuilt is benchRecord with its message and string values built
// at run time (copies on the heap), as a formatted message or a value read
// from a request would be: the redacting handler's cache of detector
// results for string literals does not apply to them.
func benchRecordBuilt() slog.Record { return benchRecordOf(strings.Clone) }

func benchRecordOf(str func(string) string) slog.Record {
	r := slog.NewRecord(time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), slog.LevelInfo, str("fetched orchestration item"), 0)
	r.AddAttrs(
		slog.String("operation", str("fetch")),
		slog.String("instance_id", str("order-42")),
		slog.Int64("duration_ms", 3),
		slog.Int("messages", 2),
		slog.String("error_type", str("none")),
		slog.Bool("retryable", false),
		slog.Group("worker", slog.String("id", str("w-1")), slog.Group("lease", slog.Int("renewed", 1))),
		slog.Duration("wait", 150*time.Millisecond),
	)
	return r
}

// ghChecksum is the reference GitHub token checksum: CRC32 (IEEE) of the
// 30 random bytes, base62 (0-9A-Za-z), six bytes left-padded with '0'.
func ghChecksum(random string) string {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	n := uint64(crc32.ChecksumIEEE([]byte(random)))
	out := make([]byte, 6)
	for i := 5; i >= 0; i-- {
		out[i] = alphabet[n%62]
		n /= 62
	}
	return string(out)
}

// ghMake returns a GitHub classic token with prefix (ghp_, gho_, ...) and
// the 30 random bytes given, with a valid checksum.
func ghMake(prefix, random string) string { return prefix + random + ghChecksum(random) }

// ghToken is a made-up GitHub personal access token with a valid checksum.
var ghToken = ghMake("ghp_", "Zx9QwErTyUiOp1AsDfGhJkL2zXcVbN")

// captureHandler hands the string value of the attribute "v" of each
// record to f, as the redacting handler passed it on.
type captureHandler struct{ f func(string) }

func (captureHandler) Enabled(context.Context, slog.Level) bool { return true }
func (c captureHandler) Handle(_ context.Context, r slog.Record) error {
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "v" {
			c.f(a.Value.String())
		}
		return true
	})
	return nil
}
func (c captureHandler) WithAttrs([]slog.Attr) slog.Handler { return c }
func (c captureHandler) WithGroup(string) slog.Handler      { return c }

// logString logs s under the key "v" through h.
func logString(t *testing.T, h slog.Handler, s string) {
	t.Helper()
	slog.New(h).Info("m", "v", s)
}
