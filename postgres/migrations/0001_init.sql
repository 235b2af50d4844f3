-- provobs PostgreSQL schema, version 1. Every object lives in the schema the
-- caller names (Open's WithSchema); the connections' search_path points at
-- it, so nothing here is schema-qualified. Timestamps are Unix nanoseconds
-- (bigint) taken from the server clock (provobs_now), so every process on
-- every machine compares lock expiries and visibility against one clock.
-- Queues hold only live messages: an ack deletes what it consumed.

-- instance_id sorts in byte order ("C"), as ListInstances pages by it.
CREATE TABLE instances (
    instance_id  text COLLATE "C" NOT NULL PRIMARY KEY,
    name         text   NOT NULL DEFAULT '',
    version      text   NOT NULL DEFAULT '',
    status       text   NOT NULL DEFAULT '',
    execution_id bigint NOT NULL,
    created_at   bigint NOT NULL,
    updated_at   bigint NOT NULL
);
CREATE INDEX instances_by_status ON instances (status, instance_id);

CREATE TABLE executions (
    instance_id  text   NOT NULL,
    execution_id bigint NOT NULL,
    status       text   NOT NULL DEFAULT '',
    output       bytea,
    created_at   bigint NOT NULL,
    updated_at   bigint NOT NULL,
    PRIMARY KEY (instance_id, execution_id)
);

-- Append-only history; the primary key rejects a duplicate event id.
CREATE TABLE history (
    instance_id  text   NOT NULL,
    execution_id bigint NOT NULL,
    event_id     bigint NOT NULL,
    kind         text   NOT NULL,
    payload      bytea,
    PRIMARY KEY (instance_id, execution_id, event_id)
);

-- Instance-level peek-locks; a row whose locked_until has passed is expired.
CREATE TABLE instance_locks (
    instance_id  text   NOT NULL PRIMARY KEY,
    lock_token   text   NOT NULL UNIQUE,
    locked_until bigint NOT NULL
);
CREATE INDEX instance_locks_by_expiry ON instance_locks (locked_until);

-- Orchestrator queue: id is the enqueue order, lock_token tags a fetched
-- batch, a future visible_at makes a message a timer.
CREATE TABLE orchestrator_queue (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    instance_id    text    NOT NULL,
    kind           integer NOT NULL,
    execution_id   bigint  NOT NULL,
    correlation_id bigint  NOT NULL,
    fire_at        bigint,
    payload        bytea,
    visible_at     bigint  NOT NULL,
    lock_token     text,
    attempt_count  integer NOT NULL DEFAULT 0
);
CREATE INDEX orchestrator_queue_ready ON orchestrator_queue (visible_at, id);
CREATE INDEX orchestrator_queue_by_instance ON orchestrator_queue (instance_id, lock_token);

-- Worker queue, FIFO by id, item-level peek-locks (locked_until 0 = free).
CREATE TABLE worker_queue (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    instance_id    text    NOT NULL,
    kind           integer NOT NULL,
    execution_id   bigint  NOT NULL,
    correlation_id bigint  NOT NULL,
    session_id     text    NOT NULL DEFAULT '',
    fire_at        bigint,
    payload        bytea,
    visible_at     bigint  NOT NULL,
    lock_token     text    UNIQUE,
    locked_until   bigint  NOT NULL DEFAULT 0,
    attempt_count  integer NOT NULL DEFAULT 0
);
CREATE INDEX worker_queue_by_session ON worker_queue (session_id, id);
CREATE INDEX worker_queue_by_activity ON worker_queue (instance_id, execution_id, correlation_id);

CREATE TABLE sessions (
    session_id    text   NOT NULL PRIMARY KEY,
    owner_id      text   NOT NULL,
    locked_until  bigint NOT NULL,
    last_activity bigint NOT NULL
);
CREATE INDEX sessions_by_owner ON sessions (owner_id);

-- provobs_now is the store's clock: the server's, in Unix nanoseconds.
CREATE FUNCTION provobs_now() RETURNS bigint LANGUAGE sql VOLATILE AS
$$ SELECT (extract(epoch FROM clock_timestamp()) * 1000000000)::bigint $$;

-- Wake-ups: the functions do not NOTIFY. A transaction that notifies holds
-- a database-wide lock from its pre-commit until after its commit record is
-- flushed, so notifying writes would commit one at a time. Each process
-- sends the notifications of its committed writes itself, coalesced, from
-- a connection of its own (see notify.go).

-- provobs_fetch: one orchestration fetch in one call. It walks the visible
-- messages of instances without a valid lock, oldest first, claiming the
-- candidate message row with FOR UPDATE SKIP LOCKED, then takes the
-- instance lock (an update that only replaces an expired lock, else an
-- insert that does nothing on a conflict). A lost
-- lock race (another fetcher claimed the instance through another message
-- row) skips that instance and tries the next candidate, so an empty result
-- means no eligible work. It then tags the instance's visible messages,
-- increments their attempt counts and returns them with the current
-- execution's history. With p_want_next and no work, o_next_at is the next
-- time something becomes eligible (a visibility or a lock expiry).
CREATE FUNCTION provobs_fetch(p_lock bigint, p_want_next boolean,
    OUT o_instance_id text, OUT o_execution_id bigint, OUT o_token text, OUT o_attempts integer,
    OUT o_kind integer[], OUT o_exec bigint[], OUT o_corr bigint[], OUT o_fire bigint[], OUT o_payload bytea[],
    OUT o_h_id bigint[], OUT o_h_kind text[], OUT o_h_payload bytea[],
    OUT o_next_at bigint, OUT o_now bigint)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_now   bigint := provobs_now();
    v_skip  text[] := '{}';
    v_cand  text;
    v_token text;
BEGIN
    o_now := v_now;
    LOOP
        SELECT q.instance_id INTO v_cand FROM orchestrator_queue AS q
        WHERE q.visible_at <= v_now
          AND NOT EXISTS (SELECT 1 FROM instance_locks AS l
                          WHERE l.instance_id = q.instance_id AND l.locked_until > v_now)
          AND q.instance_id <> ALL (v_skip)
        ORDER BY q.visible_at, q.id
        LIMIT 1
        FOR UPDATE OF q SKIP LOCKED;
        IF NOT FOUND THEN
            IF p_want_next THEN
                o_next_at := least(
                    (SELECT min(visible_at) FROM orchestrator_queue WHERE visible_at > v_now),
                    (SELECT min(locked_until) FROM instance_locks WHERE locked_until > v_now));
            END IF;
            RETURN;
        END IF;
        -- Look again with a fresh snapshot: the candidate row may have been
        -- tagged under a lock committed since the walk began (its row
        -- lock then re-read it), or an ack or abandon may be releasing the
        -- lock right now. Skipping such an instance here, instead of
        -- waiting on its lock row below, is what keeps a fetch from ever
        -- waiting on an ack that waits on a row this fetch holds.
        IF EXISTS (SELECT 1 FROM instance_locks AS l
                   WHERE l.instance_id = v_cand AND l.locked_until > v_now) THEN
            v_skip := v_skip || v_cand;
            CONTINUE;
        END IF;
        -- Take over an expired lock, or create one. Neither statement keeps
        -- a lock on a row it did not change (an ON CONFLICT DO UPDATE
        -- whose WHERE fails would, and two fetchers that each lost one
        -- instance and then tried the other's would deadlock).
        v_token := gen_random_uuid()::text;
        UPDATE instance_locks AS l SET lock_token = v_token, locked_until = v_now + p_lock
        WHERE l.instance_id = v_cand AND l.locked_until <= v_now;
        IF NOT FOUND THEN
            INSERT INTO instance_locks (instance_id, lock_token, locked_until)
            VALUES (v_cand, v_token, v_now + p_lock)
            ON CONFLICT (instance_id) DO NOTHING;
        END IF;
        EXIT WHEN FOUND;
        v_skip := v_skip || v_cand;
    END LOOP;

    o_instance_id := v_cand;
    o_token := v_token;
    WITH tagged AS (
        UPDATE orchestrator_queue AS q
        SET lock_token = v_token, attempt_count = q.attempt_count + 1
        WHERE q.id IN (SELECT m.id FROM orchestrator_queue AS m
                       WHERE m.instance_id = v_cand AND m.visible_at <= v_now
                       FOR UPDATE SKIP LOCKED)
        RETURNING q.id, q.kind, q.execution_id, q.correlation_id, q.fire_at, q.payload, q.attempt_count
    )
    SELECT array_agg(t.kind ORDER BY t.id), array_agg(t.execution_id ORDER BY t.id),
           array_agg(t.correlation_id ORDER BY t.id), array_agg(t.fire_at ORDER BY t.id),
           array_agg(t.payload ORDER BY t.id), max(t.attempt_count)
    INTO o_kind, o_exec, o_corr, o_fire, o_payload, o_attempts
    FROM tagged AS t;

    SELECT i.execution_id INTO o_execution_id FROM instances AS i WHERE i.instance_id = v_cand;
    o_execution_id := coalesce(o_execution_id, 0);
    SELECT array_agg(h.event_id ORDER BY h.event_id), array_agg(h.kind ORDER BY h.event_id),
           array_agg(h.payload ORDER BY h.event_id)
    INTO o_h_id, o_h_kind, o_h_payload
    FROM history AS h WHERE h.instance_id = v_cand AND h.execution_id = o_execution_id;
END $$;

-- provobs_insert_orch enqueues orchestrator messages (arrays of equal
-- length, in order); a TimerFired (kind 5) with a fire time is visible at it
-- when p_timers is set, every other message at p_visible.
CREATE FUNCTION provobs_insert_orch(p_visible bigint, p_timers boolean,
    p_inst text[], p_kind integer[], p_exec bigint[], p_corr bigint[], p_fire bigint[], p_payload bytea[])
RETURNS void LANGUAGE sql VOLATILE AS $$
    INSERT INTO orchestrator_queue (instance_id, kind, execution_id, correlation_id, fire_at, payload, visible_at)
    SELECT u.inst, u.kind, u.exec, u.corr, u.fire, u.payload,
           CASE WHEN p_timers AND u.kind = 5 AND u.fire IS NOT NULL THEN u.fire ELSE p_visible END
    FROM unnest(p_inst, p_kind, p_exec, p_corr, p_fire, p_payload) WITH ORDINALITY
         AS u(inst, kind, exec, corr, fire, payload, ord)
    ORDER BY u.ord
$$;

-- The by-token functions return false, having changed nothing, when the
-- token is unknown, expired or already used (a lost lock is an answer, not
-- an error, so the client's prepared statement survives it).

-- provobs_ack_orch commits one orchestration turn; any error rolls the
-- whole call back.
CREATE FUNCTION provobs_ack_orch(p_token text, p_exec bigint,
    p_name text, p_version text, p_status text, p_output bytea, p_set_output boolean,
    p_h_id bigint[], p_h_kind text[], p_h_payload bytea[],
    p_w_inst text[], p_w_kind integer[], p_w_exec bigint[], p_w_corr bigint[], p_w_session text[], p_w_fire bigint[], p_w_payload bytea[],
    p_cancel bigint[],
    p_o_inst text[], p_o_kind integer[], p_o_exec bigint[], p_o_corr bigint[], p_o_fire bigint[], p_o_payload bytea[])
RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_now    bigint := provobs_now();
    v_inst   text;
    v_create text := CASE WHEN p_status <> '' THEN p_status ELSE 'Running' END;
BEGIN
    DELETE FROM instance_locks AS l WHERE l.lock_token = p_token AND l.locked_until > v_now
    RETURNING l.instance_id INTO v_inst;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    DELETE FROM orchestrator_queue AS q WHERE q.instance_id = v_inst AND q.lock_token = p_token;

    -- The execution first: the instance reports the status of its current
    -- execution, so an ack for an earlier execution (a late turn of it)
    -- changes that execution only, and a new execution without a status
    -- reports Running.
    INSERT INTO executions AS e (instance_id, execution_id, status, output, created_at, updated_at)
    VALUES (v_inst, p_exec, v_create, p_output, v_now, v_now)
    ON CONFLICT (instance_id, execution_id) DO UPDATE SET
        status = CASE WHEN p_status <> '' THEN p_status ELSE e.status END,
        output = CASE WHEN p_set_output THEN p_output ELSE e.output END,
        updated_at = v_now;
    INSERT INTO instances AS i (instance_id, name, version, status, execution_id, created_at, updated_at)
    VALUES (v_inst, p_name, p_version,
            (SELECT x.status FROM executions AS x WHERE x.instance_id = v_inst AND x.execution_id = p_exec),
            p_exec, v_now, v_now)
    ON CONFLICT (instance_id) DO UPDATE SET
        name = CASE WHEN p_name <> '' THEN p_name ELSE i.name END,
        version = CASE WHEN p_version <> '' THEN p_version ELSE i.version END,
        status = CASE WHEN p_exec >= i.execution_id THEN excluded.status ELSE i.status END,
        execution_id = greatest(i.execution_id, p_exec),
        updated_at = v_now;

    INSERT INTO history (instance_id, execution_id, event_id, kind, payload)
    SELECT v_inst, p_exec, u.id, u.kind, u.payload FROM unnest(p_h_id, p_h_kind, p_h_payload) AS u(id, kind, payload);

    INSERT INTO worker_queue (instance_id, kind, execution_id, correlation_id, session_id, fire_at, payload, visible_at)
    SELECT u.inst, u.kind, u.exec, u.corr, u.sess, u.fire, u.payload, v_now
    FROM unnest(p_w_inst, p_w_kind, p_w_exec, p_w_corr, p_w_session, p_w_fire, p_w_payload) WITH ORDINALITY
         AS u(inst, kind, exec, corr, sess, fire, payload, ord)
    ORDER BY u.ord;

    IF cardinality(p_cancel) > 0 THEN
        DELETE FROM worker_queue AS w
        WHERE w.instance_id = v_inst AND w.execution_id = p_exec AND w.correlation_id = ANY (p_cancel);
    END IF;

    PERFORM provobs_insert_orch(v_now, true, p_o_inst, p_o_kind, p_o_exec, p_o_corr, p_o_fire, p_o_payload);
    RETURN true;
END $$;

-- provobs_abandon_orch releases an instance lock, untagging its batch.
CREATE FUNCTION provobs_abandon_orch(p_token text, p_delay bigint, p_give_back integer)
RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_now  bigint := provobs_now();
    v_inst text;
BEGIN
    DELETE FROM instance_locks AS l WHERE l.lock_token = p_token AND l.locked_until > v_now
    RETURNING l.instance_id INTO v_inst;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    UPDATE orchestrator_queue AS q SET lock_token = NULL,
        visible_at = CASE WHEN p_delay > 0 THEN v_now + p_delay ELSE q.visible_at END,
        attempt_count = greatest(q.attempt_count - p_give_back, 0)
    WHERE q.instance_id = v_inst AND q.lock_token = p_token;
    RETURN true;
END $$;

-- provobs_renew_orch extends a valid instance lock.
CREATE FUNCTION provobs_renew_orch(p_token text, p_extend bigint)
RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_now bigint := provobs_now();
BEGIN
    UPDATE instance_locks AS l SET locked_until = v_now + p_extend
    WHERE l.lock_token = p_token AND l.locked_until > v_now;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    RETURN true;
END $$;

-- provobs_enqueue_orch inserts one orchestrator message visible at now+delay.
CREATE FUNCTION provobs_enqueue_orch(p_inst text, p_kind integer, p_exec bigint, p_corr bigint,
    p_fire bigint, p_payload bytea, p_delay bigint)
RETURNS void LANGUAGE sql VOLATILE AS $$
    INSERT INTO orchestrator_queue (instance_id, kind, execution_id, correlation_id, fire_at, payload, visible_at)
    VALUES (p_inst, p_kind, p_exec, p_corr, p_fire, p_payload, provobs_now() + p_delay);
$$;

-- provobs_enqueue_worker inserts one free, visible worker item.
CREATE FUNCTION provobs_enqueue_worker(p_inst text, p_kind integer, p_exec bigint, p_corr bigint,
    p_session text, p_fire bigint, p_payload bytea)
RETURNS void LANGUAGE sql VOLATILE AS $$
    INSERT INTO worker_queue (instance_id, kind, execution_id, correlation_id, session_id, fire_at, payload, visible_at)
    VALUES (p_inst, p_kind, p_exec, p_corr, p_session, p_fire, p_payload, provobs_now());
$$;

-- provobs_dequeue peek-locks the oldest eligible worker item, claiming its
-- row with FOR UPDATE SKIP LOCKED. With p_session, items of sessions
-- p_owner holds and of unowned or expired sessions are eligible too, and
-- the item's session is claimed in the same call; a session lost to another
-- owner in a race skips that item and tries the next, so an empty result
-- means no eligible work.
CREATE FUNCTION provobs_dequeue(p_lock bigint, p_session boolean, p_owner text, p_lease bigint, p_want_next boolean,
    OUT o_token text, OUT o_instance_id text, OUT o_kind integer, OUT o_exec bigint, OUT o_corr bigint,
    OUT o_session text, OUT o_fire bigint, OUT o_payload bytea, OUT o_attempts integer,
    OUT o_next_at bigint, OUT o_now bigint)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_now  bigint := provobs_now();
    v_skip bigint[] := '{}';
    v_id   bigint;
    v_sid  text;
BEGIN
    o_now := v_now;
    LOOP
        IF p_session THEN
            SELECT w.id, w.session_id INTO v_id, v_sid FROM worker_queue AS w
            LEFT JOIN sessions AS s ON s.session_id = w.session_id
            WHERE w.visible_at <= v_now AND w.locked_until <= v_now
              AND (w.session_id = '' OR s.session_id IS NULL OR s.owner_id = p_owner OR s.locked_until <= v_now)
              AND w.id <> ALL (v_skip)
            ORDER BY w.id
            LIMIT 1
            FOR UPDATE OF w SKIP LOCKED;
        ELSE
            SELECT w.id, w.session_id INTO v_id, v_sid FROM worker_queue AS w
            WHERE w.session_id = '' AND w.visible_at <= v_now AND w.locked_until <= v_now
            ORDER BY w.id
            LIMIT 1
            FOR UPDATE SKIP LOCKED;
        END IF;
        IF NOT FOUND THEN
            IF p_want_next THEN
                o_next_at := least(
                    (SELECT min(w.visible_at) FROM worker_queue AS w WHERE w.visible_at > v_now),
                    (SELECT min(w.locked_until) FROM worker_queue AS w WHERE w.locked_until > v_now),
                    CASE WHEN p_session THEN
                        (SELECT min(s.locked_until) FROM sessions AS s WHERE s.locked_until > v_now) END);
            END IF;
            RETURN;
        END IF;
        IF v_sid <> '' THEN
            -- Keep or take over the session, or create it; as in
            -- provobs_fetch, a lost race leaves no row locked.
            UPDATE sessions AS s SET owner_id = p_owner,
                locked_until = greatest(s.locked_until, v_now + p_lease),
                last_activity = v_now
            WHERE s.session_id = v_sid AND (s.owner_id = p_owner OR s.locked_until <= v_now);
            IF NOT FOUND THEN
                INSERT INTO sessions (session_id, owner_id, locked_until, last_activity)
                VALUES (v_sid, p_owner, v_now + p_lease, v_now)
                ON CONFLICT (session_id) DO NOTHING;
            END IF;
            IF NOT FOUND THEN
                v_skip := v_skip || v_id;
                CONTINUE;
            END IF;
        END IF;
        UPDATE worker_queue AS w SET lock_token = gen_random_uuid()::text, locked_until = v_now + p_lock,
            attempt_count = w.attempt_count + 1
        WHERE w.id = v_id
        RETURNING w.lock_token, w.instance_id, w.kind, w.execution_id, w.correlation_id, w.session_id,
                  w.fire_at, w.payload, w.attempt_count
        INTO o_token, o_instance_id, o_kind, o_exec, o_corr, o_session, o_fire, o_payload, o_attempts;
        RETURN;
    END LOOP;
END $$;

-- provobs_ack_worker deletes a locked worker item, enqueues its completion
-- (when p_has_completion) and touches its session.
CREATE FUNCTION provobs_ack_worker(p_token text, p_has_completion boolean,
    p_inst text, p_kind integer, p_exec bigint, p_corr bigint, p_fire bigint, p_payload bytea)
RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_now bigint := provobs_now();
    v_sid text;
BEGIN
    DELETE FROM worker_queue AS w WHERE w.lock_token = p_token AND w.locked_until > v_now
    RETURNING w.session_id INTO v_sid;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    IF p_has_completion THEN
        INSERT INTO orchestrator_queue (instance_id, kind, execution_id, correlation_id, fire_at, payload, visible_at)
        VALUES (p_inst, p_kind, p_exec, p_corr, p_fire, p_payload, v_now);
    END IF;
    IF v_sid <> '' THEN
        UPDATE sessions SET last_activity = v_now WHERE session_id = v_sid;
    END IF;
    RETURN true;
END $$;

-- provobs_abandon_worker releases a worker item lock.
CREATE FUNCTION provobs_abandon_worker(p_token text, p_delay bigint, p_give_back integer)
RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_now bigint := provobs_now();
BEGIN
    UPDATE worker_queue AS w SET lock_token = NULL, locked_until = 0,
        visible_at = CASE WHEN p_delay > 0 THEN v_now + p_delay ELSE w.visible_at END,
        attempt_count = greatest(w.attempt_count - p_give_back, 0)
    WHERE w.lock_token = p_token AND w.locked_until > v_now;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    RETURN true;
END $$;

-- provobs_renew_worker extends a valid worker item lock and touches its
-- session.
CREATE FUNCTION provobs_renew_worker(p_token text, p_extend bigint)
RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_now bigint := provobs_now();
    v_sid text;
BEGIN
    UPDATE worker_queue AS w SET locked_until = v_now + p_extend
    WHERE w.lock_token = p_token AND w.locked_until > v_now
    RETURNING w.session_id INTO v_sid;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    IF v_sid <> '' THEN
        UPDATE sessions SET last_activity = v_now WHERE session_id = v_sid;
    END IF;
    RETURN true;
END $$;

-- provobs_renew_sessions extends the live, non-idle leases of p_owners
-- (p_idle 0: no idle check) and returns how many.
CREATE FUNCTION provobs_renew_sessions(p_owners text[], p_extend bigint, p_idle bigint)
RETURNS bigint LANGUAGE sql VOLATILE AS $$
    WITH clock AS (SELECT provobs_now() AS t),
    renewed AS (
        UPDATE sessions AS s SET locked_until = clock.t + p_extend
        FROM clock
        WHERE s.owner_id = ANY (p_owners) AND s.locked_until > clock.t
          AND (p_idle <= 0 OR s.last_activity >= clock.t - p_idle)
        RETURNING 1
    )
    SELECT count(*) FROM renewed
$$;

-- provobs_cleanup_sessions deletes the sessions without queued items whose
-- lease expired or (p_idle > 0) whose last activity is older than p_idle.
CREATE FUNCTION provobs_cleanup_sessions(p_idle bigint)
RETURNS bigint LANGUAGE sql VOLATILE AS $$
    WITH clock AS (SELECT provobs_now() AS t),
    gone AS (
        DELETE FROM sessions AS s USING clock
        WHERE (s.locked_until <= clock.t OR (p_idle > 0 AND s.last_activity < clock.t - p_idle))
          AND NOT EXISTS (SELECT 1 FROM worker_queue AS w WHERE w.session_id = s.session_id)
        RETURNING 1
    )
    SELECT count(*) FROM gone
$$;
