package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/internal/wake"
)

// keyRequests is the log attribute of how many requests a batch held. The
// shared keys (operation, instance_id, duration_ms, error_type, error) are
// the root package's vocabulary, so the provider's own records and
// slogprov's records of the same operation can be joined on them.
const keyRequests = "requests"

// The group-commit writer.
//
// One goroutine owns the only write connection. Every write operation is a
// request sent to it on a channel. The writer takes the first request,
// drains up to maxBatch-1 more that are already waiting, and runs them all in
// one BEGIN IMMEDIATE transaction, each inside its own SAVEPOINT: a request
// that fails is rolled back to its savepoint, so only it is undone. One
// COMMIT (one fsync of the WAL at synchronous=FULL) then makes the whole
// batch durable, and each request is answered. Under load the batch grows
// to the number of concurrent callers, so the fsync cost is shared.

// Request states. A request moves queued → running → delivered, or
// queued → skipped when its caller gives up (or its context is done) before
// the writer starts it, or running → abandoned when a fetch/dequeue caller
// gives up while it runs (the writer then releases the lock it took).
const (
	reqQueued int32 = iota
	reqRunning
	reqSkipped
	reqDelivered
	reqAbandoned
)

// reqKind is what a request may do to the database.
type reqKind uint8

const (
	// kindRead only reads (the reads of an in-memory store run on the
	// writer). Any write fails.
	kindRead reqKind = iota
	// kindLock only takes, extends or releases locks and leases (and the
	// attempt counts and batch tags that go with them): a batch of such
	// requests may commit without an fsync (see writer.setSync). A write
	// outside lockStatements fails, so a real write cannot be added to a
	// lock request without changing its kind here.
	kindLock
	// kindMutate changes the durable state: its batch commits at the
	// store's synchronous level.
	kindMutate
)

// opSpec says, per operation, what its request may do and which long polls
// its commit wakes.
type opSpec struct {
	kind  reqKind
	wakes wakeMask
}

// opSpecs is the table of every operation the writer runs. submit takes
// the kind and the wake-ups from here, never from the caller.
var opSpecs = [provobs.NumOps]opSpec{
	provobs.OpFetch:                   {kindLock, 0},
	provobs.OpDequeue:                 {kindLock, 0},
	provobs.OpRenewOrch:               {kindLock, 0},
	provobs.OpRenewWorker:             {kindLock, 0},
	provobs.OpRenewSessionLock:        {kindLock, 0},
	provobs.OpAckOrch:                 {kindMutate, wakeOrch | wakeWorker},
	provobs.OpAckWorker:               {kindMutate, wakeOrch | wakeWorker},
	provobs.OpAbandonOrch:             {kindMutate, wakeOrch},
	provobs.OpAbandonWorker:           {kindMutate, wakeWorker},
	provobs.OpEnqueue:                 {kindMutate, wakeOrch},
	provobs.OpEnqueueWorker:           {kindMutate, wakeWorker},
	provobs.OpCleanupOrphanedSessions: {kindMutate, wakeWorker},
	provobs.OpReadHistory:             {kindRead, 0},
	provobs.OpQueueDepths:             {kindRead, 0},
	provobs.OpListInstances:           {kindRead, 0},
	provobs.OpInstanceInfo:            {kindRead, 0},
}

// releaseSpecs are the requests that give back the lock of a fetch or
// dequeue whose caller left while it ran: a lock release that wakes the
// pollers of its queue.
var releaseSpecs = map[provobs.Op]opSpec{
	provobs.OpFetch:   {kindLock, wakeOrch},
	provobs.OpDequeue: {kindLock, wakeWorker},
}

// lockStatements are the only writing statements a kindLock request may
// run: they touch locks, leases, batch tags and attempt counts, nothing a
// power loss must keep.
var lockStatements = map[string]bool{
	sqlLockInstance:  true,
	sqlTagBatch:      true,
	sqlRenewInstance: true,
	sqlAbandonLock:   true,
	sqlUntagBatch:    true,
	sqlLockWorker:    true,
	sqlClaimSession:  true,
	sqlRenewWorker:   true,
	sqlAbandonWorker: true,
	sqlTouchSession:  true,
	sqlRenewSessions: true,
}

// errWriteInLockRequest is what a read or lock request gets when it runs a
// statement its kind does not allow.
var errWriteInLockRequest = errors.New("sqlite: a read or lock-only request ran a writing statement its kind does not allow (see opSpecs)")

// request is one write (or, for an in-memory store, read) operation.
type request struct {
	op   provobs.Op
	spec opSpec
	ctx  context.Context
	run  func(t *wtx) error
	// release undoes a successful fetch/dequeue whose caller gave up while it
	// ran; it runs in a later batch. Nil for other operations.
	release func(t *wtx) error

	state atomic.Int32
	err   error      // set by the writer before delivery
	done  chan error // buffered 1; receives err once
}

// writer owns the write connection and its prepared statements. Only its
// goroutine touches conn, stmts and pending.
type writer struct {
	conn     *sql.Conn
	stmts    map[string]*stmt
	reqs     chan *request
	closing  chan struct{} // closed by Close
	exited   chan struct{} // closed when the goroutine returns
	maxBatch int
	// relaxSync commits batches made only of lockOnly requests without
	// an fsync (synchronous=NORMAL) when the store runs at FULL; relaxed
	// says which level the connection is at now.
	relaxSync bool
	relaxed   bool
	clock     func() time.Time
	log       *slog.Logger
	orch      *wake.Notifier
	worker    *wake.Notifier
	pending   []*request // internal releases for the next batch
	batch     []*request

	// Test hooks, nil in production: afterRun runs after each request
	// inside the transaction, onCommit after each committed batch with the
	// number of requests that ran.
	afterRun    func(r *request)
	onCommit    func(n int)
	beforeDrain func()
}

// stmt is a prepared statement of the write connection and whether a
// request of each kind may run it.
type stmt struct {
	*sql.Stmt
	allowed [kindMutate + 1]bool
}

// wtx is the handle a request's run function uses inside the batch
// transaction. now is taken once per request.
type wtx struct {
	w    *writer
	now  time.Time
	kind reqKind
}

var bg = context.Background()

// stmt returns the cached prepared statement for query on the write
// connection, preparing it on first use.
func (w *writer) stmt(query string) (*stmt, error) {
	if s, ok := w.stmts[query]; ok {
		return s, nil
	}
	ps, err := w.conn.PrepareContext(bg, query)
	if err != nil {
		return nil, err
	}
	s := &stmt{Stmt: ps}
	read := strings.HasPrefix(strings.TrimSpace(query), "SELECT")
	s.allowed[kindRead] = read
	s.allowed[kindLock] = read || lockStatements[query]
	s.allowed[kindMutate] = true
	w.stmts[query] = s
	return s, nil
}

// stmt returns query's statement if the request's kind allows it.
func (t *wtx) stmt(query string) (*stmt, error) {
	s, err := t.w.stmt(query)
	if err != nil {
		return nil, err
	}
	if !s.allowed[t.kind] {
		return nil, errWriteInLockRequest
	}
	return s, nil
}

// execCtl runs a transaction-control statement (BEGIN, SAVEPOINT, ...)
// through the statement cache, so it is parsed once.
func (w *writer) execCtl(query string) (sql.Result, error) {
	s, err := w.stmt(query)
	if err != nil {
		return nil, err
	}
	return s.ExecContext(bg)
}

func (t *wtx) nowNanos() int64 { return t.now.UnixNano() }

func (t *wtx) exec(query string, args ...any) (sql.Result, error) {
	s, err := t.stmt(query)
	if err != nil {
		return nil, err
	}
	return s.ExecContext(bg, args...)
}

// execN runs query and returns the number of rows it changed.
func (t *wtx) execN(query string, args ...any) (int64, error) {
	res, err := t.exec(query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (t *wtx) query(query string, args ...any) (*sql.Rows, error) {
	s, err := t.stmt(query)
	if err != nil {
		return nil, err
	}
	return s.QueryContext(bg, args...)
}

func (t *wtx) queryRow(query string, args ...any) row {
	s, err := t.stmt(query)
	if err != nil {
		return row{err: err}
	}
	return row{r: s.QueryRowContext(bg, args...)}
}

// row is a *sql.Row, or the error that kept the statement from running.
type row struct {
	r   *sql.Row
	err error
}

// Scan is sql.Row.Scan, or the error.
func (r row) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	return r.r.Scan(dest...)
}

// loop is the writer goroutine.
func (w *writer) loop() {
	defer close(w.exited)
	for {
		var first *request
		if len(w.pending) == 0 {
			select {
			case first = <-w.reqs:
			case <-w.closing:
				return
			}
		}
		batch := append(w.batch[:0], w.pending...)
		clear(w.pending)
		w.pending = w.pending[:0]
		if first != nil {
			batch = append(batch, first)
		}
		if w.beforeDrain != nil {
			w.beforeDrain()
		}
	drain:
		for len(batch) < w.maxBatch {
			select {
			case r := <-w.reqs:
				batch = append(batch, r)
			default:
				break drain
			}
		}
		w.runBatch(batch)
		clear(batch)
		w.batch = batch[:0]
		select {
		case <-w.closing:
			// Releases owed to callers that gave up are best effort at
			// shutdown: run them once; an unreleased lock just expires.
			if len(w.pending) > 0 {
				w.runBatch(w.pending)
				w.pending = nil
			}
			return
		default:
		}
	}
}

// runBatch runs batch in one transaction and answers every request.
func (w *writer) runBatch(batch []*request) {
	// Requests whose caller is gone or whose context ended do nothing.
	live := batch[:0:0]
	for _, r := range batch {
		if r.ctx.Err() != nil && r.state.CompareAndSwap(reqQueued, reqSkipped) {
			r.done <- provobs.ContextError(r.op, r.ctx.Err())
			continue
		}
		if r.state.Load() != reqQueued {
			continue // the caller cancelled it
		}
		live = append(live, r)
	}
	if len(live) == 0 {
		return
	}

	if w.relaxSync {
		w.setSync(live)
	}
	start := time.Now()
	if _, err := w.execCtl("BEGIN IMMEDIATE"); err != nil {
		w.logBatchError("sqlite: begin failed; batch not run", live, err, start)
		for _, r := range live {
			if r.state.CompareAndSwap(reqQueued, reqSkipped) {
				r.done <- txFailed(r.op, err)
			}
		}
		return
	}
	if waited := time.Since(start); waited > 50*time.Millisecond {
		w.log.LogAttrs(bg, slog.LevelWarn, "sqlite: waited for the write lock",
			slog.Float64(provobs.KeyDurationMS, durationMS(waited)), slog.Int(keyRequests, len(live)))
	}

	// A lone request needs no savepoint: if it fails, the whole
	// transaction rolls back instead of committing.
	solo := len(live) == 1
	ran := live[:0:0]
	for _, r := range live {
		if !r.state.CompareAndSwap(reqQueued, reqRunning) {
			continue // cancelled between the filter and now
		}
		ran = append(ran, r)
		if err := r.ctx.Err(); err != nil {
			r.err = provobs.ContextError(r.op, err)
			continue
		}
		if fatal := w.runOne(r, !solo); fatal != nil {
			// The transaction is gone (SQLite rolled it back): nothing in
			// this batch happened.
			_, _ = w.execCtl("ROLLBACK")
			w.logBatchError("sqlite: transaction aborted; batch rolled back", ran, fatal, start)
			for _, q := range ran {
				q.err = txFailed(q.op, fatal)
			}
			w.finish(ran, false)
			w.skipRest(live, fatal)
			return
		}
	}

	if solo && len(ran) == 1 && ran[0].err != nil {
		_, _ = w.execCtl("ROLLBACK") // fails harmlessly if SQLite already rolled back
		w.finish(ran, false)
		return
	}
	if _, err := w.execCtl("COMMIT"); err != nil {
		_, _ = w.execCtl("ROLLBACK")
		w.logBatchError("sqlite: commit failed; batch rolled back", ran, err, start)
		for _, r := range ran {
			r.err = txFailed(r.op, err)
		}
		w.finish(ran, false)
		return
	}
	if w.onCommit != nil {
		w.onCommit(len(ran))
	}
	w.finish(ran, true)
}

// setSync switches the connection to synchronous=NORMAL for a batch of
// read and lock requests and back to FULL for any other batch. A lock-only batch
// that a power loss erases takes its locks and attempt counts with it,
// which is harmless: their holder died too, and the next FULL commit's
// fsync of the WAL makes every earlier batch durable.
func (w *writer) setSync(batch []*request) {
	relax := true
	for _, r := range batch {
		relax = relax && r.spec.kind != kindMutate
	}
	if relax == w.relaxed {
		return
	}
	q := "PRAGMA synchronous=FULL"
	if relax {
		q = "PRAGMA synchronous=NORMAL"
	}
	if _, err := w.execCtl(q); err != nil {
		w.log.LogAttrs(bg, slog.LevelWarn, "sqlite: could not switch synchronous level",
			slog.Any(provobs.KeyError, err))
		return
	}
	w.relaxed = relax
}

// runOne runs r, inside a savepoint when savepoint is set. A failure of r
// alone is recorded in r.err and (with a savepoint) undone; the returned
// error is fatal for the whole transaction.
func (w *writer) runOne(r *request, savepoint bool) (fatal error) {
	if savepoint {
		if _, err := w.execCtl("SAVEPOINT r"); err != nil {
			return err
		}
	}
	t := wtx{w: w, now: w.clock(), kind: r.spec.kind}
	err := r.run(&t)
	if w.afterRun != nil {
		w.afterRun(r)
	}
	if err != nil {
		r.err = classify(r.op, err)
	}
	if !savepoint {
		return nil
	}
	if err != nil {
		if _, rerr := w.execCtl("ROLLBACK TO r"); rerr != nil {
			return rerr
		}
	}
	if _, err := w.execCtl("RELEASE r"); err != nil {
		return err
	}
	return nil
}

// skipRest answers the requests of live that never ran.
func (w *writer) skipRest(live []*request, cause error) {
	for _, r := range live {
		if r.state.CompareAndSwap(reqQueued, reqSkipped) {
			r.done <- txFailed(r.op, cause)
		}
	}
}

// finish answers the requests that ran; committed says whether their
// effects are durable. A fetch/dequeue whose caller gave up while it ran
// and that took a lock gets its release queued for the next batch.
func (w *writer) finish(ran []*request, committed bool) {
	var wakes wakeMask
	for _, r := range ran {
		if committed && r.err == nil {
			wakes |= r.spec.wakes
		}
		if r.state.CompareAndSwap(reqRunning, reqDelivered) {
			r.done <- r.err
			continue
		}
		// The caller gave up (reqAbandoned).
		if committed && r.err == nil && r.release != nil {
			w.pending = append(w.pending, &request{op: r.op, spec: releaseSpecs[r.op], ctx: bg, run: r.release, done: make(chan error, 1)})
		}
	}
	if wakes&wakeOrch != 0 {
		w.orch.Broadcast()
	}
	if wakes&wakeWorker != 0 {
		w.worker.Broadcast()
	}
}

func (w *writer) logBatchError(msg string, batch []*request, err error, start time.Time) {
	op := provobs.Op(0)
	if len(batch) > 0 {
		op = batch[0].op
	}
	w.log.LogAttrs(bg, slog.LevelError, msg,
		slog.String(provobs.KeyOperation, op.String()),
		slog.Int(keyRequests, len(batch)),
		slog.String(provobs.KeyErrorType, txFailed(op, err).Type.String()),
		slog.Any(provobs.KeyError, err),
		slog.Float64(provobs.KeyDurationMS, durationMS(time.Since(start))))
}

// closeStmts closes the cached statements; the writer goroutine has exited.
func (w *writer) closeStmts() {
	for q, s := range w.stmts {
		_ = s.Close()
		delete(w.stmts, q)
	}
}

// submit runs run as a request of op in the group-commit writer and waits
// for its answer. op's entry in opSpecs says what run may do and whom its
// commit wakes. release, for a fetch or dequeue, gives back the lock of a
// run whose caller left (nil otherwise).
func (p *Provider) submit(ctx context.Context, op provobs.Op, run, release func(t *wtx) error) error {
	return p.send(ctx, &request{op: op, spec: opSpecs[op], run: run, release: release})
}

// send sends r to the writer and waits for its answer.
//
// Cancellation is atomic: if ctx ends before the writer starts r, r is
// skipped and the caller gets TypeCanceled with nothing changed. If the
// writer already started r, the caller waits for the batch (bounded by
// one transaction) and gets the true outcome, except for a fetch/dequeue
// (r.release != nil), which returns TypeCanceled at once and leaves the
// writer to release the lock it took.
func (p *Provider) send(ctx context.Context, r *request) error {
	if err := provobs.ValidateCall(ctx, r.op, p.closed.Load()); err != nil {
		return err
	}
	r.ctx = ctx
	r.done = make(chan error, 1)
	select {
	case p.w.reqs <- r:
	case <-p.w.closing:
		return provobs.ClosedError(r.op, nil)
	case <-ctx.Done():
		return provobs.ContextError(r.op, ctx.Err())
	}
	select {
	case err := <-r.done:
		return err
	case <-ctx.Done():
		if r.state.CompareAndSwap(reqQueued, reqSkipped) {
			return provobs.ContextError(r.op, ctx.Err())
		}
		if r.release != nil && r.state.CompareAndSwap(reqRunning, reqAbandoned) {
			return provobs.ContextError(r.op, ctx.Err())
		}
		return <-r.done
	}
}
