package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/internal/store"
)

// Admin: queue depths and instance listing. Each is one statement, hence one
// consistent snapshot, on the read pool.

const (
	// sqlQueueDepths counts the orchestrator messages that are visible and
	// whose instance is not validly locked (a lock is instance-level, so a
	// message that arrived under a lock waits with the batch), the visible
	// worker items that are free or lock-expired, and the orchestrator
	// messages scheduled in the future (never tagged: a fetch tags only
	// visible messages and an abandon untags what it delays).
	sqlQueueDepths = `SELECT
  (SELECT count(*) FROM orchestrator_queue AS q
    WHERE q.visible_at <= ?1
      AND NOT EXISTS (SELECT 1 FROM instance_locks AS l WHERE l.instance_id = q.instance_id AND l.locked_until > ?1)),
  (SELECT count(*) FROM worker_queue WHERE visible_at <= ?1 AND locked_until <= ?1),
  (SELECT count(*) FROM orchestrator_queue WHERE lock_token IS NULL AND visible_at > ?1)`

	sqlInstanceColumns = `SELECT i.instance_id, i.name, i.version, i.status, i.execution_id, e.output, e.output IS NULL, i.created_at, i.updated_at
FROM instances AS i
LEFT JOIN executions AS e ON e.instance_id = i.instance_id AND e.execution_id = i.execution_id`

	sqlListInstances = sqlInstanceColumns + `
WHERE i.instance_id > ?1 ORDER BY i.instance_id LIMIT ?2`

	sqlListInstancesByStatus = sqlInstanceColumns + `
WHERE i.status = ?3 AND i.instance_id > ?1 ORDER BY i.instance_id LIMIT ?2`

	sqlInstanceInfo = sqlInstanceColumns + `
WHERE i.instance_id = ?1`
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
	err := p.read(ctx, op, func(q queryer, now int64) error {
		return q.queryRow(sqlQueueDepths, now).Scan(&d.Orchestrator, &d.Worker, &d.Timer)
	})
	if err != nil {
		return provobs.QueueDepths{}, err
	}
	return d, nil
}

// ListInstances lists instances in instance-id order after opts.After,
// keeping only opts.Status when it is set, at most opts.Limit of them
// (zero or less: 100).
func (p *Provider) ListInstances(ctx context.Context, opts provobs.ListOptions) ([]provobs.InstanceInfo, error) {
	const op = provobs.OpListInstances
	if err := provobs.ValidateCall(ctx, op, p.closed.Load()); err != nil {
		return nil, err
	}
	limit := provobs.ListLimit(opts)
	out := []provobs.InstanceInfo{}
	err := p.read(ctx, op, func(q queryer, _ int64) error {
		out = out[:0]
		var rows *sql.Rows
		var err error
		if opts.Status == "" {
			rows, err = q.query(sqlListInstances, opts.After, limit)
		} else {
			rows, err = q.query(sqlListInstancesByStatus, opts.After, limit, string(opts.Status))
		}
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			info, err := scanInstance(rows)
			if err != nil {
				return err
			}
			out = append(out, *info)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// InstanceInfo describes one instance; an unknown instance yields (nil, nil).
func (p *Provider) InstanceInfo(ctx context.Context, instanceID string) (*provobs.InstanceInfo, error) {
	const op = provobs.OpInstanceInfo
	if err := provobs.ValidateCall(ctx, op, p.closed.Load(), provobs.ValidateInstanceID(op, instanceID)); err != nil {
		return nil, err
	}
	var info *provobs.InstanceInfo
	err := p.read(ctx, op, func(q queryer, _ int64) error {
		var err error
		info, err = scanInstance(q.queryRow(sqlInstanceInfo, instanceID))
		if errors.Is(err, sql.ErrNoRows) {
			info, err = nil, nil
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return info, nil
}

func scanInstance(s interface{ Scan(...any) error }) (*provobs.InstanceInfo, error) {
	var (
		info             provobs.InstanceInfo
		status           string
		exec             int64
		output           []byte
		null             bool
		created, updated int64
	)
	if err := s.Scan(&info.InstanceID, &info.Name, &info.Version, &status, &exec, &output, &null, &created, &updated); err != nil {
		return nil, err
	}
	info.Status = provobs.InstanceStatus(status)
	info.ExecutionID = uint64(exec)
	info.Output = store.PayloadOut(output, null)
	info.CreatedAt = store.FromNanos(created)
	info.UpdatedAt = store.FromNanos(updated)
	return &info, nil
}
