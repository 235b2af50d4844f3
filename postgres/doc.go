// Package postgres is the PostgreSQL provider of provobs: a
// provobs.Provider (and provobs.Admin) that many processes, on many
// machines, share through one database.
//
//	store, err := postgres.Open(ctx, "postgres://user@db:5432/app?sslmode=require",
//		postgres.WithSchema("provobs"))
//	...
//	defer store.Close()
//	p := provobs.Chain(store, logging, metrics, retry) // observed through the chain
//
// It is built on github.com/jackc/pgx/v5 (pgxpool) and passes the same
// conformance suite (providertest) as the SQLite provider, plain and through
// the full middleware chain: lock tokens, attempt counts, sessions, timers,
// history and payloads behave exactly as there.
//
// # Schema
//
// Everything lives in one schema the caller names (WithSchema; default
// "provobs"), so tenants and tests are isolated; the pool's connections set
// search_path to it. Open creates the schema when missing and applies the
// embedded, versioned migrations (migrations/NNNN_name.sql, recorded in
// schema_version), each in a transaction of its own that first takes a
// transaction-scoped advisory lock for the schema and re-reads the version,
// so any number of processes may open the same schema at once and each
// migration runs once. A schema newer than SchemaVersion fails with a
// *SchemaVersionError. DropSchema removes a schema and everything in it.
//
//	instances           one row per instance, created by its first ack; the current execution
//	executions          (instance, execution): status and output
//	history             (instance, execution, event id) primary key: append-only, a duplicate is a conflict
//	instance_locks      instance-level peek-locks (token, locked_until)
//	orchestrator_queue  live messages, enqueue order by identity id; visible_at (a future one is a
//	                    timer), the fetch's lock_token tag, attempt_count
//	worker_queue        live activity items, FIFO by id, item-level lock (lock_token, locked_until)
//	sessions            session leases: owner, locked_until, last_activity
//
// Timestamps are Unix nanoseconds (bigint) from the server's clock
// (provobs_now), so every process on every machine compares expiries and
// visibility against one clock; a FireAt round-trips exactly.
//
// # One round trip per operation
//
// Every operation is one statement: a call of a server-side PL/pgSQL or SQL
// function created by the migration (provobs_fetch, provobs_ack_orch,
// provobs_dequeue, ...) for the writes, one SELECT for the reads. A function
// call is its own transaction, so an ack is atomic without a BEGIN/COMMIT
// round trip, and its inputs (history delta, worker and orchestrator items,
// cancelled activities) travel as arrays unnested on the server.
// TestRoundTrips counts, per operation, the statements (a pgx QueryTracer)
// and the network writes (a counting dialer) and fails if any exceeds one.
// Two things can add one: pgxpool pings a connection idle for more than a
// second before handing it out (configurable with WithPoolConfig and
// ShouldPing), and pgx drops a cached prepared statement after any error
// on it, so the next call re-prepares. For the second reason a lost lock is
// an answer of the by-token functions (false), not an SQL error.
//
// # Claims without lost races
//
// Fetch walks the visible messages of instances with no valid lock, oldest
// first (visible_at, then enqueue order), claiming the candidate message row
// with FOR UPDATE SKIP LOCKED, then takes the instance lock: an UPDATE that
// only replaces an expired lock, else an INSERT ... ON CONFLICT DO NOTHING
// (not an ON CONFLICT DO UPDATE ... WHERE, which keeps the conflicting row
// locked when its WHERE fails: two fetchers that each lost one instance and
// then tried the other's deadlocked under load). If a concurrent fetcher
// claimed the same instance through another of its messages, the insert
// waits for it and changes nothing; the fetch then skips that instance and tries the next
// candidate, inside the same call. So (nil, nil) means no eligible work,
// never a lost race, and concurrent fetchers in any number of processes get
// distinct instances. The batch is tagged with FOR UPDATE SKIP LOCKED too,
// so a message row held by such a losing fetcher is left for the next
// fetch, like a message that arrives under the lock, instead of deadlocking.
// Dequeue claims the oldest eligible worker item row the same way; with a
// session config it claims (or keeps) the item's session in the same call
// and skips items whose session another owner won meanwhile.
//
// # Wake-ups across processes
//
// Enqueues, acks and abandons wake the long polls of every process through
// the schema's channel ("provobs_" + schema; payload "o", "w" or "ow" for
// the queues concerned). Not from inside their transactions: a transaction
// that notifies holds a database-wide lock from its pre-commit until its
// commit record is flushed, so notifying writes commit one at a time (under
// load that tripled the write operations' latency, see the PostgreSQL section of BENCHMARKS.md).
// Each Provider instead sends, after its writes commit, one coalesced
// pg_notify per burst of writes from a connection of its own (requests that
// arrive while one is being sent ride on the next), off the operations'
// path. Each Provider also holds one dedicated LISTEN connection, opened by
// its first long poll, and fans notifications out to its waiting polls;
// writes of the same process wake them at once. A poll that finds nothing
// asks the server when something next becomes eligible by itself (a delayed
// message or timer turning visible, a lock or session lease expiring) and
// wakes then, not at its poll timeout. Lost notifications (a listener
// reconnecting, a connection pooler that drops LISTEN, a process that dies
// between a commit and its notification) cost only latency: every poll
// also looks again every WithPollInterval (default 1s),
// and a reconnected listener wakes every poll.
//
// # Errors
//
// Every error is a *provobs.Error, classified from the SQLSTATE code and
// the pgx error type, never from the text: serialization failure and
// deadlock (40001, 40P01), connection exceptions (08xxx), admin/crash
// shutdown and cannot-connect-now (57P01..57P03), a broken connection or a
// failed dial are TypeTransactionFailed; too many connections (53300), lock
// not available (55P03) and a statement timeout (57014) TypeLockTimeout;
// all retryable. Integrity violations (23xxx, such as a duplicate event id)
// are TypeConflict, data exceptions (22xxx) TypeInvalidArgument, a
// cancelled context TypeCanceled and a passed deadline TypeDeadlineExceeded
// (both wrapping the context's error), a closed
// provider or pool TypeClosed, an invalid or expired token TypeLockLost.
// Text arguments cannot hold a NUL byte in PostgreSQL; ids containing one
// fail with TypeInvalidArgument before reaching the server.
package postgres
