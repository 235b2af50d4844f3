package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/provobs/provobs"
	"github.com/provobs/provobs/internal/store"
)

// Orchestrator queue: fetch and enqueue (ack, abandon and renew are in
// ack.go).

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
	if err := provobs.ValidateCall(ctx, op, p.closed.Load(), provobs.ValidateFetch(op, opts)); err != nil {
		return nil, err
	}
	f := orchFetch{lock: provobs.LockDuration(opts.LockTimeout, p.cfg.lockTimeout), wantNext: opts.PollTimeout > 0}
	return poll(p, ctx, op, opts.PollTimeout, p.w.orch, func() (*provobs.OrchestrationItem, time.Time, error) {
		return p.tryFetch(ctx, f)
	})
}

// tryFetch is one look for work by a fetch: on the read pool first when
// the last fetch found nothing, then in the writer.
func (p *Provider) tryFetch(ctx context.Context, f orchFetch) (*provobs.OrchestrationItem, time.Time, error) {
	const op = provobs.OpFetch
	if p.orchIdle.Load() {
		if found, next, err := p.precheckOrch(ctx, op, f.wantNext); err != nil || !found {
			return nil, next, err
		}
	}
	if err := p.submit(ctx, op, f.run, f.release); err != nil {
		return nil, time.Time{}, err
	}
	p.orchIdle.Store(f.got == nil)
	return f.got, f.next, nil
}

// orchFetch is one fetch's turn in the writer: run locks an instance and
// reads its batch, release gives the lock back when the caller left before
// the answer. tryFetch takes it by value, so each look has its own.
type orchFetch struct {
	lock     time.Duration
	wantNext bool
	got      *provobs.OrchestrationItem
	next     time.Time
}

func (f *orchFetch) run(t *wtx) (err error) {
	f.got, f.next, err = t.fetchOrch(f.lock, f.wantNext)
	return err
}

func (f *orchFetch) release(t *wtx) error {
	if f.got == nil {
		return nil
	}
	err := t.abandonOrch(f.got.LockToken, 0, true)
	if err == nil {
		t.w.log.LogAttrs(bg, slog.LevelDebug, "sqlite: released a lock its caller gave up on",
			slog.String(provobs.KeyOperation, provobs.OpFetch.String()), slog.String(provobs.KeyInstanceID, f.got.InstanceID))
	}
	return err
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
			fire        *int64
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
			FireAt:        store.FromNullNanos(fire),
			Payload:       store.PayloadOut(payload, payloadNull),
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

// EnqueueOrchestrator inserts a message for item.InstanceID, visible at
// now+delay. It never creates the instance row.
func (p *Provider) EnqueueOrchestrator(ctx context.Context, item provobs.WorkItem, delay time.Duration) error {
	const op = provobs.OpEnqueue
	if err := provobs.ValidateCall(ctx, op, p.closed.Load(), provobs.ValidateOrchestratorItem(op, item), provobs.ValidateDelay(op, delay)); err != nil {
		return err
	}
	return p.submit(ctx, op, func(t *wtx) error {
		return t.insertOrch(item, addDur(t.nowNanos(), delay))
	}, nil)
}

func (t *wtx) insertOrch(it provobs.WorkItem, visible int64) error {
	_, err := t.exec(sqlInsertOrch, it.InstanceID, int64(it.Kind), int64(it.ExecutionID), int64(it.CorrelationID),
		store.NullNanos(it.FireAt), it.Payload, visible)
	return err
}
