package providertest_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/providertest"
	"github.com/provobs/provobs/sqlite"
)

// A mutant is the SQLite provider with one deliberate bug; the suite must
// catch it: every listed case ("area/case") must fail.
var mutants = []struct {
	name   string
	caught []string
}{
	{"renew_orch_ignored", []string{"expiration/renew_after_expiry_fails", "input/renew_orch_garbage_token", "errors/op_renew_orch"}},
	{"abandon_ignores_attempt", []string{"attempts/ignore_attempt_gives_attempt_back", "attempts/ignore_attempt_never_below_zero"}},
	{"abandon_ignores_delay", []string{"queues/abandon_with_delay_hides_messages"}},
	{"enqueue_ignores_delay", []string{"queues/delayed_message_visible_after_delay", "queues/batch_excludes_future_messages", "depths/future_messages_count_as_timers"}},
	{"ack_drops_cancellations", []string{"cancellation/cancelled_activities_are_removed", "cancellation/schedule_and_cancel_in_one_ack_is_noop", "cancellation/cancelled_locked_activity_renew_lock_lost"}},
	{"ack_drops_status", []string{"admin/status_and_output_update", "admin/list_filters_by_status"}},
	{"dequeue_ignores_sessions", []string{"sessions/claim_pins_session_to_owner", "sessions/session_items_are_fifo"}},
	{"renew_session_ignores_idle", []string{"sessions/renew_skips_idle_sessions"}},
	{"cleanup_noop", []string{"sessions/cleanup_removes_expired_sessions", "sessions/cleanup_removes_idle_sessions"}},
	{"read_history_latest_only", []string{"executions/read_history_of_old_execution", "executions/three_executions_stay_separate"}},
	{"read_history_reversed", []string{"executions/history_in_event_id_order", "instances/fetch_history_matches_read_history"}},
	{"fetch_ignores_lock_timeout", []string{"expiration/orchestration_lock_expires", "attempts/expiry_then_refetch_increments"}},
	{"fetch_drops_last_message", []string{"queues/batch_in_enqueue_order", "instances/event_before_start_is_kept"}},
	{"attempt_off_by_one", []string{"attempts/first_fetch_attempt_is_one", "attempts/worker_first_dequeue_attempt_is_one"}},
	{"no_long_poll", []string{"polling/fetch_poll_timeout_respected", "polling/enqueue_wakes_long_polling_fetch", "polling/dequeue_poll_timeout_respected"}},
	{"worker_ack_drops_completion", []string{"atomicity/worker_ack_moves_item_atomically", "polling/worker_ack_wakes_long_polling_fetch", "input/completion_payload_1mib"}},
	{"errors_untyped", []string{"errors/lock_lost_is_typed", "errors/op_ack_orch", "input/ack_orch_empty_token", "input/enqueue_orchestrator_empty_instance_id"}},
	{"depths_ignore_timers", []string{"depths/future_messages_count_as_timers", "depths/ack_timers_count_as_timers"}},
	{"list_ignores_status", []string{"admin/list_filters_by_status"}},
	{"payload_truncated", []string{"input/orchestrator_payload_1mib", "input/binary_payload_round_trips", "queues/batch_in_enqueue_order"}},
	{"stale_ack_applies_to_current", []string{"admin/stale_execution_ack_keeps_current_status"}},
	{"ack_hides_lock_lost", []string{"races/two_acks_one_token", "races/ack_vs_abandon"}},
	{"fetch_delivers_twice", []string{"races/many_workers_process_each_instance_once"}},
	{"cancelled_fetch_keeps_lock", []string{"interruption/cancelled_fetch_leaves_no_lock"}},
	{"enqueue_lies_on_cancel", []string{"interruption/enqueue_with_tiny_deadline_reports_true_outcome"}},
	{"closed_enqueue_reports_success", []string{"interruption/close_with_writes_in_flight_keeps_acknowledged_writes"}},
	{"poll_sleeps_whole_timeout", []string{"polling/long_poll_wakes_for_lock_expiry", "polling/dequeue_long_poll_wakes_for_delayed_abandon", "polling/dequeue_long_poll_wakes_for_lease_expiry", "polling/commit_by_another_opener_wakes_long_polls"}},
	{"renew_never_shortens", []string{"expiration/renew_can_shorten_lock", "expiration/worker_renew_can_shorten_lock"}},
	{"list_default_ignores_after", []string{"admin/list_pages_past_default_limit"}},
	{"batch_capped_at_100", []string{"queues/batch_of_150_messages"}},
	{"zero_lock_means_zero", []string{"rules/renew_orch_zero_extension_uses_default", "rules/renew_worker_zero_extension_uses_default", "rules/session_zero_lease_uses_default"}},
	{"rules_restated_loosely", []string{"rules/fetch_negative_lock_timeout", "rules/dequeue_negative_poll_timeout", "rules/session_empty_owner", "rules/renew_orch_negative_extension", "rules/cleanup_negative_idle_timeout"}},
}

// TestMutantsAreCaught runs the suite against each mutant in a child
// process and checks that the cases meant to catch it fail. It takes a few
// minutes, so it runs only with PROVIDERTEST_MUTANTS=1.
func TestMutantsAreCaught(t *testing.T) {
	if os.Getenv("PROVIDERTEST_MUTANTS") == "" {
		t.Skip("set PROVIDERTEST_MUTANTS=1 to check that the suite catches deliberately broken providers")
	}
	// The children mostly wait on timers: four at a time keeps two cores
	// busy without stretching their timing cases.
	slots := make(chan struct{}, 4)
	for _, m := range mutants {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			slots <- struct{}{}
			defer func() { <-slots }()
			var areas []string
			for _, c := range m.caught {
				a, _, _ := strings.Cut(c, "/")
				if !slices.Contains(areas, a) {
					areas = append(areas, a)
				}
			}
			cmd := exec.Command(os.Args[0], "-test.run", "^TestMutant$/^("+strings.Join(areas, "|")+")$", "-test.v", "-test.parallel", "16")
			cmd.Env = append(os.Environ(), "PROVIDERTEST_MUTANT="+m.name)
			out, _ := cmd.CombinedOutput()
			for _, c := range m.caught {
				failed := regexp.MustCompile(`--- FAIL: TestMutant/` + regexp.QuoteMeta(c) + `\w* `)
				if !failed.Match(out) {
					t.Errorf("mutant %s: %s did not fail", m.name, c)
				}
			}
			if t.Failed() {
				t.Logf("child output:\n%s", out)
			}
		})
	}
}

// TestMutant is the child of TestMutantsAreCaught.
func TestMutant(t *testing.T) {
	kind := os.Getenv("PROVIDERTEST_MUTANT")
	if kind == "" {
		t.Skip("child of TestMutantsAreCaught")
	}
	open := func(t *testing.T, path string) provobs.Provider {
		// NORMAL: no fsync per commit, so a loaded machine's disk does not
		// stretch the timing cases; reopening still sees every commit.
		store, err := sqlite.Open(t.Context(), path, sqlite.WithSynchronous(sqlite.SynchronousNormal))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = store.Close() })
		return &mutant{full: store, kind: kind, path: path}
	}
	providertest.Run(t, func(t *testing.T) provobs.Provider {
		return open(t, filepath.Join(t.TempDir(), "store.db"))
	}, providertest.WithWaitLimit(3*time.Second), providertest.WithStorage(providertest.Storage{
		Close: func(p provobs.Provider) error { return p.(*mutant).full.(io.Closer).Close() },
		Open:  func(t *testing.T, p provobs.Provider) provobs.Provider { return open(t, p.(*mutant).path) },
	}))
}

type full interface {
	provobs.Provider
	provobs.Admin
}

// mutant forwards to the SQLite provider except where its kind breaks one
// behaviour.
type mutant struct {
	full
	kind string
	path string

	mu   sync.Mutex
	last *provobs.OrchestrationItem // fetch_delivers_twice
	n    int
}

// sleepPoll is poll_sleeps_whole_timeout: a long poll that never wakes
// early. It looks once, sleeps the whole timeout, and looks again.
func sleepPoll[T any](ctx context.Context, d time.Duration, look func() (*T, error)) (*T, error) {
	v, err := look()
	if v != nil || err != nil || d <= 0 {
		return v, err
	}
	select {
	case <-time.After(d):
	case <-ctx.Done():
	}
	return look()
}

func (m *mutant) err(err error) error {
	if m.kind == "errors_untyped" && err != nil {
		return fmt.Errorf("mutant: %v", err)
	}
	return err
}

func (m *mutant) payload(w provobs.WorkItem) provobs.WorkItem {
	if m.kind == "payload_truncated" && len(w.Payload) > 1 {
		w.Payload = w.Payload[:len(w.Payload)-1]
	}
	return w
}

func (m *mutant) FetchOrchestrationItem(ctx context.Context, opts provobs.FetchOptions) (*provobs.OrchestrationItem, error) {
	switch m.kind {
	case "fetch_ignores_lock_timeout":
		opts.LockTimeout = time.Minute
	case "no_long_poll":
		opts.PollTimeout = 0
	case "rules_restated_loosely":
		opts.LockTimeout = max(opts.LockTimeout, 0)
	}
	if m.kind == "poll_sleeps_whole_timeout" {
		d := opts.PollTimeout
		opts.PollTimeout = 0
		return sleepPoll(ctx, d, func() (*provobs.OrchestrationItem, error) { return m.full.FetchOrchestrationItem(ctx, opts) })
	}
	if m.kind == "cancelled_fetch_keeps_lock" {
		opts.LockTimeout = time.Minute
		it, err := m.full.FetchOrchestrationItem(context.WithoutCancel(ctx), opts)
		if ctx.Err() != nil {
			return nil, provobs.ContextError(provobs.OpFetch, ctx.Err())
		}
		return it, err
	}
	if m.kind == "fetch_delivers_twice" {
		m.mu.Lock()
		m.n++
		if m.n%5 == 0 && m.last != nil {
			again := *m.last
			m.mu.Unlock()
			return &again, nil
		}
		m.mu.Unlock()
	}
	it, err := m.full.FetchOrchestrationItem(ctx, opts)
	if it != nil && m.kind == "fetch_delivers_twice" {
		m.mu.Lock()
		m.last = it
		m.mu.Unlock()
	}
	if it != nil && m.kind == "batch_capped_at_100" && len(it.Messages) > 100 {
		it.Messages = it.Messages[:100]
	}
	if it != nil {
		switch m.kind {
		case "fetch_drops_last_message":
			if len(it.Messages) > 1 {
				it.Messages = it.Messages[:len(it.Messages)-1]
			}
		case "attempt_off_by_one":
			it.AttemptCount--
		case "payload_truncated":
			for i := range it.Messages {
				it.Messages[i] = m.payload(it.Messages[i])
			}
		}
	}
	return it, m.err(err)
}

func (m *mutant) AckOrchestrationItem(ctx context.Context, tok string, ack provobs.OrchestrationAck) error {
	switch m.kind {
	case "ack_drops_cancellations":
		ack.CancelledActivities = nil
	case "ack_drops_status":
		ack.Metadata.Status = ""
	case "stale_ack_applies_to_current":
		if it := m.lockedInstance(ctx, tok); it != nil && it.ExecutionID > ack.ExecutionID {
			ack.ExecutionID = it.ExecutionID
			ack.HistoryDelta = nil
		}
	}
	err := m.full.AckOrchestrationItem(ctx, tok, ack)
	if m.kind == "ack_hides_lock_lost" && errors.Is(err, provobs.ErrLockLost) {
		return nil
	}
	return m.err(err)
}

func (m *mutant) AbandonOrchestrationItem(ctx context.Context, tok string, opts provobs.AbandonOptions) error {
	switch m.kind {
	case "abandon_ignores_attempt":
		opts.IgnoreAttempt = false
	case "abandon_ignores_delay":
		opts.Delay = 0
	}
	return m.err(m.full.AbandonOrchestrationItem(ctx, tok, opts))
}

// lockedInstance finds the instance a token locks, through InstanceInfo of
// every listed instance (slow, fine for a mutant): the one whose current
// execution is newer than its token's turn is what stale_ack_applies_to_current
// needs.
func (m *mutant) lockedInstance(ctx context.Context, _ string) *provobs.InstanceInfo {
	infos, err := m.full.ListInstances(ctx, provobs.ListOptions{})
	if err != nil || len(infos) != 1 {
		return nil
	}
	return &infos[0]
}

func (m *mutant) RenewOrchestrationItemLock(ctx context.Context, tok string, d time.Duration) error {
	if m.kind == "renew_orch_ignored" {
		return nil
	}
	switch m.kind {
	case "renew_never_shortens":
		d = max(d, time.Minute)
	case "rules_restated_loosely":
		d = max(d, 0)
	case "zero_lock_means_zero":
		d = max(d, time.Nanosecond)
	}
	return m.err(m.full.RenewOrchestrationItemLock(ctx, tok, d))
}

func (m *mutant) EnqueueOrchestrator(ctx context.Context, w provobs.WorkItem, delay time.Duration) error {
	if m.kind == "enqueue_ignores_delay" {
		delay = 0
	}
	if m.kind == "enqueue_lies_on_cancel" {
		err := m.full.EnqueueOrchestrator(context.WithoutCancel(ctx), w, delay)
		if ctx.Err() != nil {
			return provobs.ContextError(provobs.OpEnqueue, ctx.Err())
		}
		return err
	}
	err := m.full.EnqueueOrchestrator(ctx, w, delay)
	if m.kind == "closed_enqueue_reports_success" && provobs.TypeOf(err) == provobs.TypeClosed {
		return nil
	}
	return m.err(err)
}

func (m *mutant) EnqueueWorker(ctx context.Context, w provobs.WorkItem) error {
	return m.err(m.full.EnqueueWorker(ctx, w))
}

func (m *mutant) DequeueWorker(ctx context.Context, opts provobs.FetchOptions, s *provobs.SessionConfig) (*provobs.WorkerItem, error) {
	switch m.kind {
	case "dequeue_ignores_sessions":
		s = nil
	case "rules_restated_loosely":
		opts.PollTimeout = max(opts.PollTimeout, 0)
		if s != nil && s.OwnerID == "" {
			s = nil
		}
	case "zero_lock_means_zero":
		if s != nil && s.LockTimeout == 0 {
			s = &provobs.SessionConfig{OwnerID: s.OwnerID, LockTimeout: time.Nanosecond}
		}
	case "no_long_poll":
		opts.PollTimeout = 0
	case "poll_sleeps_whole_timeout":
		d := opts.PollTimeout
		opts.PollTimeout = 0
		return sleepPoll(ctx, d, func() (*provobs.WorkerItem, error) { return m.full.DequeueWorker(ctx, opts, s) })
	}
	w, err := m.full.DequeueWorker(ctx, opts, s)
	if w != nil && m.kind == "attempt_off_by_one" {
		w.AttemptCount--
	}
	return w, m.err(err)
}

func (m *mutant) AckWorker(ctx context.Context, tok string, c *provobs.WorkItem) error {
	if m.kind == "worker_ack_drops_completion" {
		c = nil
	}
	return m.err(m.full.AckWorker(ctx, tok, c))
}

func (m *mutant) AbandonWorker(ctx context.Context, tok string, opts provobs.AbandonOptions) error {
	if m.kind == "abandon_ignores_attempt" {
		opts.IgnoreAttempt = false
	}
	return m.err(m.full.AbandonWorker(ctx, tok, opts))
}

func (m *mutant) RenewWorkerLock(ctx context.Context, tok string, d time.Duration) error {
	switch m.kind {
	case "renew_never_shortens":
		d = max(d, time.Minute)
	case "zero_lock_means_zero":
		d = max(d, time.Nanosecond)
	}
	return m.err(m.full.RenewWorkerLock(ctx, tok, d))
}

func (m *mutant) RenewSessionLock(ctx context.Context, owners []string, extend, idle time.Duration) (int, error) {
	if m.kind == "renew_session_ignores_idle" {
		idle = time.Hour
	}
	n, err := m.full.RenewSessionLock(ctx, owners, extend, idle)
	return n, m.err(err)
}

func (m *mutant) CleanupOrphanedSessions(ctx context.Context, idle time.Duration) (int, error) {
	if m.kind == "cleanup_noop" {
		return 0, nil
	}
	if m.kind == "rules_restated_loosely" {
		idle = max(idle, 0)
	}
	n, err := m.full.CleanupOrphanedSessions(ctx, idle)
	return n, m.err(err)
}

func (m *mutant) ReadHistory(ctx context.Context, id string, exec uint64) ([]provobs.Event, error) {
	if m.kind == "read_history_latest_only" {
		exec = 0
	}
	evs, err := m.full.ReadHistory(ctx, id, exec)
	if m.kind == "read_history_reversed" {
		slices.Reverse(evs)
	}
	return evs, m.err(err)
}

func (m *mutant) QueueDepths(ctx context.Context) (provobs.QueueDepths, error) {
	d, err := m.full.QueueDepths(ctx)
	if m.kind == "depths_ignore_timers" {
		d.Timer = 0
	}
	return d, m.err(err)
}

func (m *mutant) ListInstances(ctx context.Context, opts provobs.ListOptions) ([]provobs.InstanceInfo, error) {
	if m.kind == "list_ignores_status" {
		opts.Status = ""
	}
	if m.kind == "list_default_ignores_after" && opts.Limit <= 0 {
		opts.After = ""
	}
	l, err := m.full.ListInstances(ctx, opts)
	return l, m.err(err)
}

func (m *mutant) InstanceInfo(ctx context.Context, id string) (*provobs.InstanceInfo, error) {
	inf, err := m.full.InstanceInfo(ctx, id)
	return inf, m.err(err)
}
