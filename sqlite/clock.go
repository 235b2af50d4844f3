package sqlite

import (
	"math"
	"time"
)

// Timestamps are stored as Unix nanoseconds (INTEGER) from the provider's
// clock, as internal/store describes.

func toNanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// addDur returns now+d in nanoseconds, saturating instead of overflowing.
func addDur(now int64, d time.Duration) int64 {
	if d > 0 && now > math.MaxInt64-int64(d) {
		return math.MaxInt64
	}
	return now + int64(d)
}

// durationMS renders an elapsed time for logs as slogprov does:
// milliseconds as a float64 rounded to the microsecond.
func durationMS(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
