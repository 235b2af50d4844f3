package postgres

import (
	"context"
	"time"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/internal/store"
)

// Orchestrator queue: ack, abandon and renew, one function call each.

const (
	sqlAckOrch = `SELECT provobs_ack_orch($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
$18, $19, $20, $21, $22, $23, $24)`

	sqlAbandonOrch = `SELECT provobs_abandon_orch($1, $2, $3)`

	sqlRenewOrch = `SELECT provobs_renew_orch($1, $2)`
)

// AckOrchestrationItem commits one orchestration turn in one transaction
// (one call of provobs_ack_orch): it checks the lock, deletes the tagged
// messages, creates the instance and execution rows idempotently, appends
// the history delta, updates status and output, enqueues the worker items,
// deletes the cancelled activities, enqueues the orchestrator items (a
// TimerFired visible at its FireAt), releases the lock and notifies every
// process. On any failure nothing changes and the lock stays held.
func (p *Provider) AckOrchestrationItem(ctx context.Context, lockToken string, ack provobs.OrchestrationAck) error {
	const op = provobs.OpAckOrch
	if err := provobs.ValidateCall(ctx, op, p.closed.Load(), provobs.ValidateAck(op, ack), validateItemText(op, ack.WorkerItems...),
		validateItemText(op, ack.OrchestratorItems...), provobs.ValidateToken(op, lockToken)); err != nil {
		return err
	}
	md := ack.Metadata
	hIDs := make([]int64, len(ack.HistoryDelta))
	hKinds := make([]string, len(ack.HistoryDelta))
	hPayloads := make([][]byte, len(ack.HistoryDelta))
	for i, e := range ack.HistoryDelta {
		hIDs[i], hKinds[i], hPayloads[i] = int64(e.ID), string(e.Kind), e.Payload
	}
	w := columns(ack.WorkerItems)
	o := columns(ack.OrchestratorItems)
	cancel := make([]int64, len(ack.CancelledActivities))
	for i, c := range ack.CancelledActivities {
		cancel[i] = int64(c)
	}
	err := p.byToken(ctx, op, sqlAckOrch, lockToken, int64(ack.ExecutionID),
		md.Name, md.Version, string(md.Status), md.Output, md.Output != nil,
		hIDs, hKinds, hPayloads,
		w.inst, w.kind, w.exec, w.corr, w.session, w.fire, w.payload,
		cancel,
		o.inst, o.kind, o.exec, o.corr, o.fire, o.payload)
	if err == nil {
		p.wake(true, len(ack.WorkerItems) > 0)
	}
	return err
}

// itemColumns is a slice of work items turned into one array per column,
// for unnest on the server.
type itemColumns struct {
	inst, session []string
	kind          []int32
	exec, corr    []int64
	fire          []*int64
	payload       [][]byte
}

func columns(items []provobs.WorkItem) itemColumns {
	n := len(items)
	c := itemColumns{
		inst: make([]string, n), session: make([]string, n), kind: make([]int32, n),
		exec: make([]int64, n), corr: make([]int64, n), fire: make([]*int64, n), payload: make([][]byte, n),
	}
	for i, it := range items {
		c.inst[i], c.session[i], c.kind[i] = it.InstanceID, it.SessionID, int32(it.Kind)
		c.exec[i], c.corr[i] = int64(it.ExecutionID), int64(it.CorrelationID)
		c.fire[i], c.payload[i] = store.NullNanos(it.FireAt), it.Payload
	}
	return c
}

// AbandonOrchestrationItem releases an instance lock without acking. The
// tagged messages become visible again after opts.Delay; opts.IgnoreAttempt
// gives back the attempt counted at fetch (never below zero).
func (p *Provider) AbandonOrchestrationItem(ctx context.Context, lockToken string, opts provobs.AbandonOptions) error {
	const op = provobs.OpAbandonOrch
	if err := provobs.ValidateCall(ctx, op, p.closed.Load(), provobs.ValidateAbandon(op, opts), provobs.ValidateToken(op, lockToken)); err != nil {
		return err
	}
	err := p.byToken(ctx, op, sqlAbandonOrch, lockToken, nanos(opts.Delay), store.BoolInt(opts.IgnoreAttempt))
	if err == nil {
		p.wake(true, false)
	}
	return err
}

// RenewOrchestrationItemLock extends a still-valid instance lock to
// now+extendFor (zero: the default lock timeout). An invalid or expired
// token fails with TypeLockLost.
func (p *Provider) RenewOrchestrationItemLock(ctx context.Context, lockToken string, extendFor time.Duration) error {
	const op = provobs.OpRenewOrch
	if err := provobs.ValidateCall(ctx, op, p.closed.Load(), provobs.ValidateExtension(op, extendFor), provobs.ValidateToken(op, lockToken)); err != nil {
		return err
	}
	d := provobs.LockDuration(extendFor, p.cfg.lockTimeout)
	return p.byToken(ctx, op, sqlRenewOrch, lockToken, nanos(d))
}
