package stress

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/provobs/provobs"
)

// A batch for an orchestration that already ended (late activity results
// after a poisoned one, even a poisoned batch) is consumed without a new
// event: the end is recorded once.
func TestDecideConsumesMessagesOfFinishedOrchestration(t *testing.T) {
	t.Parallel()
	r := &runner{cfg: Config{TasksPerInstance: 2, MaxAttempts: 3}.withDefaults()}
	history := []provobs.Event{
		{ID: 1, Kind: provobs.EventOrchestrationStarted},
		{ID: 2, Kind: provobs.EventActivityScheduled},
		{ID: 3, Kind: provobs.EventActivityScheduled},
		{ID: 4, Kind: provobs.EventOrchestrationFailed, Payload: []byte(CausePoison)},
	}
	for name, item := range map[string]*provobs.OrchestrationItem{
		"late completion": {InstanceID: "a", ExecutionID: 1, History: history, AttemptCount: 1, Messages: []provobs.WorkItem{
			{Kind: provobs.KindActivityCompleted, InstanceID: "a", ExecutionID: 1, CorrelationID: 3},
		}},
		"second poisoned activity": {InstanceID: "a", ExecutionID: 1, History: history, AttemptCount: 1, Messages: []provobs.WorkItem{
			{Kind: provobs.KindActivityFailed, InstanceID: "a", ExecutionID: 1, CorrelationID: 3, Payload: []byte(CausePoison)},
		}},
		"poisoned batch": {InstanceID: "a", ExecutionID: 1, History: history, AttemptCount: 9, Messages: []provobs.WorkItem{
			{Kind: provobs.KindActivityCompleted, InstanceID: "a", ExecutionID: 1, CorrelationID: 3},
		}},
	} {
		got := r.decide(item)
		assert.Equal(t, turn{ack: provobs.OrchestrationAck{ExecutionID: 1}}, got, name)
	}
}

// A batch of a running orchestration still fails it on an activity failure.
func TestDecideFailsOnPoisonedActivity(t *testing.T) {
	t.Parallel()
	r := &runner{cfg: Config{TasksPerInstance: 2, MaxAttempts: 3}.withDefaults()}
	got := r.decide(&provobs.OrchestrationItem{InstanceID: "a", ExecutionID: 1, AttemptCount: 1,
		History: []provobs.Event{
			{ID: 1, Kind: provobs.EventOrchestrationStarted},
			{ID: 2, Kind: provobs.EventActivityScheduled},
			{ID: 3, Kind: provobs.EventActivityScheduled},
		},
		Messages: []provobs.WorkItem{{Kind: provobs.KindActivityFailed, InstanceID: "a", ExecutionID: 1, CorrelationID: 2}},
	})
	assert.True(t, got.done)
	assert.Equal(t, CausePoison, got.failure)
	assert.Equal(t, []provobs.Event{{ID: 4, Kind: provobs.EventOrchestrationFailed, Payload: []byte(CausePoison)}}, got.ack.HistoryDelta)
	assert.Equal(t, provobs.StatusFailed, got.ack.Metadata.Status)
}
