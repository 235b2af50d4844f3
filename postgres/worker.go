package postgres

import (
	"context"
	"time"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/internal/store"
)

// Worker queue: enqueue, dequeue, ack, abandon, renew; one function call
// each. Items are FIFO by id and peek-locked one at a time.

const (
	sqlEnqueueWorker = `SELECT provobs_enqueue_worker($1, $2, $3, $4, $5, $6, $7)`
	sqlDequeue       = `SELECT * FROM provobs_dequeue($1, $2, $3, $4, $5)`
	sqlAckWorker     = `SELECT provobs_ack_worker($1, $2, $3, $4, $5, $6, $7, $8)`
	sqlAbandonWorker = `SELECT provobs_abandon_worker($1, $2, $3)`
	sqlRenewWorker   = `SELECT provobs_renew_worker($1, $2)`
)

// EnqueueWorker inserts an unlocked, visible activity item and notifies
// every process; items are dequeued in insertion order.
func (p *Provider) EnqueueWorker(ctx context.Context, item provobs.WorkItem) error {
	const op = provobs.OpEnqueueWorker
	if err := provobs.ValidateCall(ctx, op, p.closed.Load(), provobs.ValidateWorkerItem(op, item), validateItemText(op, item)); err != nil {
		return err
	}
	err := p.exec(ctx, op, sqlEnqueueWorker, item.InstanceID, int32(item.Kind), int64(item.ExecutionID),
		int64(item.CorrelationID), item.SessionID, store.NullNanos(item.FireAt), item.Payload)
	if err == nil {
		p.wake(false, true)
	}
	return err
}

// DequeueWorker peek-locks the oldest eligible worker item with a fresh UUID
// token and increments its attempt count. With session == nil only
// session-less items are eligible; with a session config, session-less
// items, items of sessions session.OwnerID holds, and items of unowned or
// expired sessions, which it claims in the same transaction. Item rows are
// claimed with FOR UPDATE SKIP LOCKED, so (nil, nil) means no eligible
// work; opts.PollTimeout > 0 waits for some.
func (p *Provider) DequeueWorker(ctx context.Context, opts provobs.FetchOptions, session *provobs.SessionConfig) (*provobs.WorkerItem, error) {
	const op = provobs.OpDequeue
	if err := provobs.ValidateCall(ctx, op, p.closed.Load(), provobs.ValidateFetch(op, opts), provobs.ValidateSession(op, session)); err != nil {
		return nil, err
	}
	d := dequeue{lock: provobs.LockDuration(opts.LockTimeout, p.cfg.lockTimeout), withSession: session != nil}
	if session != nil {
		if err := validateText(op, "owner id", session.OwnerID); err != nil {
			return nil, err
		}
		d.owner, d.lease = session.OwnerID, provobs.LockDuration(session.LockTimeout, p.cfg.lockTimeout)
	}
	return poll(p, ctx, op, opts.PollTimeout, p.lis.worker, func(wantNext bool) (*provobs.WorkerItem, time.Duration, error) {
		return p.dequeueOnce(ctx, d, wantNext)
	})
}

// dequeue is what a DequeueWorker call asks of provobs_dequeue.
type dequeue struct {
	lock, lease time.Duration
	withSession bool
	owner       string
}

// dequeueOnce is one look for work by a dequeue: one call of
// provobs_dequeue.
func (p *Provider) dequeueOnce(ctx context.Context, d dequeue, wantNext bool) (*provobs.WorkerItem, time.Duration, error) {
	var (
		token, inst, sess *string
		kind, attempts    *int32
		exec, corr, fire  *int64
		payload           []byte
		next              *int64
		now               int64
	)
	err := p.row(ctx, provobs.OpDequeue, sqlDequeue, []any{nanos(d.lock), d.withSession, d.owner, nanos(d.lease), wantNext},
		&token, &inst, &kind, &exec, &corr, &sess, &fire, &payload, &attempts, &next, &now)
	if err != nil || token == nil {
		return nil, untilNext(next, now), err
	}
	return &provobs.WorkerItem{
		LockToken:    *token,
		AttemptCount: int(*attempts),
		Item: provobs.WorkItem{
			Kind:          provobs.WorkItemKind(*kind),
			InstanceID:    *inst,
			ExecutionID:   uint64(*exec),
			CorrelationID: uint64(*corr),
			SessionID:     *sess,
			FireAt:        store.FromNullNanos(fire),
			Payload:       payload,
		},
	}, 0, nil
}

// AckWorker deletes a locked worker item and, when completion is not nil,
// enqueues it to the orchestrator queue, in one transaction, and touches the
// item's session. An invalid or expired token fails with TypeLockLost and
// leaves the item to be fetched again after its lock expires.
func (p *Provider) AckWorker(ctx context.Context, lockToken string, completion *provobs.WorkItem) error {
	const op = provobs.OpAckWorker
	var c provobs.WorkItem
	if completion != nil {
		c = *completion
	}
	if err := provobs.ValidateCall(ctx, op, p.closed.Load(), provobs.ValidateCompletion(op, completion),
		validateItemText(op, c), provobs.ValidateToken(op, lockToken)); err != nil {
		return err
	}
	err := p.byToken(ctx, op, sqlAckWorker, lockToken, completion != nil, c.InstanceID, int32(c.Kind),
		int64(c.ExecutionID), int64(c.CorrelationID), store.NullNanos(c.FireAt), c.Payload)
	if err == nil {
		p.wake(completion != nil, true)
	}
	return err
}

// AbandonWorker releases a worker item lock without acking. The item
// becomes visible again after opts.Delay; opts.IgnoreAttempt gives back the
// attempt counted at dequeue (never below zero).
func (p *Provider) AbandonWorker(ctx context.Context, lockToken string, opts provobs.AbandonOptions) error {
	const op = provobs.OpAbandonWorker
	if err := provobs.ValidateCall(ctx, op, p.closed.Load(), provobs.ValidateAbandon(op, opts), provobs.ValidateToken(op, lockToken)); err != nil {
		return err
	}
	err := p.byToken(ctx, op, sqlAbandonWorker, lockToken, nanos(opts.Delay), store.BoolInt(opts.IgnoreAttempt))
	if err == nil {
		p.wake(false, true)
	}
	return err
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
	return p.byToken(ctx, op, sqlRenewWorker, lockToken, nanos(d))
}
