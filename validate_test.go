package provobs_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provobs/provobs"
)

func TestValidate(t *testing.T) {
	t.Parallel()
	orch := provobs.WorkItem{Kind: provobs.KindTimerFired, InstanceID: "i", FireAt: time.Unix(100, 0)}
	work := provobs.WorkItem{Kind: provobs.KindActivityExecute, InstanceID: "i"}
	with := func(it provobs.WorkItem, f func(*provobs.WorkItem)) provobs.WorkItem { f(&it); return it }
	op := provobs.OpEnqueue
	cases := []struct {
		name string
		err  error
		ok   bool
	}{
		{"orchestrator item", provobs.ValidateOrchestratorItem(op, orch), true},
		{"worker item", provobs.ValidateWorkerItem(op, work), true},
		{"empty instance", provobs.ValidateOrchestratorItem(op, with(orch, func(w *provobs.WorkItem) { w.InstanceID = "" })), false},
		{"invalid kind", provobs.ValidateOrchestratorItem(op, with(orch, func(w *provobs.WorkItem) { w.Kind = 0 })), false},
		{"activity on the orchestrator queue", provobs.ValidateOrchestratorItem(op, work), false},
		{"timer on the worker queue", provobs.ValidateWorkerItem(op, orch), false},
		{"fire time past 2262", provobs.ValidateOrchestratorItem(op, with(orch, func(w *provobs.WorkItem) { w.FireAt = time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC) })), false},
		{"zero fire time", provobs.ValidateOrchestratorItem(op, with(orch, func(w *provobs.WorkItem) { w.FireAt = time.Time{} })), true},
		{"ack", provobs.ValidateAck(op, provobs.OrchestrationAck{ExecutionID: 1, HistoryDelta: []provobs.Event{{ID: 1}}, WorkerItems: []provobs.WorkItem{work}, OrchestratorItems: []provobs.WorkItem{orch}}), true},
		{"ack of execution 0", provobs.ValidateAck(op, provobs.OrchestrationAck{}), false},
		{"ack execution past MaxID", provobs.ValidateAck(op, provobs.OrchestrationAck{ExecutionID: provobs.MaxID + 1}), false},
		{"ack event past MaxID", provobs.ValidateAck(op, provobs.OrchestrationAck{ExecutionID: 1, HistoryDelta: []provobs.Event{{ID: provobs.MaxID + 1}}}), false},
		{"ack with a bad worker item", provobs.ValidateAck(op, provobs.OrchestrationAck{ExecutionID: 1, WorkerItems: []provobs.WorkItem{orch}}), false},
		{"ack with a bad orchestrator item", provobs.ValidateAck(op, provobs.OrchestrationAck{ExecutionID: 1, OrchestratorItems: []provobs.WorkItem{work}}), false},
	}
	for _, tc := range cases {
		if tc.ok {
			assert.NoError(t, tc.err, tc.name)
			continue
		}
		assert.Equal(t, provobs.TypeInvalidArgument, provobs.TypeOf(tc.err), tc.name)
		assert.Equal(t, op, tc.err.(*provobs.Error).Op, tc.name)
	}
}

func TestValidateArguments(t *testing.T) {
	t.Parallel()
	op := provobs.OpDequeue
	cases := []struct {
		name string
		err  error
		want provobs.ErrorType // 0: no error
	}{
		{"fetch options", provobs.ValidateFetch(op, provobs.FetchOptions{LockTimeout: time.Second, PollTimeout: time.Second}), 0},
		{"zero fetch options", provobs.ValidateFetch(op, provobs.FetchOptions{}), 0},
		{"negative lock timeout", provobs.ValidateFetch(op, provobs.FetchOptions{LockTimeout: -1}), provobs.TypeInvalidArgument},
		{"negative poll timeout", provobs.ValidateFetch(op, provobs.FetchOptions{PollTimeout: -1}), provobs.TypeInvalidArgument},
		{"no session", provobs.ValidateSession(op, nil), 0},
		{"session", provobs.ValidateSession(op, &provobs.SessionConfig{OwnerID: "w"}), 0},
		{"session without owner", provobs.ValidateSession(op, &provobs.SessionConfig{}), provobs.TypeInvalidArgument},
		{"negative session lease", provobs.ValidateSession(op, &provobs.SessionConfig{OwnerID: "w", LockTimeout: -1}), provobs.TypeInvalidArgument},
		{"abandon", provobs.ValidateAbandon(op, provobs.AbandonOptions{Delay: time.Second}), 0},
		{"abandon with a negative delay", provobs.ValidateAbandon(op, provobs.AbandonOptions{Delay: -1}), provobs.TypeInvalidArgument},
		{"negative delay", provobs.ValidateDelay(op, -1), provobs.TypeInvalidArgument},
		{"zero extension", provobs.ValidateExtension(op, 0), 0},
		{"negative extension", provobs.ValidateExtension(op, -1), provobs.TypeInvalidArgument},
		{"zero idle timeout", provobs.ValidateIdleTimeout(op, 0), 0},
		{"negative idle timeout", provobs.ValidateIdleTimeout(op, -1), provobs.TypeInvalidArgument},
		{"instance id", provobs.ValidateInstanceID(op, "i"), 0},
		{"empty instance id", provobs.ValidateInstanceID(op, ""), provobs.TypeInvalidArgument},
		{"token", provobs.ValidateToken(op, "t"), 0},
		{"empty token", provobs.ValidateToken(op, ""), provobs.TypeLockLost},
		{"open call", provobs.ValidateCall(context.Background(), op, false), 0},
		{"closed provider", provobs.ValidateCall(context.Background(), op, true), provobs.TypeClosed},
		{"cancelled context", provobs.ValidateCall(canceled(), op, false), provobs.TypeCanceled},
		{"passed deadline", provobs.ValidateCall(expired(t), op, false), provobs.TypeDeadlineExceeded},
		{"closed beats cancelled", provobs.ValidateCall(canceled(), op, true), provobs.TypeClosed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.want == 0 {
				assert.NoError(t, tc.err)
				return
			}
			require.Error(t, tc.err)
			assert.Equal(t, tc.want, provobs.TypeOf(tc.err))
			pe, ok := errors.AsType[*provobs.Error](tc.err)
			require.True(t, ok, "a *provobs.Error")
			assert.Equal(t, op, pe.Op)
			assert.False(t, pe.Retryable)
		})
	}
}

func TestDefaults(t *testing.T) {
	t.Parallel()
	assert.Equal(t, 5*time.Second, provobs.LockDuration(5*time.Second, time.Minute))
	assert.Equal(t, time.Minute, provobs.LockDuration(0, time.Minute))
	assert.Equal(t, time.Minute, provobs.LockDuration(-1, time.Minute))
	assert.Equal(t, 7, provobs.ListLimit(provobs.ListOptions{Limit: 7}))
	assert.Equal(t, provobs.DefaultListLimit, provobs.ListLimit(provobs.ListOptions{}))
	assert.Equal(t, provobs.DefaultListLimit, provobs.ListLimit(provobs.ListOptions{Limit: -3}))
}

func TestErrorConstructors(t *testing.T) {
	t.Parallel()
	op := provobs.OpAckOrch
	cause := errors.New("pool closed")
	cases := []struct {
		name     string
		err      *provobs.Error
		want     provobs.ErrorType
		sentinel error
	}{
		{"lock lost", provobs.LockLostError(op), provobs.TypeLockLost, provobs.ErrLockLost},
		{"closed", provobs.ClosedError(op, nil), provobs.TypeClosed, provobs.ErrClosed},
		{"closed with a cause", provobs.ClosedError(op, cause), provobs.TypeClosed, cause},
		{"invalid argument", provobs.InvalidArgumentError(op, "bad %s", "x"), provobs.TypeInvalidArgument, provobs.ErrInvalidArgument},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.err.Type)
			assert.Equal(t, op, tc.err.Op)
			assert.False(t, tc.err.Retryable)
			assert.ErrorIs(t, tc.err, tc.sentinel)
			assert.NotNil(t, tc.err.Err, "a cause")
		})
	}
	assert.Contains(t, provobs.InvalidArgumentError(op, "bad %s", "x").Error(), "bad x")
}

func canceled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

func expired(t *testing.T) context.Context {
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	t.Cleanup(cancel)
	return ctx
}
