package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/internal/store"
)

// Orchestrator queue: ack, abandon and renew, by the token a fetch issued.

// AckOrchestrationItem commits one orchestration turn in one transaction:
// it checks the lock, deletes the tagged messages, creates the instance and
// execution rows idempotently, appends the history delta, updates status
// and output, enqueues the worker items, deletes the cancelled activities,
// enqueues the orchestrator items (a TimerFired visible at its FireAt) and
// releases the lock. On any failure nothing changes and the lock stays held.
func (p *Provider) AckOrchestrationItem(ctx context.Context, lockToken string, ack provobs.OrchestrationAck) error {
	const op = provobs.OpAckOrch
	if err := provobs.ValidateCall(ctx, op, p.closed.Load(), provobs.ValidateAck(op, ack), provobs.ValidateToken(op, lockToken)); err != nil {
		return err
	}
	return p.submit(ctx, op, func(t *wtx) error {
		return t.ackOrch(lockToken, &ack)
	}, nil)
}

const (
	sqlAckLock = `SELECT instance_id FROM instance_locks WHERE lock_token = ?1 AND locked_until > ?2`

	sqlDeleteBatch = `DELETE FROM orchestrator_queue WHERE instance_id = ?1 AND lock_token = ?2`

	// sqlUpsertInstance runs after sqlUpsertExecution. The instance's status
	// is its current execution's: an ack for the current or a newer
	// execution copies that execution's status; an ack for an older one
	// (a stale turn) leaves the instance's status and current execution
	// alone.
	sqlUpsertInstance = `INSERT INTO instances (instance_id, name, version, status, execution_id, created_at, updated_at)
VALUES (?1, ?2, ?3, (SELECT status FROM executions WHERE instance_id = ?1 AND execution_id = ?4), ?4, ?5, ?5)
ON CONFLICT (instance_id) DO UPDATE SET
    name = CASE WHEN ?2 <> '' THEN ?2 ELSE instances.name END,
    version = CASE WHEN ?3 <> '' THEN ?3 ELSE instances.version END,
    status = CASE WHEN ?4 >= instances.execution_id THEN excluded.status ELSE instances.status END,
    execution_id = max(instances.execution_id, ?4),
    updated_at = ?5`

	sqlUpsertExecution = `INSERT INTO executions (instance_id, execution_id, status, output, created_at, updated_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?5)
ON CONFLICT (instance_id, execution_id) DO UPDATE SET
    status = CASE WHEN ?6 <> '' THEN ?6 ELSE executions.status END,
    output = CASE WHEN ?7 THEN ?4 ELSE executions.output END,
    updated_at = ?5`

	sqlDeleteCancelled = `DELETE FROM worker_queue WHERE instance_id = ?1 AND execution_id = ?2 AND correlation_id = ?3`

	sqlReleaseInstance = `DELETE FROM instance_locks WHERE instance_id = ?1`
)

func (t *wtx) ackOrch(token string, ack *provobs.OrchestrationAck) error {
	now := t.nowNanos()
	var inst string
	switch err := t.queryRow(sqlAckLock, token, now).Scan(&inst); {
	case errors.Is(err, sql.ErrNoRows):
		return provobs.LockLostError(provobs.OpAckOrch)
	case err != nil:
		return err
	}
	if _, err := t.exec(sqlDeleteBatch, inst, token); err != nil {
		return err
	}
	md := ack.Metadata
	exec := int64(ack.ExecutionID)
	createStatus := md.Status
	if createStatus == "" {
		createStatus = provobs.StatusRunning
	}
	if _, err := t.exec(sqlUpsertExecution, inst, exec, string(createStatus), md.Output, now, string(md.Status), md.Output != nil); err != nil {
		return err
	}
	if _, err := t.exec(sqlUpsertInstance, inst, md.Name, md.Version, exec, now); err != nil {
		return err
	}
	if err := t.appendHistory(inst, exec, ack.HistoryDelta); err != nil {
		return err
	}
	for _, it := range ack.WorkerItems {
		if err := t.insertWorker(it, now); err != nil {
			return err
		}
	}
	for _, corr := range ack.CancelledActivities {
		if _, err := t.exec(sqlDeleteCancelled, inst, exec, int64(corr)); err != nil {
			return err
		}
	}
	for _, it := range ack.OrchestratorItems {
		visible := now
		if it.Kind == provobs.KindTimerFired && !it.FireAt.IsZero() {
			visible = it.FireAt.UnixNano()
		}
		if err := t.insertOrch(it, visible); err != nil {
			return err
		}
	}
	_, err := t.exec(sqlReleaseInstance, inst)
	return err
}

// AbandonOrchestrationItem releases an instance lock without acking. The
// tagged messages become visible again after opts.Delay; opts.IgnoreAttempt
// gives back the attempt counted at fetch (never below zero).
func (p *Provider) AbandonOrchestrationItem(ctx context.Context, lockToken string, opts provobs.AbandonOptions) error {
	const op = provobs.OpAbandonOrch
	if err := provobs.ValidateCall(ctx, op, p.closed.Load(), provobs.ValidateAbandon(op, opts), provobs.ValidateToken(op, lockToken)); err != nil {
		return err
	}
	return p.submit(ctx, op, func(t *wtx) error {
		return t.abandonOrch(lockToken, opts.Delay, opts.IgnoreAttempt)
	}, nil)
}

const (
	sqlAbandonLock = `DELETE FROM instance_locks WHERE lock_token = ?1 AND locked_until > ?2 RETURNING instance_id`

	sqlUntagBatch = `UPDATE orchestrator_queue SET lock_token = NULL,
    visible_at = coalesce(?3, visible_at),
    attempt_count = max(attempt_count - ?4, 0)
WHERE instance_id = ?1 AND lock_token = ?2`
)

func (t *wtx) abandonOrch(token string, delay time.Duration, ignoreAttempt bool) error {
	now := t.nowNanos()
	var inst string
	switch err := t.queryRow(sqlAbandonLock, token, now).Scan(&inst); {
	case errors.Is(err, sql.ErrNoRows):
		return provobs.LockLostError(provobs.OpAbandonOrch)
	case err != nil:
		return err
	}
	var visible any
	if delay > 0 {
		visible = addDur(now, delay)
	}
	_, err := t.exec(sqlUntagBatch, inst, token, visible, store.BoolInt(ignoreAttempt))
	return err
}

const sqlRenewInstance = `UPDATE instance_locks SET locked_until = ?1 WHERE lock_token = ?2 AND locked_until > ?3`

// RenewOrchestrationItemLock extends a still-valid instance lock to
// now+extendFor (zero: the default lock timeout). An invalid or expired
// token fails with TypeLockLost.
func (p *Provider) RenewOrchestrationItemLock(ctx context.Context, lockToken string, extendFor time.Duration) error {
	const op = provobs.OpRenewOrch
	if err := provobs.ValidateCall(ctx, op, p.closed.Load(), provobs.ValidateExtension(op, extendFor), provobs.ValidateToken(op, lockToken)); err != nil {
		return err
	}
	d := provobs.LockDuration(extendFor, p.cfg.lockTimeout)
	return p.submit(ctx, op, func(t *wtx) error {
		now := t.nowNanos()
		n, err := t.execN(sqlRenewInstance, addDur(now, d), lockToken, now)
		if err != nil {
			return err
		}
		if n == 0 {
			return provobs.LockLostError(op)
		}
		return nil
	}, nil)
}
