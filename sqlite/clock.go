package sqlite

import (
	"database/sql"
	"math"
	"time"
)

// Timestamps are stored as Unix nanoseconds (INTEGER), which hold the years
// 1678 to 2262. A zero time.Time is stored as NULL (nullNanos) and read back
// as the zero time, so every representable instant, the Unix epoch
// included, round-trips exactly. Times outside the range are refused by
// provobs.ValidateOrchestratorItem before they reach the store.

func toNanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// nullNanos stores an optional instant: NULL for the zero time.
func nullNanos(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixNano()
}

// fromNullNanos reads what nullNanos stored.
func fromNullNanos(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(0, n.Int64)
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
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
