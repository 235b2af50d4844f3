package sqlite

import (
	"context"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/internal/store"
)

// History: append-only per (instance, execution, event id).

const (
	sqlInsertEvent = `INSERT INTO history (instance_id, execution_id, event_id, kind, payload) VALUES (?1, ?2, ?3, ?4, ?5)`

	sqlSelectEvents = `SELECT event_id, kind, payload, payload IS NULL FROM history
WHERE instance_id = ?1 AND execution_id = ?2 ORDER BY event_id`

	// sqlSelectLatestEvents reads the current execution in one statement, so
	// it is one consistent snapshot without a transaction.
	sqlSelectLatestEvents = `SELECT event_id, kind, payload, payload IS NULL FROM history
WHERE instance_id = ?1
  AND execution_id = (SELECT execution_id FROM instances WHERE instance_id = ?1)
ORDER BY event_id`
)

// appendHistory inserts events; a duplicate id fails with a constraint
// error, which the writer classifies as TypeConflict and rolls back.
func (t *wtx) appendHistory(inst string, exec int64, events []provobs.Event) error {
	for _, e := range events {
		if _, err := t.exec(sqlInsertEvent, inst, exec, int64(e.ID), string(e.Kind), e.Payload); err != nil {
			return err
		}
	}
	return nil
}

// readEvents reads one execution's events (exec 0: the current one) in id
// order; never nil.
func readEvents(q queryer, inst string, exec int64) ([]provobs.Event, error) {
	query, args := sqlSelectEvents, []any{inst, exec}
	if exec == 0 {
		query, args = sqlSelectLatestEvents, []any{inst}
	}
	rows, err := q.query(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	events := []provobs.Event{}
	for rows.Next() {
		var (
			id      int64
			kind    string
			payload []byte
			null    bool
		)
		if err := rows.Scan(&id, &kind, &payload, &null); err != nil {
			return nil, err
		}
		events = append(events, provobs.Event{ID: uint64(id), Kind: provobs.EventKind(kind), Payload: store.PayloadOut(payload, null)})
	}
	return events, rows.Err()
}

// ReadHistory returns one execution's events in event-id order;
// executionID 0 means the current execution. An unknown instance or
// execution yields an empty slice and no error.
func (p *Provider) ReadHistory(ctx context.Context, instanceID string, executionID uint64) ([]provobs.Event, error) {
	const op = provobs.OpReadHistory
	if err := provobs.ValidateCall(ctx, op, p.closed.Load(), provobs.ValidateInstanceID(op, instanceID)); err != nil {
		return nil, err
	}
	if executionID > provobs.MaxID {
		return []provobs.Event{}, nil
	}
	var events []provobs.Event
	err := p.read(ctx, op, func(q queryer, _ int64) error {
		var err error
		events, err = readEvents(q, instanceID, int64(executionID))
		return err
	})
	if err != nil {
		return nil, err
	}
	return events, nil
}
