package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/internal/store"
)

// Admin: queue depths and instance listing, one statement each.

const (
	sqlQueueDepths = `WITH clock AS (SELECT provobs_now() AS t) SELECT
  (SELECT count(*) FROM orchestrator_queue AS q, clock
    WHERE q.visible_at <= clock.t
      AND NOT EXISTS (SELECT 1 FROM instance_locks AS l WHERE l.instance_id = q.instance_id AND l.locked_until > clock.t)),
  (SELECT count(*) FROM worker_queue AS w, clock WHERE w.visible_at <= clock.t AND w.locked_until <= clock.t),
  (SELECT count(*) FROM orchestrator_queue AS q, clock WHERE q.lock_token IS NULL AND q.visible_at > clock.t)`

	sqlInstanceColumns = `SELECT i.instance_id, i.name, i.version, i.status, i.execution_id, e.output, i.created_at, i.updated_at
FROM instances AS i
LEFT JOIN executions AS e ON e.instance_id = i.instance_id AND e.execution_id = i.execution_id`

	sqlListInstances = sqlInstanceColumns + `
WHERE i.instance_id > $1 AND ($3 = '' OR i.status = $3) ORDER BY i.instance_id LIMIT $2`

	sqlInstanceInfo = sqlInstanceColumns + `
WHERE i.instance_id = $1`
)

// QueueDepths counts the visible orchestrator messages of unlocked (or
// lock-expired) instances, the visible free (or lock-expired) worker items,
// and the orchestrator messages scheduled in the future (timers, delayed
// enqueues and abandons).
func (p *Provider) QueueDepths(ctx context.Context) (provobs.QueueDepths, error) {
	const op = provobs.OpQueueDepths
	var d provobs.QueueDepths
	if err := provobs.ValidateCall(ctx, op, p.closed.Load()); err != nil {
		return d, err
	}
	if err := p.pool.QueryRow(ctx, sqlQueueDepths).Scan(&d.Orchestrator, &d.Worker, &d.Timer); err != nil {
		return provobs.QueueDepths{}, p.fail(ctx, op, err)
	}
	return d, nil
}

// ListInstances lists instances in instance-id order (byte order) after
// opts.After, keeping only opts.Status when it is set, at most opts.Limit
// of them (zero or less: 100).
func (p *Provider) ListInstances(ctx context.Context, opts provobs.ListOptions) ([]provobs.InstanceInfo, error) {
	const op = provobs.OpListInstances
	if err := provobs.ValidateCall(ctx, op, p.closed.Load()); err != nil {
		return nil, err
	}
	limit := provobs.ListLimit(opts)
	rows, err := p.pool.Query(ctx, sqlListInstances, opts.After, limit, string(opts.Status))
	if err != nil {
		return nil, p.fail(ctx, op, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (provobs.InstanceInfo, error) {
		info, err := scanInstance(r)
		if err != nil {
			return provobs.InstanceInfo{}, err
		}
		return *info, nil
	})
	if err != nil {
		return nil, p.fail(ctx, op, err)
	}
	if out == nil {
		out = []provobs.InstanceInfo{}
	}
	return out, nil
}

// InstanceInfo describes one instance; an unknown instance yields (nil, nil).
func (p *Provider) InstanceInfo(ctx context.Context, instanceID string) (*provobs.InstanceInfo, error) {
	const op = provobs.OpInstanceInfo
	if err := provobs.ValidateCall(ctx, op, p.closed.Load(), provobs.ValidateInstanceID(op, instanceID), validateText(op, "instance id", instanceID)); err != nil {
		return nil, err
	}
	info, err := scanInstance(p.pool.QueryRow(ctx, sqlInstanceInfo, instanceID))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, p.fail(ctx, op, err)
	}
	return info, nil
}

func scanInstance(s interface{ Scan(...any) error }) (*provobs.InstanceInfo, error) {
	var (
		info             provobs.InstanceInfo
		status           string
		exec             int64
		output           []byte
		created, updated int64
	)
	if err := s.Scan(&info.InstanceID, &info.Name, &info.Version, &status, &exec, &output, &created, &updated); err != nil {
		return nil, err
	}
	info.Status = provobs.InstanceStatus(status)
	info.ExecutionID = uint64(exec)
	info.Output = output
	info.CreatedAt = store.FromNanos(created)
	info.UpdatedAt = store.FromNanos(updated)
	return &info, nil
}
