package stress

import (
	"strconv"

	"github.com/provobs/provobs"
)

// The orchestration the harness runs: fan out TasksPerInstance activities,
// fan in their completions, complete. Its state is derived from history and
// the fetched batch alone, as a replaying runtime would.

const orchestrationName = "stress.fanout"

// turn is the outcome of one orchestration turn.
type turn struct {
	ack      provobs.OrchestrationAck
	done     bool   // the ack completes or fails the orchestration
	failure  string // cause when the ack fails it
	complete bool   // completed successfully
}

// decide computes the ack for a fetched batch.
func (r *runner) decide(item *provobs.OrchestrationItem) turn {
	exec := item.ExecutionID
	history := item.History
	var next uint64 = 1
	if n := len(history); n > 0 {
		next = history[n-1].ID + 1
	}
	event := func(kind provobs.EventKind, payload []byte) provobs.Event {
		e := provobs.Event{ID: next, Kind: kind, Payload: payload}
		next++
		return e
	}

	if finished(history) {
		// A message for an orchestration that already completed or failed,
		// such as the result of another activity after one was poisoned:
		// consume it and record nothing, so the end is recorded once.
		return turn{ack: provobs.OrchestrationAck{ExecutionID: exec}}
	}

	if item.AttemptCount > r.cfg.MaxAttempts {
		if exec == 0 {
			exec = 1
		}
		return r.fail(exec, event, CausePoison)
	}

	var t turn
	if len(history) == 0 {
		// First turn: start and fan out.
		exec = 1
		t.ack.Metadata = provobs.InstanceMetadata{Name: orchestrationName, Version: "1", Status: provobs.StatusRunning}
		t.ack.HistoryDelta = append(t.ack.HistoryDelta, event(provobs.EventOrchestrationStarted, nil))
		for range r.cfg.TasksPerInstance {
			e := event(provobs.EventActivityScheduled, nil)
			t.ack.HistoryDelta = append(t.ack.HistoryDelta, e)
			t.ack.WorkerItems = append(t.ack.WorkerItems, provobs.WorkItem{
				Kind:          provobs.KindActivityExecute,
				InstanceID:    item.InstanceID,
				ExecutionID:   exec,
				CorrelationID: e.ID,
				Payload:       r.cfg.ActivityInput,
			})
		}
	}
	t.ack.ExecutionID = exec

	// Fan in: record each completion once.
	completed := map[uint64]bool{}
	for _, e := range history {
		if e.Kind == provobs.EventActivityCompleted {
			completed[correlation(e)] = true
		}
	}
	for _, m := range item.Messages {
		switch m.Kind {
		case provobs.KindActivityCompleted:
			if !completed[m.CorrelationID] {
				completed[m.CorrelationID] = true
				t.ack.HistoryDelta = append(t.ack.HistoryDelta, event(provobs.EventActivityCompleted, []byte(strconv.FormatUint(m.CorrelationID, 10))))
			}
		case provobs.KindActivityFailed:
			return r.fail(exec, event, CausePoison)
		}
	}
	if len(completed) >= r.cfg.TasksPerInstance {
		t.ack.HistoryDelta = append(t.ack.HistoryDelta, event(provobs.EventOrchestrationCompleted, nil))
		t.ack.Metadata.Status = provobs.StatusCompleted
		t.ack.Metadata.Output = []byte("ok")
		t.done, t.complete = true, true
	}
	return t
}

func (r *runner) fail(exec uint64, event func(provobs.EventKind, []byte) provobs.Event, cause string) turn {
	return turn{
		ack: provobs.OrchestrationAck{
			ExecutionID:  exec,
			HistoryDelta: []provobs.Event{event(provobs.EventOrchestrationFailed, []byte(cause))},
			Metadata:     provobs.InstanceMetadata{Name: orchestrationName, Version: "1", Status: provobs.StatusFailed, Output: []byte(cause)},
		},
		done:    true,
		failure: cause,
	}
}

// finished reports whether history records the end of the orchestration.
func finished(history []provobs.Event) bool {
	for _, e := range history {
		if e.Kind == provobs.EventOrchestrationCompleted || e.Kind == provobs.EventOrchestrationFailed {
			return true
		}
	}
	return false
}

// correlation reads the activity id an ActivityCompleted event records.
func correlation(e provobs.Event) uint64 {
	id, _ := strconv.ParseUint(string(e.Payload), 10, 64)
	return id
}
