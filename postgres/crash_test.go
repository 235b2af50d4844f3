package postgres_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/obstest"
	"github.com/provobs/provobs/postgres"
	"github.com/provobs/provobs/stress"
)

// Several processes, one store. The parent enqueues the start messages of
// a batch of fan-out/fan-in orchestrations into a fresh schema, then starts
// three processes (this test binary re-executed to run TestMultiProcessChild)
// that drive that work together on the schema, each with its own pool and
// listener, as stress.Run's resume mode does. Mid-run it SIGKILLs one of
// them. The two others go on and take over the killed process's locks when
// they expire; whatever they left (they stop when the store looks idle,
// which can be before a dead process's lock expires) is finished by the
// parent as the next process would. Every orchestration must then have
// completed exactly once, with a gapless history, and every queue, lock and
// session table must be empty.
//
// The default run is short (60 orchestrations); PROVOBS_LONG=1 runs 600.
// -short skips it.

const (
	envMPSchema = "PROVOBS_MP_SCHEMA"
	envMPDSN    = "PROVOBS_MP_DSN"
	mpReady     = "mp-child: running"
	mpLock      = time.Second
	mpTasks     = 3
)

func mpConfig() stress.Config {
	return stress.Config{
		Resume:           true,
		TasksPerInstance: mpTasks,
		ActivityDelay:    2 * time.Millisecond,
		LockTimeout:      mpLock,
		PollTimeout:      200 * time.Millisecond,
		AbandonDelay:     5 * time.Millisecond,
		DrainTimeout:     2 * time.Minute,
	}
}

// TestMultiProcessChild is a child process of TestMultiProcessCrash.
func TestMultiProcessChild(t *testing.T) {
	schema := os.Getenv(envMPSchema)
	if schema == "" {
		t.Skip("a child process of TestMultiProcessCrash; runs only when it sets " + envMPSchema)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	store, err := postgres.Open(ctx, os.Getenv(envMPDSN), postgres.WithSchema(schema),
		postgres.WithDefaultLockTimeout(mpLock), postgres.WithMaxConns(4))
	require.NoError(t, err)
	defer store.Close()
	fmt.Println(mpReady)
	res, err := stress.Run(ctx, store, mpConfig())
	require.NoError(t, err)
	fmt.Printf("mp-child: completed %d\n", res.Completed)
}

type child struct {
	cmd    *exec.Cmd
	stderr *obstest.Buffer
	ready  chan bool
	done   chan struct{} // closed when the process exited; err is its Wait error
	err    error
}

func startChild(t *testing.T, dsn, schema string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestMultiProcessChild$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), envMPSchema+"="+schema, envMPDSN+"="+dsn)
	c := &child{cmd: cmd, stderr: &obstest.Buffer{}, ready: make(chan bool, 1), done: make(chan struct{})}
	cmd.Stderr = c.stderr
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-c.done
	})
	go func() {
		sc := bufio.NewScanner(stdout)
		found := false
		for sc.Scan() {
			if sc.Text() == mpReady && !found {
				found = true
				c.ready <- true
			}
			if testing.Verbose() {
				fmt.Fprintln(os.Stderr, sc.Text())
			}
		}
		if !found {
			c.ready <- false
		}
		_, _ = io.Copy(io.Discard, stdout)
		c.err = cmd.Wait()
		close(c.done)
	}()
	return c
}

func TestMultiProcessCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	n := 60
	if os.Getenv("PROVOBS_LONG") == "1" {
		n = 600
	}
	dsn := testDSN(t)
	schema := newSchema(t, dsn)
	ctx := context.Background()
	parent := openOn(t, dsn, schema, postgres.WithDefaultLockTimeout(mpLock))
	started := map[string]bool{}
	for i := range n {
		id := "mp-" + strconv.Itoa(i)
		require.NoError(t, parent.EnqueueOrchestrator(ctx, provobs.WorkItem{Kind: provobs.KindStartOrchestration, InstanceID: id}, 0))
		started[id] = true
	}

	children := []*child{startChild(t, dsn, schema), startChild(t, dsn, schema), startChild(t, dsn, schema)}
	for i, c := range children {
		select {
		case ok := <-c.ready:
			require.True(t, ok, "child %d exited before it was ready: %s", i, c.stderr.String())
		case <-time.After(60 * time.Second):
			t.Fatalf("child %d did not start: %s", i, c.stderr.String())
		}
	}

	raw, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	defer raw.Close(ctx)
	q := func(table string) string { return pgx.Identifier{schema, table}.Sanitize() }
	count := func(sql string, args ...any) int {
		t.Helper()
		var c int
		require.NoError(t, raw.QueryRow(ctx, sql, args...).Scan(&c))
		return c
	}

	// Kill one process once a share of the work is done, while it holds
	// work (its dispatchers always hold or poll for some).
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(20 * time.Millisecond) {
		done := count(`SELECT count(*) FROM ` + q("instances") + ` WHERE status = 'Completed'`)
		if done >= n/4 {
			break
		}
		require.True(t, time.Now().Before(deadline), "no progress: %d of %d completed", done, n)
	}
	victim := children[0]
	require.NoError(t, victim.cmd.Process.Kill()) // SIGKILL
	<-victim.done
	require.Error(t, victim.err, "the victim must have been killed, not have finished")
	var now int64
	require.NoError(t, raw.QueryRow(ctx, `SELECT `+pgx.Identifier{schema, "provobs_now"}.Sanitize()+`()`).Scan(&now))
	killedAt := now
	heldInstances := column(t, raw, `SELECT instance_id FROM `+q("instance_locks")+` WHERE locked_until > $1`, killedAt)
	heldWorker := column(t, raw, `SELECT id::text FROM `+q("worker_queue")+` WHERE lock_token IS NOT NULL AND locked_until > $1`, killedAt)
	t.Logf("at the kill: %d of %d completed; %d instance locks and %d worker locks held",
		count(`SELECT count(*) FROM `+q("instances")+` WHERE status = 'Completed'`), n, len(heldInstances), len(heldWorker))

	for i, c := range children[1:] {
		select {
		case <-c.done:
			require.NoError(t, c.err, "survivor %d: %s", i+1, c.stderr.String())
		case <-time.After(3 * time.Minute):
			t.Fatalf("survivor %d did not finish: %s", i+1, c.stderr.String())
		}
	}
	left := n - count(`SELECT count(*) FROM `+q("instances")+` WHERE status = 'Completed'`)
	t.Logf("the survivors left %d orchestrations unfinished", left)

	// The next process finishes what the survivors left.
	cfg := mpConfig()
	res, err := stress.Run(ctx, parent, cfg)
	require.NoError(t, err)
	assert.Zero(t, res.Failed, "%v", res.FailedByCause)

	verifyCompletedOnce(t, parent, started, mpTasks)
	d, err := parent.QueueDepths(ctx)
	require.NoError(t, err)
	assert.Equal(t, provobs.QueueDepths{}, d)
	for _, table := range []string{"orchestrator_queue", "worker_queue", "instance_locks", "sessions"} {
		assert.Zero(t, count(`SELECT count(*) FROM `+q(table)), "rows left in %s", table)
	}
	assert.Equal(t, n, count(`SELECT count(*) FROM `+q("instances")), "no instance appeared from nowhere")
	assert.Equal(t, n, count(`SELECT count(*) FROM `+q("executions")), "one execution each")
	// What was locked at the kill was taken over after expiry and finished.
	for _, id := range heldWorker {
		assert.Zero(t, count(`SELECT count(*) FROM `+q("worker_queue")+` WHERE id = $1::bigint`, id), "worker row %s", id)
	}
	for _, id := range heldInstances {
		assert.True(t, started[id], "a locked instance %q was not started", id)
	}
}

func column(t *testing.T, conn *pgx.Conn, sql string, args ...any) []string {
	t.Helper()
	rows, err := conn.Query(context.Background(), sql, args...)
	require.NoError(t, err)
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	return out
}

// verifyCompletedOnce checks that every started orchestration completed
// exactly once, with a history whose ids run 1..n without a gap or a
// duplicate and that records each activity once.
func verifyCompletedOnce(t *testing.T, store *postgres.Provider, started map[string]bool, tasks int) {
	t.Helper()
	ctx := context.Background()
	for id := range started {
		info, err := store.InstanceInfo(ctx, id)
		require.NoError(t, err)
		if !assert.NotNil(t, info, "started orchestration %q has no instance", id) {
			continue
		}
		assert.Equal(t, provobs.StatusCompleted, info.Status, id)
		assert.EqualValues(t, 1, info.ExecutionID, id)
		h, err := store.ReadHistory(ctx, id, 0)
		require.NoError(t, err)
		kinds := map[provobs.EventKind]int{}
		scheduled, completed := map[uint64]bool{}, map[string]int{}
		for i, e := range h {
			assert.EqualValues(t, i+1, e.ID, "%s: history ids run 1..n without gaps or duplicates", id)
			kinds[e.Kind]++
			switch e.Kind {
			case provobs.EventActivityScheduled:
				scheduled[e.ID] = true
			case provobs.EventActivityCompleted:
				completed[string(e.Payload)]++
			}
		}
		assert.Equal(t, map[provobs.EventKind]int{
			provobs.EventOrchestrationStarted:   1,
			provobs.EventActivityScheduled:      tasks,
			provobs.EventActivityCompleted:      tasks,
			provobs.EventOrchestrationCompleted: 1,
		}, kinds, id)
		for sid := range scheduled {
			assert.Equal(t, 1, completed[strconv.FormatUint(sid, 10)], "%s: activity %d completed once", id, sid)
		}
	}
}
