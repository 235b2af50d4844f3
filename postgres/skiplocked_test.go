package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/provobs/provobs"
)

// The fetch and the dequeue claim their candidate row with FOR UPDATE SKIP
// LOCKED: a row another transaction has locked (a concurrent fetch, ack or
// abandon in flight) is passed over for the next eligible one, never waited
// for. These tests hold such a row lock in a second connection until the
// call under test has returned, so a call that waits for the row cannot
// return at all while the lock is held: it is bounded by a context and
// fails on its deadline (the deadline only ends a hung test; it measures
// nothing, so it is generous: a loaded machine must not trip it).

// blockedCallLimit bounds a call that waits behind the held row lock.
const blockedCallLimit = time.Minute

// holdRowLocks locks the rows of table (in schema) that match where, in a
// transaction of a connection of its own, and returns the function that
// ends the transaction. It fails the test unless exactly want rows were
// locked.
func holdRowLocks(t *testing.T, dsn, schema, table, where string, want int) (release func()) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	tx, err := conn.Begin(ctx)
	require.NoError(t, err)
	tag, err := tx.Exec(ctx, `SELECT 1 FROM `+pgx.Identifier{schema, table}.Sanitize()+` WHERE `+where+` FOR UPDATE`)
	require.NoError(t, err)
	require.EqualValues(t, want, tag.RowsAffected(), "rows locked by the holder")
	done := false
	release = func() {
		if done {
			return
		}
		done = true
		_ = tx.Rollback(ctx)
		_ = conn.Close(ctx)
	}
	t.Cleanup(release)
	return release
}

// notBlocked runs call while the holder keeps its row locks and returns
// what it returned. If call has not returned by blockedCallLimit, it fails
// the test: the call waited for a locked row. It then releases the holder
// and waits for call, so nothing outlives the test.
func notBlocked[T any](t *testing.T, what string, release func(), call func(ctx context.Context) (T, error)) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), blockedCallLimit)
	defer cancel()
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := call(ctx)
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		release()
		require.NoError(t, r.err, what)
		return r.v
	case <-ctx.Done():
		release()
		<-done
		t.Fatalf("%s waited for a row another transaction holds instead of skipping it (no answer within %v)", what, blockedCallLimit)
	}
	var zero T
	return zero
}

// TestFetchSkipsLockedRows: while another transaction holds the row of the
// oldest message (instance "a"), a fetch returns the next eligible
// instance ("b") instead of waiting; once the row is free, "a" is fetched.
func TestFetchSkipsLockedRows(t *testing.T) {
	t.Parallel()
	dsn := testDSN(t)
	schema := newSchema(t, dsn)
	p := openOn(t, dsn, schema)
	ctx := t.Context()
	for _, id := range []string{"a", "b"} {
		require.NoError(t, p.EnqueueOrchestrator(ctx, provobs.WorkItem{Kind: provobs.KindStartOrchestration, InstanceID: id}, 0))
	}
	release := holdRowLocks(t, dsn, schema, "orchestrator_queue", `instance_id = 'a'`, 1)
	it := notBlocked(t, "FetchOrchestrationItem", release, func(ctx context.Context) (*provobs.OrchestrationItem, error) {
		return p.FetchOrchestrationItem(ctx, provobs.FetchOptions{})
	})
	require.NotNil(t, it, "a fetch beside a locked row found no work, though b is eligible")
	require.Equal(t, "b", it.InstanceID)
	again, err := p.FetchOrchestrationItem(ctx, provobs.FetchOptions{})
	require.NoError(t, err)
	require.NotNil(t, again, "a is fetchable once its row is free")
	require.Equal(t, "a", again.InstanceID)
}

// TestDequeueSkipsLockedRows: while another transaction holds the row of
// the oldest worker item, a dequeue (with and without a session config)
// returns the next item instead of waiting; once the row is free, the
// oldest is dequeued.
func TestDequeueSkipsLockedRows(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		session *provobs.SessionConfig
	}{
		{"without_session", nil},
		{"with_session", &provobs.SessionConfig{OwnerID: "w1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dsn := testDSN(t)
			schema := newSchema(t, dsn)
			p := openOn(t, dsn, schema)
			ctx := t.Context()
			for corr := range uint64(2) {
				require.NoError(t, p.EnqueueWorker(ctx, provobs.WorkItem{Kind: provobs.KindActivityExecute, InstanceID: "a", ExecutionID: 1, CorrelationID: corr + 1}))
			}
			release := holdRowLocks(t, dsn, schema, "worker_queue", `correlation_id = 1`, 1)
			w := notBlocked(t, "DequeueWorker", release, func(ctx context.Context) (*provobs.WorkerItem, error) {
				return p.DequeueWorker(ctx, provobs.FetchOptions{}, tc.session)
			})
			require.NotNil(t, w, "a dequeue beside a locked row found no work, though item 2 is eligible")
			require.EqualValues(t, 2, w.Item.CorrelationID)
			again, err := p.DequeueWorker(ctx, provobs.FetchOptions{}, tc.session)
			require.NoError(t, err)
			require.NotNil(t, again, "item 1 is dequeueable once its row is free")
			require.EqualValues(t, 1, again.Item.CorrelationID)
		})
	}
}
