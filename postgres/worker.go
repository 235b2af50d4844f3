package postgres

import (
	"context"
	"time"

	"github.com/provobs/provobs"
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
	if err := p.check(ctx, op); err != nil {
		return err
	}
	if err := validateWorkerItem(op, item); err != nil {
		return err
	}
	err := p.exec(ctx, op, sqlEnqueueWorker, item.InstanceID, int32(item.Kind), int64(item.ExecutionID),
		int64(item.CorrelationID), item.SessionID, nullNanos(item.FireAt), item.Payload)
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
	if err := p.check(ctx, op); err != nil {
		return nil, err
	}
	lock, err := p.lockFor(op, opts.LockTimeout, "lock timeout")
	if err != nil {
		return nil, err
	}
	if opts.PollTimeout < 0 {
		return nil, invalidArg(op, "negative poll timeout %v", opts.PollTimeout)
	}
	var owner string
	var lease time.Duration
	if session != nil {
		if session.OwnerID == "" {
			return nil, invalidArg(op, "session config with an empty owner id")
		}
		if err := validateID(op, "owner id", session.OwnerID); err != nil {
			return nil, err
		}
		owner = session.OwnerID
		if lease, err = p.lockFor(op, session.LockTimeout, "session lock timeout"); err != nil {
			return nil, err
		}
	}
	var item *provobs.WorkerItem
	err = p.poll(ctx, op, opts.PollTimeout, p.lis.worker, func(wantNext bool) (bool, time.Duration, error) {
		var (
			token, inst, sess *string
			kind, attempts    *int32
			exec, corr, fire  *int64
			payload           []byte
			next              *int64
			now               int64
		)
		err := p.row(ctx, op, sqlDequeue, []any{nanos(lock), session != nil, owner, nanos(lease), wantNext},
			&token, &inst, &kind, &exec, &corr, &sess, &fire, &payload, &attempts, &next, &now)
		if err != nil {
			return false, 0, err
		}
		if token == nil {
			return false, untilNext(next, now), nil
		}
		item = &provobs.WorkerItem{
			LockToken:    *token,
			AttemptCount: int(*attempts),
			Item: provobs.WorkItem{
				Kind:          provobs.WorkItemKind(*kind),
				InstanceID:    *inst,
				ExecutionID:   uint64(*exec),
				CorrelationID: uint64(*corr),
				SessionID:     *sess,
				FireAt:        fromNullNanos(fire),
				Payload:       payload,
			},
		}
		return true, 0, nil
	})
	if err != nil {
		return nil, err
	}
	return item, nil
}

// AckWorker deletes a locked worker item and, when completion is not nil,
// enqueues it to the orchestrator queue, in one transaction, and touches the
// item's session. An invalid or expired token fails with TypeLockLost and
// leaves the item to be fetched again after its lock expires.
func (p *Provider) AckWorker(ctx context.Context, lockToken string, completion *provobs.WorkItem) error {
	const op = provobs.OpAckWorker
	if err := p.check(ctx, op); err != nil {
		return err
	}
	var c provobs.WorkItem
	if completion != nil {
		if err := validateOrchItem(op, *completion); err != nil {
			return err
		}
		c = *completion
	}
	if lockToken == "" {
		return lockLost(op)
	}
	err := p.byToken(ctx, op, sqlAckWorker, lockToken, completion != nil, c.InstanceID, int32(c.Kind),
		int64(c.ExecutionID), int64(c.CorrelationID), nullNanos(c.FireAt), c.Payload)
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
	if err := p.check(ctx, op); err != nil {
		return err
	}
	if opts.Delay < 0 {
		return invalidArg(op, "negative delay %v", opts.Delay)
	}
	if lockToken == "" {
		return lockLost(op)
	}
	err := p.byToken(ctx, op, sqlAbandonWorker, lockToken, nanos(opts.Delay), boolInt(opts.IgnoreAttempt))
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
	if err := p.check(ctx, op); err != nil {
		return err
	}
	d, err := p.lockFor(op, extendFor, "extension")
	if err != nil {
		return err
	}
	if lockToken == "" {
		return lockLost(op)
	}
	return p.byToken(ctx, op, sqlRenewWorker, lockToken, nanos(d))
}
