package postgres_test

import (
	"context"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/postgres"
)

// maxRoundTrips is the recorded number of round trips of every operation:
// one each (a single call of a server-side function or a single statement).
// An operation that needs more fails TestRoundTrips; lower a count here
// only with the change that achieves it.
var maxRoundTrips = map[provobs.Op]int{
	provobs.OpFetch:                   1,
	provobs.OpAckOrch:                 1,
	provobs.OpAbandonOrch:             1,
	provobs.OpRenewOrch:               1,
	provobs.OpEnqueue:                 1,
	provobs.OpEnqueueWorker:           1,
	provobs.OpDequeue:                 1,
	provobs.OpAckWorker:               1,
	provobs.OpAbandonWorker:           1,
	provobs.OpRenewWorker:             1,
	provobs.OpRenewSessionLock:        1,
	provobs.OpCleanupOrphanedSessions: 1,
	provobs.OpReadHistory:             1,
	provobs.OpQueueDepths:             1,
	provobs.OpListInstances:           1,
	provobs.OpInstanceInfo:            1,
}

// countingConn counts the writes the client makes: with the protocol
// messages of a statement buffered and flushed together, each write is one
// request that waits for the server's answer, so writes count round trips.
type countingConn struct {
	net.Conn
	writes atomic.Int64
}

func (c *countingConn) Write(b []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(b)
}

// stmtCounter is a pgx QueryTracer counting the statements sent; it also
// remembers the connection that ran them (the pool's only one), so the
// writes of the provider's own wake-up sender, on a connection of its own,
// are not charged to the operations.
type stmtCounter struct {
	n    atomic.Int64
	conn atomic.Pointer[countingConn]
}

func (s *stmtCounter) TraceQueryStart(ctx context.Context, c *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	s.n.Add(1)
	if cc, ok := c.PgConn().Conn().(*countingConn); ok {
		s.conn.Store(cc)
	}
	return ctx
}

func (s *stmtCounter) writes() int64 {
	if c := s.conn.Load(); c != nil {
		return c.writes.Load()
	}
	return 0
}

func (s *stmtCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// TestRoundTrips runs every operation twice on a one-connection pool (the
// first pass warms the prepared-statement cache) and checks, on the second
// pass, how many statements (pgx's tracer) and network writes on the pool's
// connection (a counting dialer) each one made.
func TestRoundTrips(t *testing.T) {
	stmts := &stmtCounter{}
	p := openTest(t, postgres.WithMaxConns(1), postgres.WithPoolConfig(func(c *pgxpool.Config) {
		d := &net.Dialer{Timeout: 5 * time.Second}
		c.ConnConfig.DialFunc = func(ctx context.Context, network, addr string) (net.Conn, error) {
			conn, err := d.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return &countingConn{Conn: conn}, nil
		}
		c.ConnConfig.Tracer = stmts
		// A connection idle for over a second is pinged before use; on a
		// slow run that would count as the next operation's round trip.
		c.ShouldPing = func(context.Context, pgxpool.ShouldPingParams) bool { return false }
		c.MinConns = 1
	}))
	ctx := t.Context()
	seen := map[provobs.Op]bool{}
	for pass := range 2 {
		measure := func(op provobs.Op, fn func() error) {
			t.Helper()
			w0, s0 := stmts.writes(), stmts.n.Load()
			if err := fn(); err != nil {
				t.Fatalf("pass %d: %v: %v", pass, op, err)
			}
			w, s := int(stmts.writes()-w0), int(stmts.n.Load()-s0)
			if pass == 0 {
				return
			}
			seen[op] = true
			if want := maxRoundTrips[op]; w > want || s > want {
				t.Errorf("%v: %d round trips (%d statements), recorded %d", op, w, s, want)
			} else {
				t.Logf("%-26v %d round trip(s), %d statement(s)", op, w, s)
			}
		}
		inst := []string{"rt-a", "rt-b"}[pass]
		sess := &provobs.SessionConfig{OwnerID: "owner", LockTimeout: time.Minute}
		var item *provobs.OrchestrationItem
		var wi *provobs.WorkerItem
		measure(provobs.OpEnqueue, func() error {
			return p.EnqueueOrchestrator(ctx, provobs.WorkItem{Kind: provobs.KindStartOrchestration, InstanceID: inst, Payload: []byte("x")}, 0)
		})
		measure(provobs.OpFetch, func() (err error) { item, err = p.FetchOrchestrationItem(ctx, provobs.FetchOptions{}); return err })
		measure(provobs.OpRenewOrch, func() error { return p.RenewOrchestrationItemLock(ctx, item.LockToken, time.Minute) })
		measure(provobs.OpAbandonOrch, func() error {
			return p.AbandonOrchestrationItem(ctx, item.LockToken, provobs.AbandonOptions{IgnoreAttempt: true})
		})
		measure(provobs.OpFetch, func() (err error) { item, err = p.FetchOrchestrationItem(ctx, provobs.FetchOptions{}); return err })
		measure(provobs.OpAckOrch, func() error {
			return p.AckOrchestrationItem(ctx, item.LockToken, provobs.OrchestrationAck{
				ExecutionID:  1,
				HistoryDelta: []provobs.Event{{ID: 1, Kind: provobs.EventOrchestrationStarted}, {ID: 2, Kind: provobs.EventActivityScheduled}},
				WorkerItems: []provobs.WorkItem{
					{Kind: provobs.KindActivityExecute, InstanceID: inst, ExecutionID: 1, CorrelationID: 2, SessionID: "s-" + inst},
					{Kind: provobs.KindActivityExecute, InstanceID: inst, ExecutionID: 1, CorrelationID: 3},
				},
				OrchestratorItems: []provobs.WorkItem{{Kind: provobs.KindTimerFired, InstanceID: inst, ExecutionID: 1, CorrelationID: 4,
					FireAt: time.Now().Add(time.Hour)}},
				CancelledActivities: []uint64{3},
				Metadata:            provobs.InstanceMetadata{Name: "rt", Version: "1", Status: provobs.StatusRunning},
			})
		})
		measure(provobs.OpFetch, func() error { // nothing eligible: still one round trip
			got, err := p.FetchOrchestrationItem(ctx, provobs.FetchOptions{})
			if got != nil {
				t.Errorf("fetch found %s, want nothing", got.InstanceID)
			}
			return err
		})
		measure(provobs.OpEnqueueWorker, func() error {
			return p.EnqueueWorker(ctx, provobs.WorkItem{Kind: provobs.KindActivityExecute, InstanceID: inst, ExecutionID: 1, CorrelationID: 9})
		})
		measure(provobs.OpDequeue, func() (err error) { wi, err = p.DequeueWorker(ctx, provobs.FetchOptions{}, sess); return err })
		measure(provobs.OpRenewWorker, func() error { return p.RenewWorkerLock(ctx, wi.LockToken, time.Minute) })
		measure(provobs.OpAbandonWorker, func() error { return p.AbandonWorker(ctx, wi.LockToken, provobs.AbandonOptions{}) })
		measure(provobs.OpDequeue, func() (err error) { wi, err = p.DequeueWorker(ctx, provobs.FetchOptions{}, sess); return err })
		measure(provobs.OpAckWorker, func() error {
			return p.AckWorker(ctx, wi.LockToken, &provobs.WorkItem{Kind: provobs.KindActivityCompleted, InstanceID: inst, ExecutionID: 1, CorrelationID: 2})
		})
		measure(provobs.OpAckWorker, func() error { // a lost lock is one round trip too
			if err := p.AckWorker(ctx, wi.LockToken, nil); provobs.TypeOf(err) != provobs.TypeLockLost {
				t.Errorf("second ack: %v, want lock_lost", err)
			}
			return nil
		})
		measure(provobs.OpRenewSessionLock, func() error {
			_, err := p.RenewSessionLock(ctx, []string{"owner"}, time.Minute, time.Minute)
			return err
		})
		measure(provobs.OpCleanupOrphanedSessions, func() error { _, err := p.CleanupOrphanedSessions(ctx, 0); return err })
		measure(provobs.OpReadHistory, func() error { _, err := p.ReadHistory(ctx, inst, 0); return err })
		measure(provobs.OpReadHistory, func() error { _, err := p.ReadHistory(ctx, inst, 1); return err })
		measure(provobs.OpQueueDepths, func() error { _, err := p.QueueDepths(ctx); return err })
		measure(provobs.OpListInstances, func() error { _, err := p.ListInstances(ctx, provobs.ListOptions{}); return err })
		measure(provobs.OpListInstances, func() error {
			_, err := p.ListInstances(ctx, provobs.ListOptions{Status: provobs.StatusRunning})
			return err
		})
		measure(provobs.OpInstanceInfo, func() error { _, err := p.InstanceInfo(ctx, inst); return err })
		// Drain the completion so the next pass fetches its own instance.
		for {
			it, err := p.FetchOrchestrationItem(ctx, provobs.FetchOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if it == nil {
				break
			}
			if err := p.AckOrchestrationItem(ctx, it.LockToken, provobs.OrchestrationAck{ExecutionID: 1}); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, op := range provobs.Ops() {
		if op.Method() != "" && !seen[op] {
			t.Errorf("%v: not measured; add it to TestRoundTrips", op)
		}
	}
}
