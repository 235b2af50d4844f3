package postgres

import (
	"context"
	"time"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/internal/store"
)

// Orchestrator queue: fetch and enqueue. Each operation is one call of a
// server-side function (migrations/0001_init.sql): one statement, one round
// trip, one transaction.

const (
	sqlFetch = `SELECT * FROM provobs_fetch($1, $2)`

	sqlEnqueueOrch = `SELECT provobs_enqueue_orch($1, $2, $3, $4, $5, $6, $7)`
)

// FetchOrchestrationItem locks the instance of the oldest visible message
// whose lock is absent or expired, tags its visible messages with a fresh
// UUID token and increments their attempt counts in the same transaction,
// and returns them with the current execution's history. Candidate message
// rows are claimed with FOR UPDATE SKIP LOCKED, and an instance lost to a
// concurrent fetcher is skipped for the next candidate, so (nil, nil) means
// no eligible work. With opts.PollTimeout > 0 it waits up to that long; an
// enqueue, ack or abandon in any process sharing the schema wakes it, and
// a delayed message or expiring lock wakes it when it becomes eligible.
func (p *Provider) FetchOrchestrationItem(ctx context.Context, opts provobs.FetchOptions) (*provobs.OrchestrationItem, error) {
	const op = provobs.OpFetch
	if err := provobs.ValidateCall(ctx, op, p.closed.Load(), provobs.ValidateFetch(op, opts)); err != nil {
		return nil, err
	}
	lock := provobs.LockDuration(opts.LockTimeout, p.cfg.lockTimeout)
	return poll(p, ctx, op, opts.PollTimeout, p.lis.orch, func(wantNext bool) (*provobs.OrchestrationItem, time.Duration, error) {
		return p.fetchOnce(ctx, lock, wantNext)
	})
}

// fetchOnce is one look for work by a fetch: one call of provobs_fetch.
func (p *Provider) fetchOnce(ctx context.Context, lock time.Duration, wantNext bool) (*provobs.OrchestrationItem, time.Duration, error) {
	var (
		inst, token  *string
		exec         *int64
		attempts     *int32
		kinds        []int32
		execs, corrs []int64
		fires        []*int64
		payloads     [][]byte
		hIDs         []int64
		hKinds       []string
		hPayloads    [][]byte
		next         *int64
		now          int64
	)
	err := p.row(ctx, provobs.OpFetch, sqlFetch, []any{nanos(lock), wantNext},
		&inst, &exec, &token, &attempts, &kinds, &execs, &corrs, &fires, &payloads,
		&hIDs, &hKinds, &hPayloads, &next, &now)
	if err != nil {
		return nil, 0, err
	}
	if inst == nil {
		return nil, untilNext(next, now), nil
	}
	item := &provobs.OrchestrationItem{
		InstanceID:  *inst,
		ExecutionID: uint64(*exec),
		LockToken:   *token,
		Messages:    make([]provobs.WorkItem, len(kinds)),
		History:     make([]provobs.Event, len(hIDs)),
	}
	if attempts != nil {
		item.AttemptCount = int(*attempts)
	}
	for i := range kinds {
		item.Messages[i] = provobs.WorkItem{
			Kind:          provobs.WorkItemKind(kinds[i]),
			InstanceID:    *inst,
			ExecutionID:   uint64(execs[i]),
			CorrelationID: uint64(corrs[i]),
			FireAt:        store.FromNullNanos(fires[i]),
			Payload:       payloads[i],
		}
	}
	for i := range hIDs {
		item.History[i] = provobs.Event{ID: uint64(hIDs[i]), Kind: provobs.EventKind(hKinds[i]), Payload: hPayloads[i]}
	}
	return item, 0, nil
}

// EnqueueOrchestrator inserts a message for item.InstanceID, visible at
// now+delay (server clock), and notifies every process. It never creates
// the instance row.
func (p *Provider) EnqueueOrchestrator(ctx context.Context, item provobs.WorkItem, delay time.Duration) error {
	const op = provobs.OpEnqueue
	if err := provobs.ValidateCall(ctx, op, p.closed.Load(), provobs.ValidateOrchestratorItem(op, item), validateItemText(op, item), provobs.ValidateDelay(op, delay)); err != nil {
		return err
	}
	err := p.exec(ctx, op, sqlEnqueueOrch, item.InstanceID, int32(item.Kind), int64(item.ExecutionID),
		int64(item.CorrelationID), store.NullNanos(item.FireAt), item.Payload, nanos(delay))
	if err == nil {
		p.wake(true, false)
	}
	return err
}
