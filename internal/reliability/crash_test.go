package reliability_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/obstest"
	"github.com/provobs/provobs/sqlite"
	"github.com/provobs/provobs/stress"
)

// Crash recovery: the stress workload runs in a child process (this test
// binary, re-executed to run TestCrashChild) on a file store and is killed
// with SIGKILL at a random point, several times; then the store is reopened
// here and resumed to completion. Nothing may be lost or done twice.

const (
	envCrashDB     = "PROVOBS_CRASH_DB"
	envCrashPrefix = "PROVOBS_CRASH_PREFIX"
	crashReady     = "crash-child: running"
	crashLock      = 500 * time.Millisecond
	crashTasks     = 3
)

func crashConfig(prefix string) stress.Config {
	return stress.Config{
		Duration:         time.Hour, // killed long before
		MaxConcurrent:    10,
		TasksPerInstance: crashTasks,
		ActivityDelay:    5 * time.Millisecond,
		LockTimeout:      crashLock,
		PollTimeout:      50 * time.Millisecond,
		AbandonDelay:     5 * time.Millisecond,
		InstancePrefix:   prefix,
		DrainTimeout:     30 * time.Second,
	}
}

func crashOptions() []sqlite.Option {
	return []sqlite.Option{sqlite.WithDefaultLockTimeout(crashLock), sqlite.WithBusyTimeout(5 * time.Second)}
}

// TestCrashChild is the child process of TestCrashRecovery: it runs the
// stress workload on the store named by PROVOBS_CRASH_DB until it is killed.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(envCrashDB)
	if path == "" {
		t.Skip("the child process of TestCrashRecovery; runs only when it sets " + envCrashDB)
	}
	// Bounded, so a child whose parent died does not run forever.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	store, err := sqlite.Open(ctx, path, crashOptions()...)
	require.NoError(t, err)
	defer store.Close()
	fmt.Println(crashReady)
	_, err = stress.Run(ctx, store, crashConfig(os.Getenv(envCrashPrefix)))
	require.NoError(t, err)
}

// lockedAtKill is what a killed process held: instances whose lock had not
// expired and worker rows still locked.
type lockedAtKill struct {
	instances map[string]bool
	workerIDs map[int64]bool
}

func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	kills, minRun, maxRun := 3, 150*time.Millisecond, 600*time.Millisecond
	if long() {
		kills, minRun, maxRun = 12, 200*time.Millisecond, 3*time.Second
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("kill schedule seed %d (kills %d, each after %v..%v of work)", seed, kills, minRun, maxRun)
	rng := rand.New(rand.NewPCG(seed, 0))

	path := filepath.Join(t.TempDir(), "crash.db")
	raw := rawDB(t, path)
	held := lockedAtKill{instances: map[string]bool{}, workerIDs: map[int64]bool{}}

	for k := range kills {
		runChildAndKill(t, path, fmt.Sprintf("k%d-", k), minRun+time.Duration(rng.Int64N(int64(maxRun-minRun))))
		// SIGKILL mid-write never corrupts the store.
		var check string
		require.NoError(t, raw.QueryRow("PRAGMA quick_check").Scan(&check))
		require.Equal(t, "ok", check, "after kill %d", k)
		now := time.Now().UnixNano()
		for _, id := range column(t, raw, "SELECT instance_id FROM instance_locks WHERE locked_until > ?", now) {
			held.instances[id] = true
		}
		for _, id := range column(t, raw, "SELECT CAST(id AS TEXT) FROM worker_queue WHERE lock_token IS NOT NULL AND locked_until > ?", now) {
			n, _ := strconv.ParseInt(id, 10, 64)
			held.workerIDs[n] = true
		}
	}
	require.NotEmpty(t, len(held.instances)+len(held.workerIDs), "no kill caught a held lock: the hand-off is untested")

	// Every orchestration that was started: an instance row, or a start
	// message still queued.
	started := map[string]bool{}
	for _, id := range column(t, raw, "SELECT instance_id FROM instances") {
		started[id] = true
	}
	for _, id := range column(t, raw, "SELECT instance_id FROM orchestrator_queue WHERE kind = ?", int(provobs.KindStartOrchestration)) {
		started[id] = true
	}
	require.NotEmpty(t, started)
	t.Logf("%d orchestrations started; at the kills, %d instance locks and %d worker locks were held",
		len(started), len(held.instances), len(held.workerIDs))

	// The next process: reopen and resume until nothing is left.
	store := openFile(t, path, crashOptions()...)
	cfg := crashConfig("resume-")
	cfg.Resume = true
	res, err := stress.Run(context.Background(), store, cfg)
	require.NoError(t, err)
	assert.Zero(t, res.Failed, "%v", res.FailedByCause)

	verifyCompletedOnce(t, store, started)

	// Nothing orphaned: no queue row, lock or session is left.
	d, err := store.QueueDepths(context.Background())
	require.NoError(t, err)
	assert.Equal(t, provobs.QueueDepths{}, d)
	for _, table := range []string{"orchestrator_queue", "worker_queue", "instance_locks", "sessions"} {
		assert.Zero(t, count(t, raw, "SELECT count(*) FROM "+table), "rows left in %s", table)
	}
	assert.Equal(t, len(started), count(t, raw, "SELECT count(*) FROM instances"), "no instance appeared from nowhere")
	assert.Equal(t, len(started), count(t, raw, "SELECT count(*) FROM executions"), "one execution each")
	// The work the killed processes held was handed on when their locks
	// expired: those worker rows were acked by a later process and deleted.
	for id := range held.workerIDs {
		assert.Zero(t, count(t, raw, "SELECT count(*) FROM worker_queue WHERE id = ?", id), "worker row %d", id)
	}
	for id := range held.instances {
		assert.True(t, started[id], "a locked instance %q was not started", id)
	}
}

// runChildAndKill starts TestCrashChild on path, lets it work for runFor
// after it reports ready, and kills it with SIGKILL.
func runChildAndKill(t *testing.T, path, prefix string, runFor time.Duration) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), envCrashDB+"="+path, envCrashPrefix+"="+prefix)
	stderr := &obstest.Buffer{}
	cmd.Stderr = stderr
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	killed := false
	defer func() {
		if !killed {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	}()

	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		found := false
		for sc.Scan() {
			if sc.Text() == crashReady && !found {
				found = true
				ready <- true
			}
		}
		if !found {
			ready <- false
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case ok := <-ready:
		require.True(t, ok, "the child exited before it was ready: %s", stderr.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("the child did not start: %s", stderr.String())
	}
	time.Sleep(runFor)
	require.NoError(t, cmd.Process.Kill()) // SIGKILL: no deferred code, no Close
	killed = true
	err = cmd.Wait()
	require.Error(t, err, "the child must have been killed, not have finished: %s", stderr.String())
}

// verifyCompletedOnce checks that every started orchestration completed
// exactly once, with a history whose ids run 1..n without a gap or a
// duplicate and that records each activity once.
func verifyCompletedOnce(t *testing.T, store *sqlite.Provider, started map[string]bool) {
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
			provobs.EventActivityScheduled:      crashTasks,
			provobs.EventActivityCompleted:      crashTasks,
			provobs.EventOrchestrationCompleted: 1,
		}, kinds, id)
		for sid := range scheduled {
			assert.Equal(t, 1, completed[strconv.FormatUint(sid, 10)], "%s: activity %d completed once", id, sid)
		}
		if len(h) > 0 {
			assert.Equal(t, provobs.EventOrchestrationCompleted, h[len(h)-1].Kind, "%s: completion is the last event", id)
		}
	}
}
