package redact_test

import (
	"log/slog"
	"time"
)

// benchRecord is the record of the benchmarks and the allocation test: eight
// attributes, one a nested group, none sensitive.
func benchRecord() slog.Record {
	r := slog.NewRecord(time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), slog.LevelInfo, "fetched orchestration item", 0)
	r.AddAttrs(
		slog.String("operation", "fetch"),
		slog.String("instance_id", "order-42"),
		slog.Int64("duration_ms", 3),
		slog.Int("messages", 2),
		slog.String("error_type", "none"),
		slog.Bool("retryable", false),
		slog.Group("worker", slog.String("id", "w-1"), slog.Group("lease", slog.Int("renewed", 1))),
		slog.Duration("wait", 150*time.Millisecond),
	)
	return r
}
