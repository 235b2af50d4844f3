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

// maxID is the largest event or execution id the store orders correctly
// (SQLite integers are signed 64-bit).
const maxID = 1<<63 - 1

func validateOrchItem(op provobs.Op, it provobs.WorkItem) error {
	if it.InstanceID == "" {
		return invalidArg(op, "empty instance id")
	}
	if !it.Kind.Valid() {
		return invalidArg(op, "invalid work item kind %v", it.Kind)
	}
	if it.Kind == provobs.KindActivityExecute {
		return invalidArg(op, "%v item on the orchestrator queue", it.Kind)
	}
	return validateFireAt(op, it)
}

// validateFireAt refuses a FireAt that Unix nanoseconds cannot hold (before
// 1678 or after 2262) rather than let it wrap around.
func validateFireAt(op provobs.Op, it provobs.WorkItem) error {
	if !representable(it.FireAt) {
		return invalidArg(op, "fire time %v outside the years 1678 to 2262", it.FireAt)
	}
	return nil
}

func validateWorkerItem(op provobs.Op, it provobs.WorkItem) error {
	if it.InstanceID == "" {
		return invalidArg(op, "empty instance id")
	}
	if it.Kind != provobs.KindActivityExecute {
		return invalidArg(op, "%v item on the worker queue", it.Kind)
	}
	return validateFireAt(op, it)
}
