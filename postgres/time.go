package postgres

import (
	"time"
)

// Timestamps are Unix nanoseconds (bigint) from the server clock. A zero
// time.Time is stored as NULL and read back as the zero time, so every
// representable instant, the Unix epoch included, round-trips exactly.

// maxDur caps every duration sent to the server (lock, delay, lease), so
// that now+d cannot overflow a bigint for the next century.
const maxDur = 100 * 365 * 24 * time.Hour

func nanos(d time.Duration) int64 { return int64(min(d, maxDur)) }

// nullNanos stores an optional instant: NULL for the zero time.
func nullNanos(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	n := t.UnixNano()
	return &n
}

func fromNullNanos(n *int64) time.Time {
	if n == nil {
		return time.Time{}
	}
	return time.Unix(0, *n)
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}

// untilNext converts a "next eligible" instant and the server's now into a
// wait; 0 when nothing is scheduled.
func untilNext(next *int64, now int64) time.Duration {
	if next == nil {
		return 0
	}
	return max(time.Duration(*next-now), time.Millisecond)
}

// payloadOut returns a stored payload: nil for NULL, empty (not nil) for
// an empty bytea.
func payloadOut(b []byte, null bool) []byte {
	if null {
		return nil
	}
	if b == nil {
		return []byte{}
	}
	return b
}
