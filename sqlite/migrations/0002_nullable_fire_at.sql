-- Version 2: fire_at becomes nullable. Version 1 stored "no fire time" as 0,
-- which made a FireAt of exactly the Unix epoch read back as no time; NULL
-- now means no fire time and every instant round-trips. SQLite cannot
-- relax a NOT NULL constraint in place, so both queues are rebuilt (rows,
-- ids and indexes kept; 0 becomes NULL).

CREATE TABLE orchestrator_queue_v2 (
    id             INTEGER PRIMARY KEY,
    instance_id    TEXT    NOT NULL,
    kind           INTEGER NOT NULL,
    execution_id   INTEGER NOT NULL,
    correlation_id INTEGER NOT NULL,
    fire_at        INTEGER,          -- NULL: no fire time
    payload        BLOB,
    visible_at     INTEGER NOT NULL,
    lock_token     TEXT,
    attempt_count  INTEGER NOT NULL DEFAULT 0
);
INSERT INTO orchestrator_queue_v2
SELECT id, instance_id, kind, execution_id, correlation_id, NULLIF(fire_at, 0), payload, visible_at, lock_token, attempt_count
FROM orchestrator_queue;
DROP TABLE orchestrator_queue;
ALTER TABLE orchestrator_queue_v2 RENAME TO orchestrator_queue;
CREATE INDEX orchestrator_queue_ready ON orchestrator_queue (visible_at) WHERE lock_token IS NULL;
CREATE INDEX orchestrator_queue_by_instance ON orchestrator_queue (instance_id, lock_token);

CREATE TABLE worker_queue_v2 (
    id             INTEGER PRIMARY KEY,
    instance_id    TEXT    NOT NULL,
    kind           INTEGER NOT NULL,
    execution_id   INTEGER NOT NULL,
    correlation_id INTEGER NOT NULL,
    session_id     TEXT    NOT NULL DEFAULT '',
    fire_at        INTEGER,          -- NULL: no fire time
    payload        BLOB,
    visible_at     INTEGER NOT NULL,
    lock_token     TEXT    UNIQUE,
    locked_until   INTEGER NOT NULL DEFAULT 0,
    attempt_count  INTEGER NOT NULL DEFAULT 0
);
INSERT INTO worker_queue_v2
SELECT id, instance_id, kind, execution_id, correlation_id, session_id, NULLIF(fire_at, 0), payload, visible_at, lock_token, locked_until, attempt_count
FROM worker_queue;
DROP TABLE worker_queue;
ALTER TABLE worker_queue_v2 RENAME TO worker_queue;
CREATE INDEX worker_queue_by_session ON worker_queue (session_id);
CREATE INDEX worker_queue_by_activity ON worker_queue (instance_id, execution_id, correlation_id);
