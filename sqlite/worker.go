package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/provobs/provobs"
	"github.com/provobs/provobs/internal/store"
)

// Worker queue: enqueue, dequeue, ack, abandon, renew. Items are FIFO by id
// and peek-locked one at a time (locked_until 0 means free).

const (
	sqlInsertWorker = `INSERT INTO worker_queue
(instance_id, kind, execution_id, correlation_id, session_id, fire_at, payload, visible_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)`

	// sqlDequeuePlain finds the oldest free session-less item through
	// worker_queue_by_session (session_id = ''), in id order.
	sqlDequeuePlain = `SELECT id, session_id FROM worker_queue
WHERE session_id = '' AND visible_at <= ?1 AND locked_until <= ?1
ORDER BY id LIMIT 1`

	// sqlDequeueSession finds the oldest free item that is session-less, of
	// a session ?2 holds, or of a session nobody holds (absent or expired).
	sqlDequeueSession = `SELECT w.id, w.session_id FROM worker_queue AS w
LEFT JOIN sessions AS s ON s.session_id = w.session_id
WHERE w.visible_at <= ?1 AND w.locked_until <= ?1
  AND (w.session_id = '' OR s.session_id IS NULL OR s.owner_id = ?2 OR s.locked_until <= ?1)
ORDER BY w.id LIMIT 1`

	// sqlLockWorker locks the item the candidate query found in the same
	// IMMEDIATE transaction, so it is still free and visible.
	sqlLockWorker = `UPDATE worker_queue SET lock_token = ?1, locked_until = ?2, attempt_count = attempt_count + 1
WHERE id = ?3
RETURNING instance_id, kind, execution_id, correlation_id, session_id, fire_at, payload, payload IS NULL, attempt_count`

	sqlAckWorker = `DELETE FROM worker_queue WHERE lock_token = ?1 AND locked_until > ?2 RETURNING session_id`

	sqlAbandonWorker = `UPDATE worker_queue SET lock_token = NULL, locked_until = 0,
    visible_at = coalesce(?3, visible_at),
    attempt_count = max(attempt_count - ?4, 0)
WHERE lock_token = ?1 AND locked_until > ?2`

	sqlRenewWorker = `UPDATE worker_queue SET locked_until = ?1 WHERE lock_token = ?2 AND locked_until > ?3 RETURNING session_id`

	// sqlWorkerNext is when the worker queue may next offer an item it does
	// not offer now: an item becomes eligible when both its delay and its
	// lock have passed, and a session item when its session's lease ends.
	// It scans the live worker queue, and runs only for a long poll that
	// found nothing.
	sqlWorkerNext = `SELECT min(t) FROM (
  SELECT min(max(visible_at, locked_until)) AS t FROM worker_queue WHERE visible_at > ?1 OR locked_until > ?1
  UNION ALL
  SELECT min(locked_until) FROM sessions WHERE locked_until > ?1)`
)

func (t *wtx) insertWorker(it provobs.WorkItem, now int64) error {
	_, err := t.exec(sqlInsertWorker, it.InstanceID, int64(it.Kind), int64(it.ExecutionID), int64(it.CorrelationID),
		it.SessionID, store.NullNanos(it.FireAt), it.Payload, now)
	return err
}

// EnqueueWorker inserts an unlocked, visible activity item; items are
// dequeued in insertion order.
func (p *Provider) EnqueueWorker(ctx context.Context, item provobs.WorkItem) error {
	const op = provobs.OpEnqueueWorker
	if err := provobs.ValidateCall(ctx, op, p.closed.Load(), provobs.ValidateWorkerItem(op, item)); err != nil {
		return err
	}
	return p.submit(ctx, op, func(t *wtx) error {
		return t.insertWorker(item, t.nowNanos())
	}, nil)
}

// DequeueWorker peek-locks the oldest eligible worker item with a fresh UUID
// token and increments its attempt count. With session == nil only
// session-less items are eligible; with a session config, session-less
// items, items of sessions session.OwnerID holds, and items of unowned or
// expired sessions, which it claims in the same transaction. (nil, nil)
// means no eligible work; opts.PollTimeout > 0 waits for some.
func (p *Provider) DequeueWorker(ctx context.Context, opts provobs.FetchOptions, session *provobs.SessionConfig) (*provobs.WorkerItem, error) {
	const op = provobs.OpDequeue
	if err := provobs.ValidateCall(ctx, op, p.closed.Load(), provobs.ValidateFetch(op, opts), provobs.ValidateSession(op, session)); err != nil {
		return nil, err
	}
	d := workerDequeue{lock: provobs.LockDuration(opts.LockTimeout, p.cfg.lockTimeout), withSession: session != nil, wantNext: opts.PollTimeout > 0}
	if session != nil {
		d.owner, d.lease = session.OwnerID, provobs.LockDuration(session.LockTimeout, p.cfg.lockTimeout)
	}
	return poll(p, ctx, op, opts.PollTimeout, p.w.worker, func() (*provobs.WorkerItem, time.Time, error) {
		return p.tryDequeue(ctx, d)
	})
}

// tryDequeue is one look for work by a dequeue, as tryFetch is for a
// fetch.
func (p *Provider) tryDequeue(ctx context.Context, d workerDequeue) (*provobs.WorkerItem, time.Time, error) {
	const op = provobs.OpDequeue
	if p.workerIdle.Load() {
		if found, next, err := p.precheckWorker(ctx, op, d.withSession, d.owner, d.wantNext); err != nil || !found {
			return nil, next, err
		}
	}
	if err := p.submit(ctx, op, d.run, d.release); err != nil {
		return nil, time.Time{}, err
	}
	p.workerIdle.Store(d.got == nil)
	return d.got, d.next, nil
}

// workerDequeue is one dequeue's turn in the writer, as orchFetch is a
// fetch's.
type workerDequeue struct {
	lock, lease           time.Duration
	withSession, wantNext bool
	owner                 string
	got                   *provobs.WorkerItem
	next                  time.Time
}

func (d *workerDequeue) run(t *wtx) (err error) {
	d.got, d.next, err = t.dequeue(d.lock, d.withSession, d.owner, d.lease, d.wantNext)
	return err
}

func (d *workerDequeue) release(t *wtx) error {
	if d.got == nil {
		return nil
	}
	return t.abandonWorker(d.got.LockToken, 0, true)
}

// precheckWorker looks for a dequeue candidate on the read pool (see
// precheckOrch).
func (p *Provider) precheckWorker(ctx context.Context, op provobs.Op, withSession bool, owner string, wantNext bool) (bool, time.Time, error) {
	if p.readDB == nil {
		return true, time.Time{}, nil
	}
	var found bool
	var next time.Time
	err := p.read(ctx, op, func(q queryer, now int64) error {
		var err error
		_, found, err = dequeueCandidate(q, now, withSession, owner)
		if err != nil || found || !wantNext {
			return err
		}
		next, err = nextVisible(q, sqlWorkerNext, now)
		return err
	})
	return found, next, err
}

// dequeueCandidate returns the id of the oldest eligible worker item and
// its session.
func dequeueCandidate(q queryer, now int64, withSession bool, owner string) (id int64, found bool, err error) {
	var sid string
	if withSession {
		err = q.queryRow(sqlDequeueSession, now, owner).Scan(&id, &sid)
	} else {
		err = q.queryRow(sqlDequeuePlain, now).Scan(&id, &sid)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	return id, err == nil, err
}

// dequeue is the dequeue inside the writer's transaction. When it finds
// nothing and wantNext is set, it reports when an item may next become
// eligible.
func (t *wtx) dequeue(lock time.Duration, withSession bool, owner string, lease time.Duration, wantNext bool) (*provobs.WorkerItem, time.Time, error) {
	now := t.nowNanos()
	id, found, err := dequeueCandidate(t, now, withSession, owner)
	if err != nil || !found {
		if err != nil || !wantNext {
			return nil, time.Time{}, err
		}
		next, err := nextVisible(t, sqlWorkerNext, now)
		return nil, next, err
	}
	token := uuid.NewString()
	var (
		wi               provobs.WorkerItem
		inst, sess       string
		kind, exec, corr int64
		fire             *int64
		payload          []byte
		null             bool
	)
	err = t.queryRow(sqlLockWorker, token, addDur(now, lock), id).
		Scan(&inst, &kind, &exec, &corr, &sess, &fire, &payload, &null, &wi.AttemptCount)
	if err != nil {
		return nil, time.Time{}, err
	}
	if sess != "" {
		// The candidate query found the session free, expired or held by
		// owner, in this transaction: the claim always takes.
		if _, err := t.exec(sqlClaimSession, sess, owner, addDur(now, lease), now); err != nil {
			return nil, time.Time{}, err
		}
	}
	wi.LockToken = token
	wi.Item = provobs.WorkItem{
		Kind:          provobs.WorkItemKind(kind),
		InstanceID:    inst,
		ExecutionID:   uint64(exec),
		CorrelationID: uint64(corr),
		SessionID:     sess,
		FireAt:        store.FromNullNanos(fire),
		Payload:       store.PayloadOut(payload, null),
	}
	return &wi, time.Time{}, nil
}

// AckWorker deletes a locked worker item and, when completion is not nil,
// enqueues it to the orchestrator queue, in one transaction, and touches the
// item's session. An invalid or expired token fails with TypeLockLost and
// leaves the item to be fetched again after its lock expires.
func (p *Provider) AckWorker(ctx context.Context, lockToken string, completion *provobs.WorkItem) error {
	const op = provobs.OpAckWorker
	if err := provobs.ValidateCall(ctx, op, p.closed.Load(), provobs.ValidateCompletion(op, completion), provobs.ValidateToken(op, lockToken)); err != nil {
		return err
	}
	var c provobs.WorkItem
	if completion != nil {
		c = *completion
	}
	return p.submit(ctx, op, func(t *wtx) error {
		now := t.nowNanos()
		var sid string
		switch err := t.queryRow(sqlAckWorker, lockToken, now).Scan(&sid); {
		case errors.Is(err, sql.ErrNoRows):
			return provobs.LockLostError(op)
		case err != nil:
			return err
		}
		if completion != nil {
			if err := t.insertOrch(c, now); err != nil {
				return err
			}
		}
		return t.touchSession(sid, now)
	}, nil)
}

// AbandonWorker releases a worker item lock without acking. The item
// becomes visible again after opts.Delay; opts.IgnoreAttempt gives back the
// attempt counted at dequeue (never below zero).
func (p *Provider) AbandonWorker(ctx context.Context, lockToken string, opts provobs.AbandonOptions) error {
	const op = provobs.OpAbandonWorker
	if err := provobs.ValidateCall(ctx, op, p.closed.Load(), provobs.ValidateAbandon(op, opts), provobs.ValidateToken(op, lockToken)); err != nil {
		return err
	}
	return p.submit(ctx, op, func(t *wtx) error {
		return t.abandonWorker(lockToken, opts.Delay, opts.IgnoreAttempt)
	}, nil)
}

func (t *wtx) abandonWorker(token string, delay time.Duration, ignoreAttempt bool) error {
	now := t.nowNanos()
	var visible any
	if delay > 0 {
		visible = addDur(now, delay)
	}
	n, err := t.execN(sqlAbandonWorker, token, now, visible, store.BoolInt(ignoreAttempt))
	if err != nil {
		return err
	}
	if n == 0 {
		return provobs.LockLostError(provobs.OpAbandonWorker)
	}
	return nil
}

// RenewWorkerLock extends a still-valid worker item lock to now+extendFor
// (zero: the default lock timeout) and touches its session. TypeLockLost
// tells the worker its activity was cancelled or taken over.
func (p *Provider) RenewWorkerLock(ctx context.Context, lockToken string, extendFor time.Duration) error {
	const op = provobs.OpRenewWorker
	if err := provobs.ValidateCall(ctx, op, p.closed.Load(), provobs.ValidateExtension(op, extendFor), provobs.ValidateToken(op, lockToken)); err != nil {
		return err
	}
	d := provobs.LockDuration(extendFor, p.cfg.lockTimeout)
	return p.submit(ctx, op, func(t *wtx) error {
		now := t.nowNanos()
		var sid string
		switch err := t.queryRow(sqlRenewWorker, addDur(now, d), lockToken, now).Scan(&sid); {
		case errors.Is(err, sql.ErrNoRows):
			return provobs.LockLostError(op)
		case err != nil:
			return err
		}
		return t.touchSession(sid, now)
	}, nil)
}
