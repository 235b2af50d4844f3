-- provobs SQLite schema, version 2: the tables and indexes the migrations
-- (migrations/NNNN_*.sql) build, in one place to read. It is not applied:
-- Open runs the migrations. TestSchemaSnapshot checks that the migrated
-- schema equals this file (comments, spacing and order aside), so a
-- migration that changes the schema must update it.
-- Timestamps are Unix nanoseconds; see doc.go for what each table holds.

CREATE TABLE executions (
    instance_id TEXT NOT NULL,
    execution_id INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT '',
    output BLOB,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY(instance_id, execution_id)
) WITHOUT ROWID;

CREATE TABLE history (
    instance_id TEXT NOT NULL,
    execution_id INTEGER NOT NULL,
    event_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    payload BLOB,
    PRIMARY KEY(instance_id, execution_id, event_id)
) WITHOUT ROWID;

CREATE TABLE instance_locks (
    instance_id TEXT NOT NULL PRIMARY KEY,
    lock_token TEXT NOT NULL UNIQUE,
    locked_until INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE instances (
    instance_id TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL DEFAULT '',
    version TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT '',
    execution_id INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE orchestrator_queue (
    id INTEGER PRIMARY KEY,
    instance_id TEXT NOT NULL,
    kind INTEGER NOT NULL,
    execution_id INTEGER NOT NULL,
    correlation_id INTEGER NOT NULL,
    fire_at INTEGER,
    payload BLOB,
    visible_at INTEGER NOT NULL,
    lock_token TEXT,
    attempt_count INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE schema_version (
    version INTEGER NOT NULL PRIMARY KEY,
    applied_at INTEGER NOT NULL
);

CREATE TABLE sessions (
    session_id TEXT NOT NULL PRIMARY KEY,
    owner_id TEXT NOT NULL,
    locked_until INTEGER NOT NULL,
    last_activity INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE worker_queue (
    id INTEGER PRIMARY KEY,
    instance_id TEXT NOT NULL,
    kind INTEGER NOT NULL,
    execution_id INTEGER NOT NULL,
    correlation_id INTEGER NOT NULL,
    session_id TEXT NOT NULL DEFAULT '',
    fire_at INTEGER,
    payload BLOB,
    visible_at INTEGER NOT NULL,
    lock_token TEXT UNIQUE,
    locked_until INTEGER NOT NULL DEFAULT 0,
    attempt_count INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX instance_locks_by_expiry ON instance_locks (locked_until);

CREATE INDEX instances_by_status ON instances (status, instance_id);

CREATE INDEX orchestrator_queue_by_instance ON orchestrator_queue (instance_id, lock_token);

CREATE INDEX orchestrator_queue_ready ON orchestrator_queue (visible_at) WHERE lock_token IS NULL;

CREATE INDEX sessions_by_owner ON sessions (owner_id);

CREATE INDEX worker_queue_by_activity ON worker_queue (instance_id, execution_id, correlation_id);

CREATE INDEX worker_queue_by_session ON worker_queue (session_id);
