package postgres

import (
	"context"
	"time"

	"github.com/provobs/provobs"
)

// Sessions pin the worker items of one session id to one owner while its
// lease (locked_until) is alive. A dequeue claims an unowned or expired
// session, or keeps one its owner holds; last_activity records the owner's
// last dequeue, ack or renew of one of the session's items.

const (
	sqlRenewSessions   = `SELECT provobs_renew_sessions($1, $2, $3)`
	sqlCleanupSessions = `SELECT provobs_cleanup_sessions($1)`
)

// RenewSessionLock extends to now+extendFor (zero: the default lock
// timeout) the leases of the live sessions of ownerIDs that were active
// within idleTimeout (idleTimeout <= 0: no idle check), and returns how many
// it renewed. It never re-acquires an expired lease.
func (p *Provider) RenewSessionLock(ctx context.Context, ownerIDs []string, extendFor, idleTimeout time.Duration) (int, error) {
	const op = provobs.OpRenewSessionLock
	if err := provobs.ValidateCall(ctx, op, p.closed.Load(), provobs.ValidateExtension(op, extendFor), validateText(op, "owner id", ownerIDs...)); err != nil {
		return 0, err
	}
	d := provobs.LockDuration(extendFor, p.cfg.lockTimeout)
	if len(ownerIDs) == 0 {
		return 0, nil
	}
	var n int64
	if err := p.row(ctx, op, sqlRenewSessions, []any{ownerIDs, nanos(d), nanos(max(idleTimeout, 0))}, &n); err != nil {
		return 0, err
	}
	return int(n), nil
}

// CleanupOrphanedSessions deletes the sessions that have no queued worker
// items and whose lease expired or (idleTimeout > 0) whose last activity is
// older than idleTimeout, and returns how many it deleted.
func (p *Provider) CleanupOrphanedSessions(ctx context.Context, idleTimeout time.Duration) (int, error) {
	const op = provobs.OpCleanupOrphanedSessions
	if err := provobs.ValidateCall(ctx, op, p.closed.Load(), provobs.ValidateIdleTimeout(op, idleTimeout)); err != nil {
		return 0, err
	}
	var n int64
	if err := p.row(ctx, op, sqlCleanupSessions, []any{nanos(idleTimeout)}, &n); err != nil {
		return 0, err
	}
	return int(n), nil
}
