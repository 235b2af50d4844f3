package sqlite

import (
	"context"
	"encoding/json"
	"time"

	"github.com/provobs/provobs"
)

// Sessions pin the worker items of one session id to one owner while its
// lease (locked_until) is alive. A dequeue claims an unowned or expired
// session, or keeps one its owner holds; last_activity records the owner's
// last dequeue, ack or renew of one of the session's items.

const (
	// sqlClaimSession claims or keeps a session for owner ?2 with a lease to
	// ?3 (never shortening the owner's lease). The dequeue runs it only for
	// a session its candidate query found free, expired or held by ?2.
	sqlClaimSession = `INSERT INTO sessions (session_id, owner_id, locked_until, last_activity) VALUES (?1, ?2, ?3, ?4)
ON CONFLICT (session_id) DO UPDATE SET
    owner_id = ?2,
    locked_until = max(sessions.locked_until, ?3),
    last_activity = ?4`

	sqlTouchSession = `UPDATE sessions SET last_activity = ?2 WHERE session_id = ?1`

	// sqlRenewSessions extends the live leases of the owners in the JSON
	// array ?1 whose last activity is within the idle window (?4 is the
	// oldest accepted activity time; NULL disables the idle check).
	sqlRenewSessions = `UPDATE sessions SET locked_until = ?2
WHERE owner_id IN (SELECT value FROM json_each(?1))
  AND locked_until > ?3
  AND (?4 IS NULL OR last_activity >= ?4)`

	// sqlCleanupSessions deletes the sessions without queued items whose
	// lease expired or (?2 not NULL) whose last activity is before ?2.
	sqlCleanupSessions = `DELETE FROM sessions
WHERE (locked_until <= ?1 OR (?2 IS NOT NULL AND last_activity < ?2))
  AND NOT EXISTS (SELECT 1 FROM worker_queue AS w WHERE w.session_id = sessions.session_id)`
)

// touchSession records activity on session sid ("" for none).
func (t *wtx) touchSession(sid string, now int64) error {
	if sid == "" {
		return nil
	}
	_, err := t.exec(sqlTouchSession, sid, now)
	return err
}

// RenewSessionLock extends to now+extendFor (zero: the default lock
// timeout) the leases of the live sessions of ownerIDs that were active
// within idleTimeout (idleTimeout <= 0: no idle check), and returns how many
// it renewed. It never re-acquires an expired lease.
func (p *Provider) RenewSessionLock(ctx context.Context, ownerIDs []string, extendFor, idleTimeout time.Duration) (int, error) {
	const op = provobs.OpRenewSessionLock
	if err := provobs.ValidateCall(ctx, op, p.closed.Load(), provobs.ValidateExtension(op, extendFor)); err != nil {
		return 0, err
	}
	d := provobs.LockDuration(extendFor, p.cfg.lockTimeout)
	if len(ownerIDs) == 0 {
		return 0, nil
	}
	owners, err := json.Marshal(ownerIDs)
	if err != nil {
		return 0, provobs.InvalidArgumentError(op, "owner ids: %v", err)
	}
	var n int64
	err = p.submit(ctx, op, func(t *wtx) error {
		now := t.nowNanos()
		var since any
		if idleTimeout > 0 {
			since = now - int64(idleTimeout)
		}
		var err error
		n, err = t.execN(sqlRenewSessions, string(owners), addDur(now, d), now, since)
		return err
	}, nil)
	return int(n), err
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
	err := p.submit(ctx, op, func(t *wtx) error {
		now := t.nowNanos()
		var before any
		if idleTimeout > 0 {
			before = now - int64(idleTimeout)
		}
		var err error
		n, err = t.execN(sqlCleanupSessions, now, before)
		return err
	}, nil)
	return int(n), err
}
