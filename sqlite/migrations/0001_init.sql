-- provobs SQLite schema, version 1.
-- Timestamps are Unix nanoseconds. Queues hold only live messages: an ack
-- deletes what it consumed, so their size (and the cost of a fetch) follows
-- the live work, not the number of completed instances or history rows.

-- One row per instance, created by the first ack that names it.
CREATE TABLE instances (
    instance_id  TEXT    NOT NULL PRIMARY KEY,
    name         TEXT    NOT NULL DEFAULT '',
    version      TEXT    NOT NULL DEFAULT '',
    status       TEXT    NOT NULL DEFAULT '',
    execution_id INTEGER NOT NULL,             -- the current execution
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
) WITHOUT ROWID;

CREATE INDEX instances_by_status ON instances (status, instance_id);

-- One row per execution (continue-as-new starts a new one).
CREATE TABLE executions (
    instance_id  TEXT    NOT NULL,
    execution_id INTEGER NOT NULL,
    status       TEXT    NOT NULL DEFAULT '',
    output       BLOB,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (instance_id, execution_id)
) WITHOUT ROWID;

-- Append-only history; the primary key rejects a duplicate event id.
CREATE TABLE history (
    instance_id  TEXT    NOT NULL,
    execution_id INTEGER NOT NULL,
    event_id     INTEGER NOT NULL,
    kind         TEXT    NOT NULL,
    payload      BLOB,
    PRIMARY KEY (instance_id, execution_id, event_id)
) WITHOUT ROWID;

-- Instance-level peek-locks. A separate table because messages can precede
-- the instance row. A row whose locked_until has passed is an expired lock.
CREATE TABLE instance_locks (
    instance_id  TEXT    NOT NULL PRIMARY KEY,
    lock_token   TEXT    NOT NULL UNIQUE,
    locked_until INTEGER NOT NULL
) WITHOUT ROWID;

-- Expired locks, for fetch to take over their batches.
CREATE INDEX instance_locks_by_expiry ON instance_locks (locked_until);

-- Orchestrator queue. id is the enqueue order. lock_token tags the messages
-- of a fetched batch; visible_at in the future makes a message a timer.
CREATE TABLE orchestrator_queue (
    id             INTEGER PRIMARY KEY,
    instance_id    TEXT    NOT NULL,
    kind           INTEGER NOT NULL,
    execution_id   INTEGER NOT NULL,
    correlation_id INTEGER NOT NULL,
    fire_at        INTEGER NOT NULL,
    payload        BLOB,
    visible_at     INTEGER NOT NULL,
    lock_token     TEXT,
    attempt_count  INTEGER NOT NULL DEFAULT 0
);

-- Untagged messages in (visible_at, id) order: fetch candidates, the next
-- timer, the timer depth. Tagged (fetched) messages leave this index, so a
-- fetch never walks past the batches other dispatchers hold.
CREATE INDEX orchestrator_queue_ready ON orchestrator_queue (visible_at) WHERE lock_token IS NULL;
-- A fetched batch, an ack's delete, an abandon.
CREATE INDEX orchestrator_queue_by_instance ON orchestrator_queue (instance_id, lock_token);

-- Worker queue, FIFO by id, item-level peek-locks (locked_until 0 = free).
CREATE TABLE worker_queue (
    id             INTEGER PRIMARY KEY,
    instance_id    TEXT    NOT NULL,
    kind           INTEGER NOT NULL,
    execution_id   INTEGER NOT NULL,
    correlation_id INTEGER NOT NULL,
    session_id     TEXT    NOT NULL DEFAULT '',
    fire_at        INTEGER NOT NULL,
    payload        BLOB,
    visible_at     INTEGER NOT NULL,
    lock_token     TEXT    UNIQUE,
    locked_until   INTEGER NOT NULL DEFAULT 0,
    attempt_count  INTEGER NOT NULL DEFAULT 0
);

-- Session-less dequeue in FIFO order, and "does this session have items".
CREATE INDEX worker_queue_by_session ON worker_queue (session_id);
-- Cancelled activities deleted by an orchestration ack.
CREATE INDEX worker_queue_by_activity ON worker_queue (instance_id, execution_id, correlation_id);

-- Session leases pinning worker items of one session id to one owner.
CREATE TABLE sessions (
    session_id    TEXT    NOT NULL PRIMARY KEY,
    owner_id      TEXT    NOT NULL,
    locked_until  INTEGER NOT NULL,
    last_activity INTEGER NOT NULL
) WITHOUT ROWID;

CREATE INDEX sessions_by_owner ON sessions (owner_id);
