// Package sqlite is the embedded reference provider of provobs: a durable
// provobs.Provider (and provobs.Admin) on a single SQLite file.
//
//	store, err := sqlite.Open(ctx, "provobs.db")     // or sqlite.MemoryPath
//	...
//	defer store.Close()
//	p := provobs.Chain(store, logging, metrics, retry) // observed through the chain
//
// A file database is created with mode 0600 and runs in WAL mode, so reads
// proceed beside the writer. MemoryPath (":memory:") gives every Provider
// its own private in-memory database (one connection, no shared cache), so
// tests can open as many as they like in parallel.
//
// # Schema
//
// The schema is embedded (migrations/NNNN_name.sql) and versioned in the
// schema_version table. Open applies the missing migrations in one IMMEDIATE
// transaction and logs each one; a file whose version is newer than
// SchemaVersion fails with a *SchemaVersionError and is left untouched, and
// a file that is not SQLite (or is corrupt) fails with an error wrapping
// ErrNotDatabase. Timestamps are Unix nanoseconds from the WithClock clock
// (the years 1678 to 2262; a FireAt outside them is refused). Version 1 is
// the initial schema; version 2 makes the queues' fire_at nullable, so "no
// fire time" (NULL) differs from a fire time at the Unix epoch.
//
//	instances           one row per instance, created by its first ack; the current execution
//	                    and its status (an ack for an older execution changes neither)
//	executions          (instance, execution): status and output
//	history             (instance, execution, event id) primary key: append-only, a duplicate is a conflict
//	instance_locks      instance-level peek-locks (token, locked_until); separate because
//	                    messages can precede the instance row
//	orchestrator_queue  live messages: visible_at (a future one is a timer), the fetch's lock_token tag,
//	                    attempt_count
//	worker_queue        live activity items, FIFO by id, item-level lock (lock_token, locked_until)
//	sessions            session leases: owner, locked_until, last_activity
//
// Queues hold only live work: an ack deletes what it consumed. The fetch and
// dequeue statements search indexes (orchestrator_queue_ready, a partial
// index of untagged messages by visibility; instance_locks_by_expiry;
// worker_queue_by_session) and never scan history or instances, so their
// cost follows the live queue, not the number of completed instances;
// TestQueryPlans checks this with EXPLAIN QUERY PLAN.
//
// # Locking
//
// Fetch picks the instance of the oldest visible message (by visible_at,
// then enqueue order) whose lock is absent or expired: the oldest untagged
// visible message of an unlocked instance, or the oldest message of an
// instance whose lock expired, whichever is older: two indexed queries. In
// the same IMMEDIATE transaction, so no other writer can take the lock in
// between, it writes the instance lock with a fresh UUID token, tags the
// instance's visible messages with the token, increments their attempt
// counts, and reads them with the current execution's history. Messages that arrive under the lock are untagged and
// wait for the next fetch. Ack checks the token (present and unexpired),
// deletes exactly the tagged messages, upserts the instance and execution
// rows, appends the history (a duplicate id fails the whole ack), enqueues
// worker items, deletes cancelled activities (after the enqueue, so
// schedule-and-cancel in one turn is a no-op), enqueues orchestrator items
// (a TimerFired visible at its FireAt) and deletes the lock. A failed ack
// changes nothing and the lock stays held. Abandon deletes the lock and
// untags the batch, optionally delaying it and giving back the attempt.
// Worker items are locked one at a time the same way; a session-aware
// dequeue claims (or keeps) the item's session lease in the same
// transaction.
//
// # Group-commit writer
//
// One goroutine owns the only write connection. Every write (fetch, ack,
// abandon, renew, enqueue, dequeue, sessions, cleanup) is a request on a
// channel. The writer takes one request, drains up to WithMaxBatch-1 more
// that are already waiting, and runs them in one BEGIN IMMEDIATE
// transaction, each inside its own SAVEPOINT: a request that fails is
// rolled back to its savepoint (ROLLBACK TO, RELEASE), so only it is undone,
// and the batch commits once. Under load a batch grows to the number of
// concurrent callers, so one fsync serves them all (see the figures below).
// If the transaction cannot begin, dies, or fails to commit, every request
// of the batch fails with a retryable TypeTransactionFailed (or
// TypeLockTimeout when the database stayed busy) and nothing of it is
// stored. One table (opSpecs, in writer.go) says per operation whether its
// request only reads, only locks or mutates, and which long polls its
// commit wakes; a read or lock request that runs a statement writing
// durable state fails, so a write cannot join a lock request unnoticed. A
// batch made only of reads and lock requests (fetches, dequeues and renews)
// changes nothing but locks, so at synchronous=FULL it commits at NORMAL,
// without an fsync:
// a power loss can forget those locks and attempt counts, which is harmless
// since their holders died with it, and the next FULL commit's fsync of the
// WAL covers every earlier batch. Statements are prepared once and reused.
//
// Reads (ReadHistory, QueueDepths, ListInstances, InstanceInfo) are single
// statements on a separate read-only pool, consistent and concurrent with
// the writer under WAL; in-memory stores run them on the writer. An idle
// fetch or dequeue first looks on the read pool, so empty polls do not
// queue behind writes.
//
// Another process on the same file is serialized by SQLite itself: its
// BEGIN IMMEDIATE waits up to WithBusyTimeout, then fails with a retryable
// TypeLockTimeout.
//
// Cancellation is atomic per request: a request whose context ends before
// the writer starts it does nothing and fails with TypeCanceled (or
// TypeDeadlineExceeded when its deadline passed). Once the
// writer has started a mutation its caller waits for the batch and gets the
// true outcome. A fetch or dequeue whose caller gives up while it runs
// returns TypeCanceled at once, and the writer releases the lock it took
// (giving the attempt back) in its next batch, so no lock is left that no
// caller knows about.
//
// # Long polling
//
// With FetchOptions.PollTimeout > 0 a fetch or dequeue that finds nothing
// waits until work may have become visible, or for the timeout, whichever
// comes first. It wakes on a commit in this process that may have made work
// visible (enqueue, ack, abandon), at the earliest known future visibility
// (a timer, a delayed enqueue or abandon, a lock or session lease that
// expires), and, for a file store, on a commit by another connection to
// the file (another process, or another Provider): while at least one
// poll waits, PRAGMA data_version is read every 50ms on a read connection.
// Close ends the wait with TypeClosed.
//
// # Errors
//
// Every error is a *provobs.Error, classified by SQLite result code (the
// driver's (*sqlite.Error).Code), never by text:
//
//	SQLITE_BUSY, SQLITE_LOCKED                     lock_timeout (retryable)
//	SQLITE_CONSTRAINT (duplicate event id, ...)    conflict
//	SQLITE_IOERR, FULL, NOMEM, PROTOCOL            transaction_failed (retryable)
//	failed BEGIN or COMMIT                         transaction_failed (retryable)
//	unknown, expired, empty or used lock token     lock_lost
//	bad arguments                                  invalid_argument
//	the caller's context, SQLITE_INTERRUPT         canceled; deadline_exceeded for a passed deadline
//	use after Close                                closed
//
// Where the contract leaves room, this provider chooses: a zero lock
// duration, renew extension or session lease means the default
// (WithDefaultLockTimeout); RenewSessionLock with idleTimeout <= 0 skips the
// idle check; an empty instance id is invalid_argument for ReadHistory and
// InstanceInfo too; event and execution ids above math.MaxInt64 (SQLite's
// integer range) are invalid_argument; QueueDepths counts an orchestrator
// message as locked while its instance is locked, since the lock is
// instance-level.
//
// # Logging
//
// WithLogger receives what only the provider sees: migrations applied (INFO),
// waits for the write lock over 50ms (WARN), failed batches (ERROR), lock
// races lost and locks released for callers that gave up (DEBUG). Records use
// the attribute keys of the slogprov middleware ("operation", "instance_id",
// "duration_ms" as float milliseconds, "error_type", "error") and never
// carry payloads. Without WithLogger nothing is logged; the package never
// uses the default logger and never prints.
//
// # Driver
//
// The driver is modernc.org/sqlite, a pure-Go translation of SQLite: go
// build needs no C compiler and cross-compiles, which is why it was chosen.
// github.com/mattn/go-sqlite3 needs cgo and was not added. Measured with
//
//	go test -run='^$' -bench=. -benchmem -count=3 ./sqlite/
//
// on a shared 2-core AMD EPYC VM (other jobs running, so single-caller
// figures, bound by fsync latency, varied up to 2x between runs). Median of
// 3, file store, WAL; a turn acked is two events, one activity and a status:
//
//	BenchmarkAck/sync=full/callers=1                  670 acks/s
//	BenchmarkAck/sync=full/callers=16               3,240 acks/s
//	BenchmarkAck/sync=normal/callers=1              2,190 acks/s
//	BenchmarkAck/sync=normal/callers=16             4,180 acks/s
//	BenchmarkFetchAckCycle/sync=full/callers=1        760 turns/s
//	BenchmarkFetchAckCycle/sync=full/callers=16     2,530 turns/s
//	BenchmarkEnqueue/sync=full/callers=1            1,680 enqueues/s
//	BenchmarkEnqueue/sync=full/callers=4            3,280 enqueues/s
//	BenchmarkEnqueue/sync=full/callers=16           9,080 enqueues/s
//	BenchmarkEnqueue/sync=full/callers=64          19,140 enqueues/s
//
// A lone caller at FULL pays one fsync per operation; concurrent callers
// share it through group commit, so FULL with 16 callers outruns NORMAL with
// one. NORMAL (WithSynchronous) saves the fsync but may lose the last
// commits on power loss (never on a process crash); group commit makes FULL
// the sensible default.
package sqlite
