package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/provobs/provobs"
)

// What both queues (and the sessions and admin operations) share: the
// preamble and argument checks of every operation, and the helpers that
// read what the queues store.

// check is the common preamble of every operation.
func (p *Provider) check(ctx context.Context, op provobs.Op) error {
	if p.closed.Load() {
		return closedErr(op)
	}
	if err := ctx.Err(); err != nil {
		return canceledErr(op, err)
	}
	return nil
}

// lockFor returns the lock duration to use for a requested one.
func (p *Provider) lockFor(op provobs.Op, d time.Duration, what string) (time.Duration, error) {
	if d < 0 {
		return 0, invalidArg(op, "negative %s %v", what, d)
	}
	if d == 0 {
		return p.cfg.lockTimeout, nil
	}
	return d, nil
}

// nextVisible reads the time from sqlNextVisible (or the worker queue's
// equivalent): zero when nothing is due later.
func nextVisible(q queryer, query string, now int64) (time.Time, error) {
	var n sql.NullInt64
	err := q.queryRow(query, now).Scan(&n)
	return fromNanos(n.Int64), err
}

// payloadOut returns a stored payload: nil for NULL, empty (not nil) for an
// empty blob, so a payload round-trips exactly.
func payloadOut(b []byte, null bool) []byte {
	if null {
		return nil
	}
	if b == nil {
		return []byte{}
	}
	return b
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
