package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/provobs/provobs"
)

// Orchestrator queue: fetch, ack, abandon, renew and enqueue.

// Fetch candidates. A fetch takes the instance of the oldest visible message
// (by visible_at, then enqueue order) whose lock is absent or expired. Two
// indexed queries cover that without walking the batches other dispatchers
// hold: sqlFetchReady walks the untagged messages (orchestrator_queue_ready)
// and probes each one's lock by key; sqlFetchExpired walks the expired locks
// (instance_locks_by_expiry), which still own their tagged batches. The
// older of the two answers wins.
const (
	sqlFetchReady = `SELECT q.instance_id, q.visible_at, q.id FROM orchestrator_queue AS q
LEFT JOIN instance_locks AS l ON l.instance_id = q.instance_id
WHERE q.lock_token IS NULL AND q.visible_at <= ?1
  AND (l.locked_until IS NULL OR l.locked_until <= ?1)
ORDER BY q.visible_at, q.id LIMIT 1`

	sqlFetchExpired = `SELECT q.instance_id, q.visible_at, q.id FROM instance_locks AS l
JOIN orchestrator_queue AS q ON q.instance_id = l.instance_id
WHERE l.locked_until <= ?1 AND q.visible_at <= ?1
ORDER BY q.visible_at, q.id LIMIT 1`
)

// sqlLockInstance writes the instance lock. It replaces any row: the fetch
// runs it in the same IMMEDIATE transaction as the candidate query, which
// found the lock absent or expired, and nothing else writes in between.
const sqlLockInstance = `INSERT INTO instance_locks (instance_id, lock_token, locked_until) VALUES (?1, ?2, ?3)
ON CONFLICT (instance_id) DO UPDATE SET lock_token = excluded.lock_token, locked_until = excluded.locked_until`

const sqlTagBatch = `UPDATE orchestrator_queue SET lock_token = ?1, attempt_count = attempt_count + 1
WHERE instance_id = ?2 AND +visible_at <= ?3`

const sqlSelectBatch = `SELECT kind, execution_id, correlation_id, fire_at, payload, payload IS NULL, attempt_count
FROM orchestrator_queue WHERE instance_id = ?1 AND lock_token = ?2 ORDER BY id`

// sqlNextVisible is when the orchestrator queue may next offer work that is
// not offered now: the earliest future message (a timer, a delayed enqueue
// or abandon) or the earliest lock expiry (its batch, and messages that
// arrived under it, become fetchable). Both are index lookups.
const sqlNextVisible = `SELECT min(t) FROM (
  SELECT min(visible_at) AS t FROM orchestrator_queue WHERE lock_token IS NULL AND visible_at > ?1
  UNION ALL
  SELECT min(locked_until) FROM instance_locks WHERE locked_until > ?1)`

const sqlCurrentExecution = `SELECT execution_id FROM instances WHERE instance_id = ?1`

const sqlInsertOrch = `INSERT INTO orchestrator_queue
(instance_id, kind, execution_id, correlation_id, fire_at, payload, visible_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)`

// FetchOrchestrationItem locks the instance of the oldest visible message
// whose lock is absent or expired, tags its visible messages with a fresh
// UUID token and increments their attempt counts in the same transaction,
// and returns them with the current execution's history. (nil, nil) means
// no eligible work. With opts.PollTimeout > 0 it waits up to that long; an
// enqueue, ack or abandon in this process wakes it at once.
func (p *Provider) FetchOrchestrationItem(ctx context.Context, opts provobs.FetchOptions) (*provobs.OrchestrationItem, error) {
	const op = provobs.OpFetch
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
	var item *provobs.OrchestrationItem
	err = p.poll(ctx, op, opts.PollTimeout, p.w.orch, func() (bool, time.Time, error) {
		if p.orchIdle.Load() {
			if found, next, err := p.precheckOrch(ctx, op, opts.PollTimeout > 0); err != nil || !found {
				return false, next, err
			}
		}
		var next time.Time
		var got *provobs.OrchestrationItem
		run := func(t *wtx) error {
			var err error
			got, next, err = t.fetchOrch(lock, opts.PollTimeout > 0)
			return err
		}
		release := func(t *wtx) error {
			if got == nil {
				return nil
			}
			err := t.abandonOrch(got.LockToken, 0, true)
			if err == nil {
				t.w.log.LogAttrs(bg, slog.LevelDebug, "sqlite: released a lock its caller gave up on",
					slog.String(provobs.KeyOperation, op.String()), slog.String(provobs.KeyInstanceID, got.InstanceID))
			}
			return err
		}
		if err := p.submit(ctx, op, run, release); err != nil {
			return false, time.Time{}, err
		}
		item = got
		p.orchIdle.Store(got == nil)
		return got != nil, next, nil
	})
	if err != nil {
		return nil, err
	}
	return item, nil
}

// precheckOrch looks for a fetch candidate on the read pool, so an empty
// poll of a file store costs a read beside the writer, not a slot in its
// batch. Fetch runs it only after a fetch found nothing (orchIdle), so a
// busy queue goes straight to the writer. It reports found for an in-memory
// store, whose reads are writes.
func (p *Provider) precheckOrch(ctx context.Context, op provobs.Op, wantNext bool) (bool, time.Time, error) {
	if p.readDB == nil {
		return true, time.Time{}, nil
	}
	var found bool
	var next time.Time
	err := p.read(ctx, op, func(q queryer, now int64) error {
		inst, err := fetchCandidate(q, now)
		if err != nil || inst != "" || !wantNext {
			found = inst != ""
			return err
		}
		next, err = nextVisible(q, sqlNextVisible, now)
		return err
	})
	return found, next, err
}

// fetchCandidate returns the instance to fetch next, or "" when none is
// eligible.
func fetchCandidate(q queryer, now int64) (string, error) {
	var best struct {
		inst        string
		visible, id int64
	}
	for _, query := range [2]string{sqlFetchReady, sqlFetchExpired} {
		var inst string
		var visible, id int64
		err := q.queryRow(query, now).Scan(&inst, &visible, &id)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return "", err
		}
		if best.inst == "" || visible < best.visible || (visible == best.visible && id < best.id) {
			best.inst, best.visible, best.id = inst, visible, id
		}
	}
	return best.inst, nil
}

// fetchOrch is the fetch inside the writer's transaction. When it finds
// nothing and wantNext is set, it reports when work may next become
// visible.
func (t *wtx) fetchOrch(lock time.Duration, wantNext bool) (*provobs.OrchestrationItem, time.Time, error) {
	now := t.nowNanos()
	inst, err := fetchCandidate(t, now)
	if err != nil || inst == "" {
		if err != nil || !wantNext {
			return nil, time.Time{}, err
		}
		next, err := nextVisible(t, sqlNextVisible, now)
		return nil, next, err
	}
	token := uuid.NewString()
	if _, err := t.exec(sqlLockInstance, inst, token, addDur(now, lock)); err != nil {
		return nil, time.Time{}, err
	}
	item, err := t.loadBatch(inst, token, now)
	return item, time.Time{}, err
}

// loadBatch tags the visible messages of a freshly locked instance and reads
// them with its current history.
func (t *wtx) loadBatch(inst, token string, now int64) (*provobs.OrchestrationItem, error) {
	if _, err := t.exec(sqlTagBatch, token, inst, now); err != nil {
		return nil, err
	}
	item := &provobs.OrchestrationItem{InstanceID: inst, LockToken: token}
	rows, err := t.query(sqlSelectBatch, inst, token)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var (
			kind        int64
			exec, corr  int64
			fire        sql.NullInt64
			payload     []byte
			payloadNull bool
			attempts    int
		)
		if err := rows.Scan(&kind, &exec, &corr, &fire, &payload, &payloadNull, &attempts); err != nil {
			rows.Close()
			return nil, err
		}
		item.Messages = append(item.Messages, provobs.WorkItem{
			Kind:          provobs.WorkItemKind(kind),
			InstanceID:    inst,
			ExecutionID:   uint64(exec),
			CorrelationID: uint64(corr),
			FireAt:        fromNullNanos(fire),
			Payload:       payloadOut(payload, payloadNull),
		})
		item.AttemptCount = max(item.AttemptCount, attempts)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var exec int64
	switch err := t.queryRow(sqlCurrentExecution, inst).Scan(&exec); {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return nil, err
	}
	item.ExecutionID = uint64(exec)
	item.History, err = readEvents(t, inst, exec)
	if err != nil {
		return nil, err
	}
	return item, nil
}

// AckOrchestrationItem commits one orchestration turn in one transaction:
// it checks the lock, deletes the tagged messages, creates the instance and
// execution rows idempotently, appends the history delta, updates status
// and output, enqueues the worker items, deletes the cancelled activities,
// enqueues the orchestrator items (a TimerFired visible at its FireAt) and
// releases the lock. On any failure nothing changes and the lock stays held.
func (p *Provider) AckOrchestrationItem(ctx context.Context, lockToken string, ack provobs.OrchestrationAck) error {
	const op = provobs.OpAckOrch
	if err := p.check(ctx, op); err != nil {
		return err
	}
	if err := provobs.ValidateAck(op, ack); err != nil {
		return err
	}
	if lockToken == "" {
		return lockLost(op)
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
		return lockLost(provobs.OpAckOrch)
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

func (t *wtx) insertOrch(it provobs.WorkItem, visible int64) error {
	_, err := t.exec(sqlInsertOrch, it.InstanceID, int64(it.Kind), int64(it.ExecutionID), int64(it.CorrelationID),
		nullNanos(it.FireAt), it.Payload, visible)
	return err
}

// AbandonOrchestrationItem releases an instance lock without acking. The
// tagged messages become visible again after opts.Delay; opts.IgnoreAttempt
// gives back the attempt counted at fetch (never below zero).
func (p *Provider) AbandonOrchestrationItem(ctx context.Context, lockToken string, opts provobs.AbandonOptions) error {
	const op = provobs.OpAbandonOrch
	if err := p.check(ctx, op); err != nil {
		return err
	}
	if opts.Delay < 0 {
		return invalidArg(op, "negative delay %v", opts.Delay)
	}
	if lockToken == "" {
		return lockLost(op)
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
		return lockLost(provobs.OpAbandonOrch)
	case err != nil:
		return err
	}
	var visible any
	if delay > 0 {
		visible = addDur(now, delay)
	}
	_, err := t.exec(sqlUntagBatch, inst, token, visible, boolInt(ignoreAttempt))
	return err
}

const sqlRenewInstance = `UPDATE instance_locks SET locked_until = ?1 WHERE lock_token = ?2 AND locked_until > ?3`

// RenewOrchestrationItemLock extends a still-valid instance lock to
// now+extendFor (zero: the default lock timeout). An invalid or expired
// token fails with TypeLockLost.
func (p *Provider) RenewOrchestrationItemLock(ctx context.Context, lockToken string, extendFor time.Duration) error {
	const op = provobs.OpRenewOrch
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
	return p.submit(ctx, op, func(t *wtx) error {
		now := t.nowNanos()
		n, err := t.execN(sqlRenewInstance, addDur(now, d), lockToken, now)
		if err != nil {
			return err
		}
		if n == 0 {
			return lockLost(op)
		}
		return nil
	}, nil)
}

// EnqueueOrchestrator inserts a message for item.InstanceID, visible at
// now+delay. It never creates the instance row.
func (p *Provider) EnqueueOrchestrator(ctx context.Context, item provobs.WorkItem, delay time.Duration) error {
	const op = provobs.OpEnqueue
	if err := p.check(ctx, op); err != nil {
		return err
	}
	if err := provobs.ValidateOrchestratorItem(op, item); err != nil {
		return err
	}
	if delay < 0 {
		return invalidArg(op, "negative delay %v", delay)
	}
	return p.submit(ctx, op, func(t *wtx) error {
		return t.insertOrch(item, addDur(t.nowNanos(), delay))
	}, nil)
}
