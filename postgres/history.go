package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/provobs/provobs"
)

// History: append-only per (instance, execution, event id). Appends happen
// in the ack; reads are one statement, hence one consistent snapshot.

const (
	sqlSelectEvents = `SELECT event_id, kind, payload FROM history
WHERE instance_id = $1 AND execution_id = $2 ORDER BY event_id`

	sqlSelectLatestEvents = `SELECT event_id, kind, payload FROM history
WHERE instance_id = $1
  AND execution_id = (SELECT execution_id FROM instances WHERE instance_id = $1)
ORDER BY event_id`
)

// ReadHistory returns one execution's events in event-id order;
// executionID 0 means the current execution. An unknown instance or
// execution yields an empty slice and no error.
func (p *Provider) ReadHistory(ctx context.Context, instanceID string, executionID uint64) ([]provobs.Event, error) {
	const op = provobs.OpReadHistory
	if err := provobs.ValidateCall(ctx, op, p.closed.Load(), provobs.ValidateInstanceID(op, instanceID), validateText(op, "instance id", instanceID)); err != nil {
		return nil, err
	}
	if executionID > provobs.MaxID {
		return []provobs.Event{}, nil
	}
	query, args := sqlSelectEvents, []any{instanceID, int64(executionID)}
	if executionID == 0 {
		query, args = sqlSelectLatestEvents, []any{instanceID}
	}
	rows, err := p.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, p.fail(ctx, op, err)
	}
	events := []provobs.Event{}
	var (
		id      int64
		kind    string
		payload []byte
	)
	_, err = pgx.ForEachRow(rows, []any{&id, &kind, &payload}, func() error {
		events = append(events, provobs.Event{ID: uint64(id), Kind: provobs.EventKind(kind), Payload: payload})
		return nil
	})
	if err != nil {
		return nil, p.fail(ctx, op, err)
	}
	return events, nil
}
