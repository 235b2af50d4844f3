package postgres

import (
	"time"
)

// Timestamps are Unix nanoseconds (bigint) from the server clock, as
// internal/store describes.

// maxDur caps every duration sent to the server (lock, delay, lease), so
// that now+d cannot overflow a bigint for the next century.
const maxDur = 100 * 365 * 24 * time.Hour

func nanos(d time.Duration) int64 { return int64(min(d, maxDur)) }

// untilNext converts a "next eligible" instant and the server's now into a
// wait; 0 when nothing is scheduled.
func untilNext(next *int64, now int64) time.Duration {
	if next == nil {
		return 0
	}
	return max(time.Duration(*next-now), time.Millisecond)
}
