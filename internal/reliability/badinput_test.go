package reliability_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/internal/clock"
	"github.com/provobs/provobs/sqlite"
)

// Bad input changes nothing. providertest's "input" and "errors" areas
// check each bad call's error type and its effect through the API; here the
// same kinds of call run against one populated file store, and after each
// one the whole store (queue depths, instances, every history and every row
// of every table, read through a separate read-only connection) must be
// exactly as before: no attempt count, timestamp or lock moved.

// populated builds a store with something in every table and returns the
// tokens in every state a bad call can meet.
type populated struct {
	p     *sqlite.Provider
	raw   *sql.DB
	clock *clock.Manual
	// orchestration tokens: live, expired, used by an ack, released by an
	// abandon; worker tokens likewise.
	oLive, oExpired, oUsed, oAbandoned string
	wLive, wExpired, wUsed, wAbandoned string
}

func populate(t *testing.T) *populated {
	t.Helper()
	ctx := context.Background()
	clock := newFakeClock()
	path := filepath.Join(t.TempDir(), "bad.db")
	s := &populated{p: openFile(t, path, sqlite.WithClock(clock.Now)), raw: rawDB(t, path), clock: clock}
	p := s.p
	long := provobs.FetchOptions{LockTimeout: time.Hour}
	fetch := func(id string, opts provobs.FetchOptions) *provobs.OrchestrationItem {
		it, err := p.FetchOrchestrationItem(ctx, opts)
		require.NoError(t, err)
		require.NotNil(t, it)
		require.Equal(t, id, it.InstanceID)
		return it
	}
	dequeue := func(want provobs.WorkItem, opts provobs.FetchOptions, sess *provobs.SessionConfig) *provobs.WorkerItem {
		w, err := p.DequeueWorker(ctx, opts, sess)
		require.NoError(t, err)
		require.NotNil(t, w)
		require.Equal(t, want, w.Item)
		return w
	}

	// "done": completed, with output.
	require.NoError(t, p.EnqueueOrchestrator(ctx, start("done"), 0))
	it := fetch("done", long)
	require.NoError(t, p.AckOrchestrationItem(ctx, it.LockToken, provobs.OrchestrationAck{
		ExecutionID:  1,
		HistoryDelta: []provobs.Event{{ID: 1, Kind: provobs.EventOrchestrationStarted}, {ID: 2, Kind: provobs.EventOrchestrationCompleted, Payload: []byte("ok")}},
		Metadata:     provobs.InstanceMetadata{Name: "n", Version: "v", Status: provobs.StatusCompleted, Output: []byte("ok")},
	}))
	s.oUsed = it.LockToken

	// "run": running, two activities, one in a session; both dequeued
	// with live locks (the session is claimed).
	require.NoError(t, p.EnqueueOrchestrator(ctx, start("run"), 0))
	it = fetch("run", long)
	inSession := activity("run", 3)
	inSession.SessionID = "s"
	require.NoError(t, p.AckOrchestrationItem(ctx, it.LockToken, provobs.OrchestrationAck{
		ExecutionID:  1,
		HistoryDelta: []provobs.Event{{ID: 1, Kind: provobs.EventOrchestrationStarted}, {ID: 2, Kind: provobs.EventActivityScheduled}, {ID: 3, Kind: provobs.EventActivityScheduled}},
		WorkerItems:  []provobs.WorkItem{activity("run", 2), inSession},
		Metadata:     provobs.InstanceMetadata{Name: "n", Version: "v", Status: provobs.StatusRunning},
	}))
	s.wLive = dequeue(activity("run", 2), long, nil).LockToken
	dequeue(inSession, long, &provobs.SessionConfig{OwnerID: "owner", LockTimeout: time.Hour})

	// "exp": an instance and a worker item whose locks will have expired.
	require.NoError(t, p.EnqueueOrchestrator(ctx, start("exp"), 0))
	s.oExpired = fetch("exp", provobs.FetchOptions{LockTimeout: time.Second}).LockToken
	require.NoError(t, p.EnqueueWorker(ctx, activity("exp", 1)))
	s.wExpired = dequeue(activity("exp", 1), provobs.FetchOptions{LockTimeout: time.Second}, nil).LockToken

	// "locked": a start message under a live lock.
	require.NoError(t, p.EnqueueOrchestrator(ctx, start("locked"), 0))
	s.oLive = fetch("locked", long).LockToken

	// A worker token used by an ack.
	require.NoError(t, p.EnqueueWorker(ctx, activity("used", 1)))
	w := dequeue(activity("used", 1), long, nil)
	require.NoError(t, p.AckWorker(ctx, w.LockToken, nil))
	s.wUsed = w.LockToken

	// "ab": an instance and a worker item released by abandons.
	require.NoError(t, p.EnqueueOrchestrator(ctx, start("ab"), 0))
	it = fetch("ab", long)
	require.NoError(t, p.AbandonOrchestrationItem(ctx, it.LockToken, provobs.AbandonOptions{}))
	s.oAbandoned = it.LockToken
	require.NoError(t, p.EnqueueWorker(ctx, activity("ab", 1)))
	w = dequeue(activity("ab", 1), long, nil)
	require.NoError(t, p.AbandonWorker(ctx, w.LockToken, provobs.AbandonOptions{}))
	s.wAbandoned = w.LockToken

	// "queued": a start message and a timer.
	require.NoError(t, p.EnqueueOrchestrator(ctx, start("queued"), 0))
	require.NoError(t, p.EnqueueOrchestrator(ctx, provobs.WorkItem{Kind: provobs.KindTimerFired, InstanceID: "queued", ExecutionID: 1, CorrelationID: 4}, time.Hour))

	clock.Advance(2 * time.Second) // the "exp" locks expire
	return s
}

type badCall struct {
	name string
	want provobs.ErrorType
	call func(ctx context.Context) error
}

// tokenCalls runs every by-token operation with every bad token.
func (s *populated) tokenCalls() []badCall {
	p := s.p
	// An ack that would change every table if it were accepted.
	bigAck := provobs.OrchestrationAck{
		ExecutionID:         1,
		HistoryDelta:        []provobs.Event{{ID: 1, Kind: provobs.EventOrchestrationStarted}, {ID: 9, Kind: provobs.EventOrchestrationCompleted}},
		WorkerItems:         []provobs.WorkItem{activity("x", 5)},
		OrchestratorItems:   []provobs.WorkItem{start("child")},
		Metadata:            provobs.InstanceMetadata{Name: "bad", Status: provobs.StatusFailed, Output: []byte("bad")},
		CancelledActivities: []uint64{2, 3},
	}
	orchTokens := map[string]string{
		"empty": "", "garbage": "garbage'; DROP TABLE history; --", "unknown_uuid": "0b9f4bd6-5d0c-4b8e-9a57-4f3f1d7c2a11",
		"expired": s.oExpired, "used": s.oUsed, "abandoned": s.oAbandoned, "worker_token": s.wLive,
	}
	workerTokens := map[string]string{
		"empty": "", "garbage": "garbage'; DROP TABLE history; --", "unknown_uuid": "0b9f4bd6-5d0c-4b8e-9a57-4f3f1d7c2a11",
		"expired": s.wExpired, "used": s.wUsed, "abandoned": s.wAbandoned, "orchestration_token": s.oLive,
	}
	var calls []badCall
	for kind, tok := range orchTokens {
		calls = append(calls,
			badCall{"ack_orch/" + kind, provobs.TypeLockLost, func(ctx context.Context) error { return p.AckOrchestrationItem(ctx, tok, bigAck) }},
			badCall{"abandon_orch/" + kind, provobs.TypeLockLost, func(ctx context.Context) error {
				return p.AbandonOrchestrationItem(ctx, tok, provobs.AbandonOptions{Delay: time.Hour, IgnoreAttempt: true})
			}},
			badCall{"renew_orch/" + kind, provobs.TypeLockLost, func(ctx context.Context) error { return p.RenewOrchestrationItemLock(ctx, tok, time.Hour) }},
		)
	}
	for kind, tok := range workerTokens {
		calls = append(calls,
			badCall{"ack_worker/" + kind, provobs.TypeLockLost, func(ctx context.Context) error { return p.AckWorker(ctx, tok, completion("run", 2)) }},
			badCall{"abandon_worker/" + kind, provobs.TypeLockLost, func(ctx context.Context) error {
				return p.AbandonWorker(ctx, tok, provobs.AbandonOptions{Delay: time.Hour, IgnoreAttempt: true})
			}},
			badCall{"renew_worker/" + kind, provobs.TypeLockLost, func(ctx context.Context) error { return p.RenewWorkerLock(ctx, tok, time.Hour) }},
		)
	}
	return calls
}

// argumentCalls are calls with unusable arguments, live tokens included.
func (s *populated) argumentCalls() []badCall {
	p := s.p
	inv := provobs.TypeInvalidArgument
	ack := func(a provobs.OrchestrationAck) func(context.Context) error {
		return func(ctx context.Context) error { return p.AckOrchestrationItem(ctx, s.oLive, a) }
	}
	started := []provobs.Event{{ID: 1, Kind: provobs.EventOrchestrationStarted}}
	return []badCall{
		{"enqueue/empty_instance", inv, func(ctx context.Context) error { return p.EnqueueOrchestrator(ctx, start(""), 0) }},
		{"enqueue/kind_zero", inv, func(ctx context.Context) error {
			return p.EnqueueOrchestrator(ctx, provobs.WorkItem{InstanceID: "queued"}, 0)
		}},
		{"enqueue/kind_200", inv, func(ctx context.Context) error {
			return p.EnqueueOrchestrator(ctx, provobs.WorkItem{Kind: 200, InstanceID: "queued"}, 0)
		}},
		{"enqueue/activity_on_orchestrator_queue", inv, func(ctx context.Context) error { return p.EnqueueOrchestrator(ctx, activity("queued", 1), 0) }},
		{"enqueue/negative_delay", inv, func(ctx context.Context) error { return p.EnqueueOrchestrator(ctx, start("queued"), -time.Second) }},
		{"enqueue_worker/empty_instance", inv, func(ctx context.Context) error { return p.EnqueueWorker(ctx, activity("", 1)) }},
		{"enqueue_worker/wrong_kind", inv, func(ctx context.Context) error { return p.EnqueueWorker(ctx, start("run")) }},
		{"ack_orch/execution_zero", inv, ack(provobs.OrchestrationAck{HistoryDelta: started})},
		{"ack_orch/worker_item_wrong_kind", inv, ack(provobs.OrchestrationAck{ExecutionID: 1, HistoryDelta: started, WorkerItems: []provobs.WorkItem{start("locked")}})},
		{"ack_orch/orchestrator_item_empty_instance", inv, ack(provobs.OrchestrationAck{ExecutionID: 1, HistoryDelta: started, OrchestratorItems: []provobs.WorkItem{start("")}})},
		{"ack_orch/event_id_out_of_range", inv, ack(provobs.OrchestrationAck{ExecutionID: 1, HistoryDelta: []provobs.Event{{ID: 1 << 63}}})},
		{"ack_orch/duplicate_event_id", provobs.TypeConflict, ack(provobs.OrchestrationAck{ExecutionID: 1, HistoryDelta: []provobs.Event{{ID: 1}, {ID: 2}, {ID: 1}}})},
		{"ack_worker/completion_wrong_kind", inv, func(ctx context.Context) error {
			return p.AckWorker(ctx, s.wLive, &provobs.WorkItem{Kind: provobs.KindActivityExecute, InstanceID: "run"})
		}},
		{"ack_worker/completion_empty_instance", inv, func(ctx context.Context) error { return p.AckWorker(ctx, s.wLive, completion("", 2)) }},
		{"abandon_orch/negative_delay", inv, func(ctx context.Context) error {
			return p.AbandonOrchestrationItem(ctx, s.oLive, provobs.AbandonOptions{Delay: -time.Second})
		}},
		{"abandon_worker/negative_delay", inv, func(ctx context.Context) error {
			return p.AbandonWorker(ctx, s.wLive, provobs.AbandonOptions{Delay: -time.Second})
		}},
		{"renew_orch/negative", inv, func(ctx context.Context) error { return p.RenewOrchestrationItemLock(ctx, s.oLive, -time.Second) }},
		{"renew_worker/negative", inv, func(ctx context.Context) error { return p.RenewWorkerLock(ctx, s.wLive, -time.Second) }},
		{"fetch/negative_lock", inv, func(ctx context.Context) error {
			_, err := p.FetchOrchestrationItem(ctx, provobs.FetchOptions{LockTimeout: -time.Second})
			return err
		}},
		{"fetch/negative_poll", inv, func(ctx context.Context) error {
			_, err := p.FetchOrchestrationItem(ctx, provobs.FetchOptions{PollTimeout: -time.Second})
			return err
		}},
		{"dequeue/empty_owner", inv, func(ctx context.Context) error {
			_, err := p.DequeueWorker(ctx, provobs.FetchOptions{}, &provobs.SessionConfig{})
			return err
		}},
		{"read_history/empty_instance", inv, func(ctx context.Context) error {
			_, err := p.ReadHistory(ctx, "", 0)
			return err
		}},
		{"instance_info/empty_instance", inv, func(ctx context.Context) error {
			_, err := p.InstanceInfo(ctx, "")
			return err
		}},
	}
}

// everyCall calls every operation with arguments that would change the
// store if the call went through (live tokens, visible work).
func everyCall(p *sqlite.Provider, s *populated) []badCall {
	return []badCall{
		{"fetch", 0, func(ctx context.Context) error {
			_, err := p.FetchOrchestrationItem(ctx, provobs.FetchOptions{})
			return err
		}},
		{"ack_orch", 0, func(ctx context.Context) error {
			return p.AckOrchestrationItem(ctx, s.oLive, provobs.OrchestrationAck{ExecutionID: 1, HistoryDelta: []provobs.Event{{ID: 1}}})
		}},
		{"abandon_orch", 0, func(ctx context.Context) error {
			return p.AbandonOrchestrationItem(ctx, s.oLive, provobs.AbandonOptions{})
		}},
		{"renew_orch", 0, func(ctx context.Context) error { return p.RenewOrchestrationItemLock(ctx, s.oLive, time.Hour) }},
		{"enqueue", 0, func(ctx context.Context) error { return p.EnqueueOrchestrator(ctx, start("new"), 0) }},
		{"enqueue_worker", 0, func(ctx context.Context) error { return p.EnqueueWorker(ctx, activity("new", 1)) }},
		{"dequeue", 0, func(ctx context.Context) error {
			_, err := p.DequeueWorker(ctx, provobs.FetchOptions{}, nil)
			return err
		}},
		{"ack_worker", 0, func(ctx context.Context) error { return p.AckWorker(ctx, s.wLive, completion("run", 2)) }},
		{"abandon_worker", 0, func(ctx context.Context) error { return p.AbandonWorker(ctx, s.wLive, provobs.AbandonOptions{}) }},
		{"renew_worker", 0, func(ctx context.Context) error { return p.RenewWorkerLock(ctx, s.wLive, time.Hour) }},
		{"renew_session_lock", 0, func(ctx context.Context) error {
			_, err := p.RenewSessionLock(ctx, []string{"owner"}, time.Hour, 0)
			return err
		}},
		{"cleanup_orphaned_sessions", 0, func(ctx context.Context) error {
			_, err := p.CleanupOrphanedSessions(ctx, time.Nanosecond)
			return err
		}},
		{"read_history", 0, func(ctx context.Context) error {
			_, err := p.ReadHistory(ctx, "run", 0)
			return err
		}},
		{"queue_depths", 0, func(ctx context.Context) error {
			_, err := p.QueueDepths(ctx)
			return err
		}},
		{"list_instances", 0, func(ctx context.Context) error {
			_, err := p.ListInstances(ctx, provobs.ListOptions{})
			return err
		}},
		{"instance_info", 0, func(ctx context.Context) error {
			_, err := p.InstanceInfo(ctx, "run")
			return err
		}},
	}
}

func TestBadCallsChangeNothing(t *testing.T) {
	t.Parallel()
	s := populate(t)
	before := takeSnapshot(t, s.p, s.raw)
	require.NotEmpty(t, before.Rows["instance_locks"])
	require.NotEmpty(t, before.Rows["sessions"])
	require.NotZero(t, before.Depths.Timer)

	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	var calls []badCall
	calls = append(calls, s.tokenCalls()...)
	calls = append(calls, s.argumentCalls()...)
	for _, c := range everyCall(s.p, s) {
		calls = append(calls, badCall{"canceled/" + c.name, provobs.TypeCanceled, func(context.Context) error { return c.call(canceled) }})
	}
	for _, c := range calls {
		err := c.call(context.Background())
		requireType(t, c.want, err, c.name)
		assert.False(t, provobs.IsRetryable(err), "%s: a bad call is not worth retrying", c.name)
		require.Equal(t, before, takeSnapshot(t, s.p, s.raw), "%s changed the store", c.name)
	}

	// The snapshot is sharp enough to see one lock's expiry move.
	s.clock.Advance(time.Millisecond)
	require.NoError(t, s.p.RenewOrchestrationItemLock(context.Background(), s.oLive, time.Hour))
	assert.NotEqual(t, before.Rows["instance_locks"], takeSnapshot(t, s.p, s.raw).Rows["instance_locks"])
}

// A closed provider refuses every call with TypeClosed and writes nothing,
// while another provider on the same file keeps working.
func TestClosedProviderChangesNothing(t *testing.T) {
	t.Parallel()
	s := populate(t)
	before := takeSnapshot(t, s.p, s.raw)
	closed, err := sqlite.Open(context.Background(), filepath.Join(filepath.Dir(dbPath(t, s.raw)), "bad.db"), sqlite.WithClock(s.clock.Now))
	require.NoError(t, err)
	require.NoError(t, closed.Close())
	for _, c := range everyCall(closed, s) {
		requireType(t, provobs.TypeClosed, c.call(context.Background()), c.name)
	}
	require.Equal(t, before, takeSnapshot(t, s.p, s.raw))
}

// dbPath returns the file behind a raw connection.
func dbPath(t *testing.T, db *sql.DB) string {
	t.Helper()
	var seq int
	var name, file string
	require.NoError(t, db.QueryRow("PRAGMA database_list").Scan(&seq, &name, &file))
	return file
}
