package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/postgres"
)

// Wake-ups across processes. Each test opens two providers on one schema,
// each with its own pool and listener, as two processes would. The pollers
// use an hour-long poll interval, so only a notification (or a timed wake)
// can end their wait before the 30 s poll timeout; a missing wake-up makes
// the poll return nil and the test fail, without any timing threshold.

const (
	longPoll  = 30 * time.Second
	noPolling = time.Hour
)

// twoProcesses opens a waiting side and an acting side on one fresh schema.
func twoProcesses(t *testing.T) (waiter, actor *postgres.Provider, dsn, schema string) {
	t.Helper()
	dsn = testDSN(t)
	schema = newSchema(t, dsn)
	waiter = openOn(t, dsn, schema, postgres.WithPollInterval(noPolling))
	actor = openOn(t, dsn, schema, postgres.WithPollInterval(noPolling))
	return waiter, actor, dsn, schema
}

type fetched struct {
	item *provobs.OrchestrationItem
	err  error
}

func fetchAsync(ctx context.Context, p *postgres.Provider, opts provobs.FetchOptions) <-chan fetched {
	ch := make(chan fetched, 1)
	go func() {
		it, err := p.FetchOrchestrationItem(ctx, opts)
		ch <- fetched{it, err}
	}()
	return ch
}

type dequeued struct {
	item *provobs.WorkerItem
	err  error
}

func dequeueAsync(ctx context.Context, p *postgres.Provider, opts provobs.FetchOptions) <-chan dequeued {
	ch := make(chan dequeued, 1)
	go func() {
		it, err := p.DequeueWorker(ctx, opts, nil)
		ch <- dequeued{it, err}
	}()
	return ch
}

// waitListening waits until the waiter's listener is connected and its poll
// has started (its LISTEN shows in pg_stat_activity), so the actor's
// notification cannot come before anyone listens.
func waitListening(t *testing.T, dsn, schema string, n int) {
	t.Helper()
	ctx := t.Context()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	channel := pgx.Identifier{"provobs_" + schema}.Sanitize()
	for deadline := time.Now().Add(30 * time.Second); ; {
		var got int
		err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE query = $1`, "LISTEN "+channel).Scan(&got)
		if err != nil {
			t.Fatal(err)
		}
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d listeners on %s after 30s, want %d", got, channel, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestWakeFetchAcrossProcesses(t *testing.T) {
	t.Parallel()
	waiter, actor, dsn, schema := twoProcesses(t)
	ch := fetchAsync(t.Context(), waiter, provobs.FetchOptions{PollTimeout: longPoll})
	waitListening(t, dsn, schema, 1)
	if err := actor.EnqueueOrchestrator(t.Context(), provobs.WorkItem{Kind: provobs.KindStartOrchestration, InstanceID: "x"}, 0); err != nil {
		t.Fatal(err)
	}
	r := <-ch
	if r.err != nil || r.item == nil || r.item.InstanceID != "x" {
		t.Fatalf("waiting fetch got %+v, %v; want instance x", r.item, r.err)
	}
}

func TestWakeDequeueAcrossProcesses(t *testing.T) {
	t.Parallel()
	waiter, actor, dsn, schema := twoProcesses(t)
	ch := dequeueAsync(t.Context(), waiter, provobs.FetchOptions{PollTimeout: longPoll})
	waitListening(t, dsn, schema, 1)
	if err := actor.EnqueueWorker(t.Context(), provobs.WorkItem{Kind: provobs.KindActivityExecute, InstanceID: "x", ExecutionID: 1, CorrelationID: 1}); err != nil {
		t.Fatal(err)
	}
	r := <-ch
	if r.err != nil || r.item == nil || r.item.Item.InstanceID != "x" {
		t.Fatalf("waiting dequeue got %+v, %v; want an item of x", r.item, r.err)
	}
}

// TestWakeByAcksAcrossProcesses: an orchestration ack's worker items wake
// another process's dequeue, and that process's worker ack (a completion)
// wakes the first process's fetch.
func TestWakeByAcksAcrossProcesses(t *testing.T) {
	t.Parallel()
	a, b, dsn, schema := twoProcesses(t)
	ctx := t.Context()
	if err := a.EnqueueOrchestrator(ctx, provobs.WorkItem{Kind: provobs.KindStartOrchestration, InstanceID: "x"}, 0); err != nil {
		t.Fatal(err)
	}
	item, err := a.FetchOrchestrationItem(ctx, provobs.FetchOptions{})
	if err != nil || item == nil {
		t.Fatalf("fetch: %v, %v", item, err)
	}
	deq := dequeueAsync(ctx, b, provobs.FetchOptions{PollTimeout: longPoll})
	waitListening(t, dsn, schema, 1)
	err = a.AckOrchestrationItem(ctx, item.LockToken, provobs.OrchestrationAck{
		ExecutionID:  1,
		HistoryDelta: []provobs.Event{{ID: 1, Kind: provobs.EventOrchestrationStarted}},
		WorkerItems:  []provobs.WorkItem{{Kind: provobs.KindActivityExecute, InstanceID: "x", ExecutionID: 1, CorrelationID: 1}},
	})
	if err != nil {
		t.Fatal(err)
	}
	d := <-deq
	if d.err != nil || d.item == nil {
		t.Fatalf("dequeue woken by the ack: %+v, %v", d.item, d.err)
	}
	fetch := fetchAsync(ctx, a, provobs.FetchOptions{PollTimeout: longPoll})
	waitListening(t, dsn, schema, 2)
	if err := b.AckWorker(ctx, d.item.LockToken, &provobs.WorkItem{Kind: provobs.KindActivityCompleted, InstanceID: "x", ExecutionID: 1, CorrelationID: 1}); err != nil {
		t.Fatal(err)
	}
	f := <-fetch
	if f.err != nil || f.item == nil || len(f.item.Messages) != 1 || f.item.Messages[0].Kind != provobs.KindActivityCompleted {
		t.Fatalf("fetch woken by the worker ack: %+v, %v", f.item, f.err)
	}
}

// TestTimedWakeAtVisibility: a message enqueued with a delay before the poll
// began wakes the poll when it becomes visible, with no notification at
// that time.
func TestTimedWakeAtVisibility(t *testing.T) {
	t.Parallel()
	waiter, actor, _, _ := twoProcesses(t)
	ctx := t.Context()
	if err := actor.EnqueueOrchestrator(ctx, provobs.WorkItem{Kind: provobs.KindExternalRaised, InstanceID: "x"}, 300*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	it, err := waiter.FetchOrchestrationItem(ctx, provobs.FetchOptions{PollTimeout: longPoll})
	if err != nil || it == nil {
		t.Fatalf("fetch: %+v, %v; want the delayed message", it, err)
	}
}

// TestTimedWakeAtLockExpiry: an instance locked by another process that
// never acks is fetched by a waiting poll when the lock expires, and the same
// for a worker item.
func TestTimedWakeAtLockExpiry(t *testing.T) {
	t.Parallel()
	waiter, holder, _, _ := twoProcesses(t)
	ctx := t.Context()
	short := provobs.FetchOptions{LockTimeout: 300 * time.Millisecond}
	if err := holder.EnqueueOrchestrator(ctx, provobs.WorkItem{Kind: provobs.KindStartOrchestration, InstanceID: "x"}, 0); err != nil {
		t.Fatal(err)
	}
	if err := holder.EnqueueWorker(ctx, provobs.WorkItem{Kind: provobs.KindActivityExecute, InstanceID: "x", ExecutionID: 1, CorrelationID: 1}); err != nil {
		t.Fatal(err)
	}
	if it, err := holder.FetchOrchestrationItem(ctx, short); err != nil || it == nil {
		t.Fatalf("holder fetch: %v, %v", it, err)
	}
	if it, err := holder.DequeueWorker(ctx, short, nil); err != nil || it == nil {
		t.Fatalf("holder dequeue: %v, %v", it, err)
	}
	it, err := waiter.FetchOrchestrationItem(ctx, provobs.FetchOptions{PollTimeout: longPoll})
	if err != nil || it == nil || it.AttemptCount != 2 {
		t.Fatalf("fetch after expiry: %+v, %v; want the instance, attempt 2", it, err)
	}
	wi, err := waiter.DequeueWorker(ctx, provobs.FetchOptions{PollTimeout: longPoll}, nil)
	if err != nil || wi == nil || wi.AttemptCount != 2 {
		t.Fatalf("dequeue after expiry: %+v, %v; want the item, attempt 2", wi, err)
	}
}

// TestPollFallback: work inserted without a notification (as through a
// pooler that drops LISTEN, or a lost notification) is found by the poll
// interval.
func TestPollFallback(t *testing.T) {
	t.Parallel()
	dsn := testDSN(t)
	schema := newSchema(t, dsn)
	p := openOn(t, dsn, schema, postgres.WithPollInterval(50*time.Millisecond))
	ctx := t.Context()
	ch := fetchAsync(ctx, p, provobs.FetchOptions{PollTimeout: longPoll})
	waitListening(t, dsn, schema, 1)
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `INSERT INTO `+pgx.Identifier{schema, "orchestrator_queue"}.Sanitize()+
		` (instance_id, kind, execution_id, correlation_id, visible_at) VALUES ('x', 1, 0, 0, 0)`)
	if err != nil {
		t.Fatal(err)
	}
	r := <-ch
	if r.err != nil || r.item == nil {
		t.Fatalf("fetch: %+v, %v; want the silently inserted message", r.item, r.err)
	}
}

// TestListenerReconnects: when the server drops the listener's connection,
// the listener reconnects and wake-ups work again.
func TestListenerReconnects(t *testing.T) {
	t.Parallel()
	waiter, actor, dsn, schema := twoProcesses(t)
	ctx := t.Context()
	// Start the listener with a poll that ends at once.
	if _, err := waiter.FetchOrchestrationItem(ctx, provobs.FetchOptions{PollTimeout: time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	waitListening(t, dsn, schema, 1)
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	listen := "LISTEN " + pgx.Identifier{"provobs_" + schema}.Sanitize()
	var old int
	err = conn.QueryRow(ctx, `SELECT pg_terminate_backend(pid)::int * pid FROM pg_stat_activity WHERE query = $1`, listen).Scan(&old)
	if err != nil || old == 0 {
		t.Fatalf("terminate listener: %d, %v", old, err)
	}
	// Wait until a new backend listens.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		var n int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE query = $1 AND pid <> $2`, listen, old).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the listener did not reconnect within 30s")
		}
	}
	ch := fetchAsync(ctx, waiter, provobs.FetchOptions{PollTimeout: longPoll})
	if err := actor.EnqueueOrchestrator(ctx, provobs.WorkItem{Kind: provobs.KindStartOrchestration, InstanceID: "x"}, 0); err != nil {
		t.Fatal(err)
	}
	r := <-ch
	if r.err != nil || r.item == nil {
		t.Fatalf("fetch after reconnect: %+v, %v", r.item, r.err)
	}
}
