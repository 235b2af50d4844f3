// Package providertest is the conformance suite of the provobs provider
// contract: every rule stated on provobs.Provider and provobs.Admin, checked
// against a real provider. Any provider, ours or yours, runs it from a test:
//
//	func TestConformance(t *testing.T) {
//		providertest.Run(t, func(t *testing.T) provobs.Provider {
//			p, err := mystore.Open(t.Context(), t.TempDir())
//			if err != nil {
//				t.Fatal(err)
//			}
//			t.Cleanup(func() { p.Close() })
//			return p
//		})
//	}
//
// The factory must return a fresh, empty provider each time: every case gets
// its own and runs in parallel with the others. A provider whose data outlives
// it (a file, a database server) should also pass WithStorage, which tells
// the suite how to close a provider and open its storage again: the cases
// that close it with writes in flight, reopen it, or open it a second time
// as another process would, skip without it. Run also accepts a provider
// wrapped in middlewares (provobs.Chain), which is how a middleware proves it
// changes nothing a caller can observe.
//
// # Subtests
//
// Cases run as subtests named "<area>/<case>", so one area or case runs
// with -run, for example -run 'TestConformance/sessions/' or
// -run 'TestConformance/locking/ten_fetchers_race_for_one_instance'. Skip
// takes the same "area/case" names (or a whole "area") for a provider that
// knowingly lacks a behaviour; the Admin cases skip themselves when the
// provider is not a provobs.Admin.
//
// # Timing
//
// Timing cases use a short lock timeout (WithLockTimeout, 300ms by default)
// and poll for the expected state instead of sleeping a fixed time where they
// can. They assert lower bounds (a lock does not expire, a delayed message is
// not visible, before its time) with a small allowance for clock rounding,
// and upper bounds only as a generous wait limit (WithWaitLimit, 10s). A case
// whose timing argument no longer holds because the machine stalled skips
// itself as inconclusive rather than fail. Most cases wait on timers, not the
// CPU, so a -parallel higher than GOMAXPROCS shortens the run.
//
// # Interpretations
//
// Where the contract leaves room, the suite relies on these readings:
//
//   - queues/fetch_order_follows_oldest_message: "locks the first visible
//     instance" means the instance with the oldest visible message, not the lowest
//     instance id.
//   - input/ack_orch_*_item_*, input/ack_worker_completion_*: the
//     TypeInvalidArgument rules for EnqueueOrchestrator/EnqueueWorker also apply
//     to the items of an ack and to an AckWorker completion (valid kind, non-empty
//     instance id, right queue for the kind).
//   - input/read_history_empty_instance_id: an empty instance id is
//     TypeInvalidArgument for ReadHistory too (an unknown, non-empty one is empty,
//     no error).
//   - input/abandon_*_negative_delay: "a negative delay" covers
//     AbandonOptions.Delay.
//   - polling/long_poll_sees_delayed_message: a long poll returns a message that
//     becomes visible during the poll (work that appears by time, not only by an
//     enqueue).
//   - errors/canceled_wraps_context_error: a TypeCanceled error wraps the
//     context's error (errors.Is(err, context.Canceled)).
//   - errors/op_*: Error.Op names the operation that failed.
//   - Sessions: a claim counts as activity (a just-claimed session is not idle).
//
// # Errors
//
// Cases classify errors the way callers must: provobs.TypeOf and errors.Is
// against the sentinels (provobs.ErrLockLost, ...), never the error text. A
// context whose deadline passed must fail with TypeDeadlineExceeded, a
// cancelled one with TypeCanceled (provobs.ContextError builds either).
//
// # Argument rules
//
// The contract's argument rules are code in the root package
// (provobs.ValidateCall and the Validate functions, with the defaults
// DefaultLockTimeout and DefaultListLimit), for a provider to call at the
// top of each method (the table in the root package's validate.go). Each
// rule has a case (in rules.go, or input.go and errors.go for the older
// ones) that makes the bad call through the provider and checks the error
// type and that nothing changed, so a provider that skips or restates a
// rule differently fails there.
//
// # Cases
//
// The list below is generated from the case tables; TestDocListsEveryCase
// fails when it drifts, and go test -run TestDocListsEveryCase -update
// rewrites it.
//
// # Atomicity
//
// Area "atomicity", in atomicity.go:
//
//   - ack_commits_every_part: a successful ack appends history, enqueues worker and orchestrator items, sets status and deletes the batch
//   - duplicate_event_id_fails_with_conflict: an ack repeating a stored event id fails with TypeConflict
//   - duplicate_within_delta_fails: an ack whose delta repeats an event id fails with TypeConflict
//   - failed_ack_appends_no_history: a failed ack appends no event and leaves stored events as they were
//   - failed_ack_enqueues_nothing: a failed ack enqueues neither its worker nor its orchestrator items
//   - failed_ack_keeps_lock: after a failed ack the instance stays locked and the same token can still ack
//   - failed_ack_keeps_messages: a failed ack deletes no message: an abandon makes the batch fetchable again
//   - failed_ack_keeps_cancelled_activities: a failed ack deletes none of the activities it cancels
//   - failed_first_ack_creates_no_instance: a failed first ack creates no instance and no history
//   - failed_ack_keeps_status: a failed ack leaves status and output unchanged (Admin)
//   - invalid_item_fails_whole_ack: an ack carrying an invalid item fails with TypeInvalidArgument and changes nothing
//   - failed_worker_ack_keeps_item: a worker ack with an invalid completion fails, keeps the item locked and enqueues nothing
//   - worker_ack_moves_item_atomically: a worker ack deletes the item and enqueues the completion together
//
// # Error handling
//
// Area "errors", in errors.go:
//
//   - lock_lost_is_typed: an unknown token fails with a *provobs.Error that errors.Is matches to ErrLockLost, not retryable
//   - conflict_is_typed: a duplicate event id fails with a *provobs.Error of TypeConflict, not retryable
//   - invalid_argument_is_typed: bad input fails with a *provobs.Error matching ErrInvalidArgument, not retryable
//   - canceled_is_typed: a cancelled context fails with a *provobs.Error matching ErrCanceled, not retryable
//   - canceled_wraps_context_error: the canceled error wraps the context's error, so errors.Is(err, context.Canceled) holds
//   - deadline_exceeded_is_typed: a context whose deadline passed fails with a *provobs.Error of TypeDeadlineExceeded that wraps context.DeadlineExceeded, not retryable
//   - closed_provider_fails_with_closed: after Close (when the provider is an io.Closer) calls fail with TypeClosed
//   - op_fetch: a failed FetchOrchestrationItem (cancelled context) returns a *provobs.Error whose Op is fetch
//   - op_ack_orch: a failed AckOrchestrationItem (unknown token) returns a *provobs.Error whose Op is ack_orch
//   - op_abandon_orch: a failed AbandonOrchestrationItem (unknown token) returns a *provobs.Error whose Op is abandon_orch
//   - op_renew_orch: a failed RenewOrchestrationItemLock (unknown token) returns a *provobs.Error whose Op is renew_orch
//   - op_enqueue: a failed EnqueueOrchestrator (empty instance id) returns a *provobs.Error whose Op is enqueue
//   - op_enqueue_worker: a failed EnqueueWorker (empty instance id) returns a *provobs.Error whose Op is enqueue_worker
//   - op_dequeue: a failed DequeueWorker (cancelled context) returns a *provobs.Error whose Op is dequeue
//   - op_ack_worker: a failed AckWorker (unknown token) returns a *provobs.Error whose Op is ack_worker
//   - op_abandon_worker: a failed AbandonWorker (unknown token) returns a *provobs.Error whose Op is abandon_worker
//   - op_renew_worker: a failed RenewWorkerLock (unknown token) returns a *provobs.Error whose Op is renew_worker
//   - op_renew_session_lock: a failed RenewSessionLock (cancelled context) returns a *provobs.Error whose Op is renew_session_lock
//   - op_cleanup_orphaned_sessions: a failed CleanupOrphanedSessions (cancelled context) returns a *provobs.Error whose Op is cleanup_orphaned_sessions
//   - op_read_history: a failed ReadHistory (empty instance id) returns a *provobs.Error whose Op is read_history
//   - op_queue_depths: a failed QueueDepths (cancelled context) returns a *provobs.Error whose Op is queue_depths
//   - op_list_instances: a failed ListInstances (cancelled context) returns a *provobs.Error whose Op is list_instances
//   - op_instance_info: a failed InstanceInfo (cancelled context) returns a *provobs.Error whose Op is instance_info
//
// # Instance creation
//
// Area "instances", in instances.go:
//
//   - enqueue_creates_no_instance: an enqueued message alone creates no instance: its history reads empty
//   - first_fetch_has_no_execution: the first fetch of a new instance has ExecutionID 0 and no history
//   - ack_creates_instance: the first ack with metadata creates the instance: the next fetch has execution 1 and its history
//   - creation_is_idempotent: a second ack with the same metadata and execution neither fails nor resets the instance
//   - event_before_start_is_kept: a message enqueued before the start message is delivered with it, in enqueue order
//   - read_history_unknown_instance_is_empty: ReadHistory of an unknown instance returns no events and no error
//   - instances_are_independent: two instances keep separate histories and batches
//   - abandoned_first_turn_creates_nothing: abandoning the first turn creates no instance; the start message is delivered again
//   - later_acks_need_no_metadata: acks after creation with empty metadata succeed and append history
//   - child_instance_started_by_ack: an ack can start another instance by enqueueing its start message
//   - fetch_history_matches_read_history: the history returned by a fetch equals ReadHistory of the current execution
//
// # Instance and item locking
//
// Area "locking", in locking.go:
//
//   - fetch_locks_instance: a fetched instance is locked: a second fetch finds no work
//   - other_instances_stay_fetchable: a lock on one instance does not block fetching another
//   - locked_instance_with_new_messages_is_skipped: messages that arrive while an instance is locked do not make it fetchable
//   - ack_deletes_only_tagged_messages: an ack deletes the fetched batch only; messages that arrived meanwhile come in the next fetch
//   - ack_releases_lock: after an ack the instance can be fetched again at once
//   - abandon_releases_lock: after an abandon the same batch can be fetched again at once, with a new token
//   - lock_tokens_are_uuids: orchestration lock tokens are UUID strings
//   - lock_tokens_are_fresh: every fetch of the same instance gets a new token
//   - ten_fetchers_get_distinct_instances: 10 concurrent fetches over 10 instances each lock a different instance; none returns nil
//   - ten_fetchers_race_for_one_instance: 10 concurrent fetches of one instance: exactly one wins, the others find no work
//   - default_lock_timeout_holds_lock: a fetch with LockTimeout 0 uses the provider's default, which holds the lock
//   - renew_keeps_valid_lock: renewing a valid orchestration lock succeeds and keeps the instance locked
//   - worker_dequeue_locks_item: a dequeued worker item is locked: a second dequeue finds no work
//   - worker_abandon_releases_item: an abandoned worker item can be dequeued again at once, with a new token
//   - worker_tokens_are_fresh_uuids: worker lock tokens are UUID strings, new on every dequeue
//   - worker_ten_dequeuers_get_distinct_items: 10 concurrent dequeues over 10 items each lock a different item; none returns nil
//   - worker_ten_dequeuers_race_for_one_item: 10 concurrent dequeues of one item: exactly one wins, the others find no work
//   - worker_default_lock_timeout_holds_lock: a dequeue with LockTimeout 0 uses the provider's default, which holds the lock
//   - worker_renew_keeps_valid_lock: renewing a valid worker lock succeeds and keeps the item locked
//
// # Lock expiration and renewal
//
// Area "expiration", in expiration.go:
//
//   - renew_can_shorten_lock: renewing an instance lock with a shorter extension makes it expire at now+extendFor, before the original expiry
//   - worker_renew_can_shorten_lock: renewing a worker lock with a shorter extension makes it expire at now+extendFor, before the original expiry
//   - orchestration_lock_expires: an unrenewed instance lock expires after its LockTimeout, not before, and the instance is fetchable again
//   - expired_token_ack_fails: an ack after the lock expired fails with TypeLockLost and the batch stays fetchable
//   - refetch_after_expiry_invalidates_old_token: after expiry and refetch the old token fails ack, renew and abandon; the new one acks
//   - renew_extends_orchestration_lock: a renewed instance lock outlives its original LockTimeout
//   - renew_after_expiry_fails: renewing an expired instance lock fails with TypeLockLost and does not re-lock it
//   - refetch_after_expiry_includes_new_messages: a refetch after expiry returns the old batch plus messages that arrived meanwhile
//   - worker_lock_expires: an unrenewed worker lock expires after its LockTimeout, not before, and the item is dequeued again
//   - expired_worker_ack_fails_item_stays: a worker ack after expiry fails with TypeLockLost, enqueues no completion, and the item stays
//   - worker_refetch_after_expiry_invalidates_old_token: after expiry and re-dequeue the old worker token fails ack, renew and abandon
//   - worker_renew_extends_lock: a renewed worker lock outlives its original LockTimeout
//   - worker_renew_after_expiry_fails: renewing an expired worker lock fails with TypeLockLost and does not re-lock the item
//
// # Queue semantics
//
// Area "queues", in queues.go:
//
//   - empty_queues_have_no_work: fetch and dequeue on an empty provider return (nil, nil)
//   - fetch_order_follows_oldest_message: instances are fetched in the order of their oldest visible message
//   - batch_in_enqueue_order: a batch holds every visible message of the instance, in enqueue order
//   - batch_of_150_messages: a fetch returns all 150 visible messages of an instance in enqueue order, and the ack deletes them all
//   - every_orchestrator_kind_round_trips: every orchestrator kind keeps its instance, execution, correlation id and payload
//   - worker_queue_is_fifo: worker items are dequeued in insertion order
//   - worker_item_fields_round_trip: a worker item keeps its instance, execution, correlation id, session and payload
//   - acked_messages_never_return: an acked batch is gone: it is not fetched again after the lock would have expired
//   - acked_worker_item_never_returns: an acked worker item is gone: it is not dequeued again after the lock would have expired
//   - ack_worker_without_completion_deletes_only: AckWorker with a nil completion deletes the item and enqueues nothing
//   - delayed_message_visible_after_delay: a message enqueued with a delay is invisible until the delay passes, then fetchable
//   - delayed_message_does_not_block_others: a delayed message does not hide other instances' visible messages
//   - batch_excludes_future_messages: a batch leaves out the instance's messages that are not yet visible
//   - timer_fires_at_fire_at: a TimerFired item enqueued by an ack becomes visible at its FireAt, not before
//   - timer_with_zero_fire_at_is_visible_now: a TimerFired item with a zero FireAt is visible at once
//   - timer_in_the_past_is_visible_now: a TimerFired item whose FireAt has passed is visible at once
//   - abandon_with_delay_hides_messages: an abandon with a Delay hides the batch for that long, then it is fetchable
//   - worker_abandon_with_delay_hides_item: a worker abandon with a Delay hides the item for that long, then it is dequeued
//   - ack_enqueues_worker_items_in_order: the worker items of one ack are dequeued in the ack's order
//   - ack_enqueues_orchestrator_items: orchestrator items of an ack reach their instances, including the acking one
//
// # Multi-execution and history
//
// Area "executions", in executions.go:
//
//   - continue_as_new_starts_new_execution: an ack with a new ExecutionID makes it current: the next fetch has it and only its history
//   - continue_as_new_message_sees_old_history: the ContinueAsNew message is fetched with the old execution and its history
//   - read_history_of_old_execution: ReadHistory of an earlier execution returns that execution's events
//   - read_history_zero_is_latest: ReadHistory with execution 0 returns the latest execution's events
//   - event_ids_restart_per_execution: event ids are unique per execution: a new execution may reuse ids 1, 2, ...
//   - duplicate_id_in_new_execution_conflicts: a repeated event id within the new execution still fails with TypeConflict
//   - three_executions_stay_separate: three executions in a row each keep their own history
//   - read_history_unknown_execution_is_empty: ReadHistory of an execution that does not exist returns no events and no error
//   - history_in_event_id_order: history reads back in event-id order whatever the delta's order
//   - history_keeps_given_ids: the provider keeps the runtime's event ids, gaps included, and never renumbers
//   - event_kinds_and_payloads_round_trip: event kinds (including runtime-defined ones) and payloads read back as written
//   - stale_execution_messages_delivered_as_given: a message for an old execution is delivered with its own ExecutionID
//
// # Attempt counts and poison messages
//
// Area "attempts", in attempts.go:
//
//   - first_fetch_attempt_is_one: the first fetch of a batch reports AttemptCount 1
//   - abandon_then_refetch_increments: each refetch after an abandon adds one to the attempt count
//   - expiry_then_refetch_increments: a refetch after lock expiry adds one to the attempt count
//   - batch_attempt_is_max: a batch reports the highest attempt count among its messages
//   - untagged_messages_keep_their_count: messages that arrived during a lock were not counted by that fetch
//   - ignore_attempt_gives_attempt_back: an abandon with IgnoreAttempt gives the fetch's attempt back
//   - ignore_attempt_never_below_zero: repeated fetch and IgnoreAttempt abandons never drive the count below zero
//   - new_messages_after_ack_start_at_one: a message enqueued by or after an ack starts at attempt 1
//   - worker_first_dequeue_attempt_is_one: the first dequeue of a worker item reports AttemptCount 1
//   - worker_abandon_then_dequeue_increments: each re-dequeue after an abandon adds one to the item's attempt count
//   - worker_expiry_then_dequeue_increments: a re-dequeue after lock expiry adds one to the item's attempt count
//   - worker_ignore_attempt_gives_attempt_back: a worker abandon with IgnoreAttempt gives the dequeue's attempt back
//   - worker_ignore_attempt_never_below_zero: repeated dequeue and IgnoreAttempt abandons never drive the item's count below zero
//   - worker_attempts_are_per_item: abandoning one worker item does not count against another
//
// # Sessions
//
// Area "sessions", in sessions.go:
//
//   - session_less_dequeue_ignores_session_items: a dequeue without a session config skips session items and takes session-less ones
//   - session_dequeue_takes_session_less_items: a session-aware dequeue also takes items without a session
//   - claim_pins_session_to_owner: the owner that claims a session gets its later items; another owner does not
//   - other_owner_skips_held_session: an owner skips items of a session held by another and takes the next eligible item
//   - owners_split_unowned_sessions: two owners claim two unowned sessions, one each
//   - ten_owners_race_for_one_session: 10 owners racing to dequeue one session's items: exactly one owner gets them
//   - session_items_are_fifo: a session's items reach its owner in insertion order
//   - takeover_after_lease_expiry: after the lease expires another owner claims the session, not before; the old owner loses it
//   - expired_item_stays_with_session_owner: an item whose lock expired inside a held session goes back to the owner only
//   - renew_counts_live_sessions: RenewSessionLock renews and counts the live sessions of the given owners only
//   - renew_extends_lease: a renewed lease outlives its first timeout: no other owner can claim the session
//   - renew_skips_idle_sessions: RenewSessionLock skips sessions idle for longer than idleTimeout
//   - renew_never_reacquires_expired_lease: RenewSessionLock does not revive an expired lease; another owner can claim it
//   - ack_touches_last_activity: AckWorker refreshes the session's last activity, so an idle-aware renew keeps it
//   - renew_worker_lock_touches_last_activity: RenewWorkerLock refreshes the session's last activity, so an idle-aware renew keeps it
//   - cleanup_keeps_live_sessions: CleanupOrphanedSessions leaves sessions whose lease is live and that are not idle
//   - cleanup_keeps_sessions_with_items: CleanupOrphanedSessions leaves expired sessions that still have queued items
//   - cleanup_removes_expired_sessions: CleanupOrphanedSessions deletes expired sessions without items, once
//   - cleanup_removes_idle_sessions: CleanupOrphanedSessions with idleTimeout deletes idle sessions without items even when their lease is live
//   - cleaned_session_can_be_claimed_again: a session deleted by cleanup is claimed afresh by the next owner
//
// # Activity cancellation
//
// Area "cancellation", in cancellation.go:
//
//   - cancelled_activities_are_removed: activities named in CancelledActivities leave the worker queue; the others stay
//   - cancelled_locked_activity_renew_lock_lost: cancelling a dequeued activity makes the worker's RenewWorkerLock fail with TypeLockLost
//   - cancelled_locked_activity_ack_lock_lost: cancelling a dequeued activity makes the worker's AckWorker fail with TypeLockLost, enqueueing nothing
//   - cancelled_locked_activity_abandon_lock_lost: cancelling a dequeued activity makes AbandonWorker fail with TypeLockLost; the item does not come back
//   - schedule_and_cancel_in_one_ack_is_noop: an activity scheduled and cancelled by the same ack never reaches the worker queue
//   - cancel_scoped_to_instance: cancelling correlation id n leaves other instances' activities with the same id
//   - cancel_scoped_to_execution: cancelling in execution 2 leaves execution 1's activity with the same correlation id
//   - cancel_unknown_activity_is_noop: cancelling a correlation id with no queued activity succeeds and changes nothing else
//   - cancel_removes_session_items: cancelling removes a queued activity pinned to a session
//   - cancel_after_completion_keeps_completion: cancelling an activity whose completion arrived during the turn keeps the completion message
//
// # Polling bounds
//
// Area "polling", in polling.go:
//
//   - fetch_poll_timeout_respected: a fetch with PollTimeout and no work returns (nil, nil) after about PollTimeout, not much earlier
//   - dequeue_poll_timeout_respected: a dequeue with PollTimeout and no work returns (nil, nil) after about PollTimeout, not much earlier
//   - session_dequeue_poll_timeout_respected: a session dequeue that finds only other owners' items waits PollTimeout and returns (nil, nil)
//   - fetch_zero_poll_returns_at_once: a fetch with PollTimeout 0 and no work returns without waiting
//   - dequeue_zero_poll_returns_at_once: a dequeue with PollTimeout 0 and no work returns without waiting
//   - long_poll_returns_existing_work_at_once: a long-polling fetch with visible work returns it without waiting
//   - enqueue_wakes_long_polling_fetch: EnqueueOrchestrator wakes a waiting fetch, which returns the new work
//   - enqueue_worker_wakes_long_polling_dequeue: EnqueueWorker wakes a waiting dequeue, which returns the new item
//   - orchestration_ack_wakes_long_polling_dequeue: worker items enqueued by an orchestration ack wake a waiting dequeue
//   - worker_ack_wakes_long_polling_fetch: a completion enqueued by AckWorker wakes a waiting fetch
//   - long_poll_sees_delayed_message: a long-polling fetch returns a message that becomes visible during the poll
//   - long_poll_skips_locked_instance: a long-polling fetch does not return an instance that stays locked; it ends with (nil, nil)
//   - long_poll_wakes_for_delayed_abandon: a long-polling fetch returns a batch abandoned with a Delay once the delay passes, well before PollTimeout
//   - long_poll_wakes_for_lock_expiry: a long-polling fetch returns an instance whose lock expires during the poll, well before PollTimeout
//   - dequeue_long_poll_wakes_for_delayed_abandon: a long-polling dequeue returns an item abandoned with a Delay once the delay passes, well before PollTimeout
//   - dequeue_long_poll_wakes_for_lock_expiry: a long-polling dequeue returns an item whose lock expires during the poll, well before PollTimeout
//   - dequeue_long_poll_wakes_for_lease_expiry: a long-polling session dequeue returns an item of another owner's session once its lease expires, well before PollTimeout
//   - abandon_wakes_long_polling_fetch: AbandonOrchestrationItem wakes a waiting fetch, which returns the batch
//   - worker_abandon_wakes_long_polling_dequeue: AbandonWorker wakes a waiting dequeue, which returns the item
//   - ack_wakes_long_polling_fetch: an orchestration ack enqueueing a message wakes a waiting fetch
//   - ack_timer_wakes_long_polling_fetch: a long-polling fetch returns a timer acked during an earlier turn when its FireAt passes, well before PollTimeout
//   - commit_by_another_opener_wakes_long_polls: a commit through another provider on the same storage wakes a waiting fetch and a waiting dequeue (WithStorage)
//   - fetch_long_poll_honours_cancellation: cancelling the context ends a long-polling fetch with TypeCanceled
//   - dequeue_long_poll_honours_cancellation: cancelling the context ends a long-polling dequeue with TypeCanceled
//
// # Queue depths (Admin)
//
// Area "depths", in depths.go:
//
//   - empty_depths_are_zero: an empty provider reports zero for every queue
//   - orchestrator_depth_counts_visible_messages: the orchestrator depth counts visible messages, not instances
//   - locked_messages_not_counted: a fetched batch leaves the orchestrator depth while its lock holds
//   - expired_lock_messages_counted_again: a batch whose lock expired counts in the orchestrator depth again
//   - worker_depth_counts_items: the worker depth counts unlocked worker items
//   - locked_worker_items_not_counted: a dequeued item leaves the worker depth while its lock holds
//   - expired_worker_locks_counted_again: a worker item whose lock expired counts in the worker depth again
//   - future_messages_count_as_timers: a message enqueued with a delay counts as a timer, not in the orchestrator depth
//   - ack_timers_count_as_timers: a TimerFired item with a future FireAt, enqueued by an ack, counts as a timer
//   - due_timers_move_to_orchestrator_depth: a timer whose time has come counts in the orchestrator depth, no longer as a timer
//   - acked_work_leaves_depths: acked batches and worker items leave every depth
//
// # Instance listing and info (Admin)
//
// Area "admin", in admin.go:
//
//   - instance_info_unknown_is_nil: InstanceInfo of an unknown instance returns (nil, nil)
//   - instance_info_after_start: InstanceInfo after the first ack reports name, version, status, execution 1 and timestamps
//   - status_and_output_update: an ack's status and output show in InstanceInfo
//   - empty_status_keeps_status: an ack with an empty status leaves the status unchanged
//   - nil_output_keeps_output: an ack with a nil output leaves the output unchanged
//   - name_and_version_kept_by_later_acks: later acks with empty metadata keep the name and version
//   - instance_info_tracks_current_execution: InstanceInfo reports the current execution after continue-as-new
//   - stale_execution_ack_keeps_current_status: an ack for an earlier execution changes neither the status nor the output InstanceInfo and ListInstances report for the current one
//   - new_execution_without_status_is_running: an ack that starts a new execution without a status reports that execution as Running
//   - enqueue_alone_lists_no_instance: an instance that was only enqueued to is not listed
//   - list_in_instance_id_order: ListInstances returns instances in instance-id order
//   - list_filters_by_status: ListInstances with a Status keeps only instances in that status
//   - list_pages_with_after_and_limit: ListInstances pages with After and Limit without gaps or repeats
//   - list_pages_past_default_limit: 150 instances page through ListInstances with Limit 0 and After, in order, without gaps or repeats
//   - list_default_limit_returns_small_sets: ListInstances with Limit 0 returns all of a small set
//
// # Bad and unusual input
//
// Area "input", in input.go:
//
//   - ack_orch_empty_token: AckOrchestrationItem with an empty token fails with TypeLockLost and changes nothing
//   - ack_orch_garbage_token: AckOrchestrationItem with a token that is not a UUID fails with TypeLockLost and changes nothing
//   - ack_orch_unknown_uuid_token: AckOrchestrationItem with an unknown UUID fails with TypeLockLost and changes nothing
//   - ack_orch_worker_token: AckOrchestrationItem with a live worker token fails with TypeLockLost and changes nothing
//   - ack_orch_used_token: AckOrchestrationItem with a token already used by an ack fails with TypeLockLost and changes nothing
//   - ack_orch_abandoned_token: AckOrchestrationItem with a token already released by an abandon fails with TypeLockLost and changes nothing
//   - ack_orch_expired_token: AckOrchestrationItem with an expired token fails with TypeLockLost and changes nothing
//   - abandon_orch_empty_token: AbandonOrchestrationItem with an empty token fails with TypeLockLost and changes nothing
//   - abandon_orch_garbage_token: AbandonOrchestrationItem with a token that is not a UUID fails with TypeLockLost and changes nothing
//   - abandon_orch_unknown_uuid_token: AbandonOrchestrationItem with an unknown UUID fails with TypeLockLost and changes nothing
//   - abandon_orch_worker_token: AbandonOrchestrationItem with a live worker token fails with TypeLockLost and changes nothing
//   - abandon_orch_used_token: AbandonOrchestrationItem with a token already used by an ack fails with TypeLockLost and changes nothing
//   - abandon_orch_abandoned_token: AbandonOrchestrationItem with a token already released by an abandon fails with TypeLockLost and changes nothing
//   - abandon_orch_expired_token: AbandonOrchestrationItem with an expired token fails with TypeLockLost and changes nothing
//   - renew_orch_empty_token: RenewOrchestrationItemLock with an empty token fails with TypeLockLost and changes nothing
//   - renew_orch_garbage_token: RenewOrchestrationItemLock with a token that is not a UUID fails with TypeLockLost and changes nothing
//   - renew_orch_unknown_uuid_token: RenewOrchestrationItemLock with an unknown UUID fails with TypeLockLost and changes nothing
//   - renew_orch_worker_token: RenewOrchestrationItemLock with a live worker token fails with TypeLockLost and changes nothing
//   - renew_orch_used_token: RenewOrchestrationItemLock with a token already used by an ack fails with TypeLockLost and changes nothing
//   - renew_orch_abandoned_token: RenewOrchestrationItemLock with a token already released by an abandon fails with TypeLockLost and changes nothing
//   - renew_orch_expired_token: RenewOrchestrationItemLock with an expired token fails with TypeLockLost and changes nothing
//   - ack_worker_empty_token: AckWorker with an empty token fails with TypeLockLost and changes nothing
//   - ack_worker_garbage_token: AckWorker with a token that is not a UUID fails with TypeLockLost and changes nothing
//   - ack_worker_unknown_uuid_token: AckWorker with an unknown UUID fails with TypeLockLost and changes nothing
//   - ack_worker_orchestration_token: AckWorker with a live orchestration token fails with TypeLockLost and changes nothing
//   - ack_worker_used_token: AckWorker with a token already used by an ack fails with TypeLockLost and changes nothing
//   - ack_worker_abandoned_token: AckWorker with a token already released by an abandon fails with TypeLockLost and changes nothing
//   - ack_worker_expired_token: AckWorker with an expired token fails with TypeLockLost and changes nothing
//   - abandon_worker_empty_token: AbandonWorker with an empty token fails with TypeLockLost and changes nothing
//   - abandon_worker_garbage_token: AbandonWorker with a token that is not a UUID fails with TypeLockLost and changes nothing
//   - abandon_worker_unknown_uuid_token: AbandonWorker with an unknown UUID fails with TypeLockLost and changes nothing
//   - abandon_worker_orchestration_token: AbandonWorker with a live orchestration token fails with TypeLockLost and changes nothing
//   - abandon_worker_used_token: AbandonWorker with a token already used by an ack fails with TypeLockLost and changes nothing
//   - abandon_worker_abandoned_token: AbandonWorker with a token already released by an abandon fails with TypeLockLost and changes nothing
//   - abandon_worker_expired_token: AbandonWorker with an expired token fails with TypeLockLost and changes nothing
//   - renew_worker_empty_token: RenewWorkerLock with an empty token fails with TypeLockLost and changes nothing
//   - renew_worker_garbage_token: RenewWorkerLock with a token that is not a UUID fails with TypeLockLost and changes nothing
//   - renew_worker_unknown_uuid_token: RenewWorkerLock with an unknown UUID fails with TypeLockLost and changes nothing
//   - renew_worker_orchestration_token: RenewWorkerLock with a live orchestration token fails with TypeLockLost and changes nothing
//   - renew_worker_used_token: RenewWorkerLock with a token already used by an ack fails with TypeLockLost and changes nothing
//   - renew_worker_abandoned_token: RenewWorkerLock with a token already released by an abandon fails with TypeLockLost and changes nothing
//   - renew_worker_expired_token: RenewWorkerLock with an expired token fails with TypeLockLost and changes nothing
//   - enqueue_orchestrator_empty_instance_id: EnqueueOrchestrator with an empty instance id fails with TypeInvalidArgument and stores nothing
//   - enqueue_worker_empty_instance_id: EnqueueWorker with an empty instance id fails with TypeInvalidArgument and stores nothing
//   - read_history_empty_instance_id: ReadHistory with an empty instance id fails with TypeInvalidArgument
//   - ack_worker_completion_empty_instance_id: AckWorker with a completion without instance id fails with TypeInvalidArgument and keeps the item
//   - ack_orch_worker_item_empty_instance_id: an ack with a worker item without instance id fails with TypeInvalidArgument and keeps the lock
//   - enqueue_orchestrator_kind_zero: EnqueueOrchestrator with the zero kind fails with TypeInvalidArgument
//   - enqueue_orchestrator_kind_out_of_range: EnqueueOrchestrator with an undefined kind fails with TypeInvalidArgument
//   - enqueue_worker_kind_zero: EnqueueWorker with the zero kind fails with TypeInvalidArgument
//   - enqueue_orchestrator_activity_execute: EnqueueOrchestrator with an ActivityExecute item (wrong queue) fails with TypeInvalidArgument
//   - enqueue_worker_wrong_kind: EnqueueWorker with any kind but ActivityExecute fails with TypeInvalidArgument
//   - ack_worker_completion_activity_execute: AckWorker with an ActivityExecute completion (wrong queue) fails with TypeInvalidArgument
//   - ack_orch_worker_item_wrong_kind: an ack with a worker item that is not ActivityExecute fails with TypeInvalidArgument
//   - ack_orch_orchestrator_item_activity_execute: an ack with an ActivityExecute orchestrator item fails with TypeInvalidArgument
//   - enqueue_orchestrator_negative_delay: EnqueueOrchestrator with a negative delay fails with TypeInvalidArgument and stores nothing
//   - abandon_orch_negative_delay: an abandon with a negative Delay fails with TypeInvalidArgument and keeps the lock
//   - abandon_worker_negative_delay: a worker abandon with a negative Delay fails with TypeInvalidArgument and keeps the lock
//   - ack_execution_id_zero: an ack with ExecutionID 0 fails with TypeInvalidArgument and keeps the lock
//   - canceled_context_fetch: FetchOrchestrationItem with a cancelled context fails with TypeCanceled and changes nothing
//   - canceled_context_ack_orch: AckOrchestrationItem with a cancelled context fails with TypeCanceled and changes nothing
//   - canceled_context_abandon_orch: AbandonOrchestrationItem with a cancelled context fails with TypeCanceled and changes nothing
//   - canceled_context_renew_orch: RenewOrchestrationItemLock with a cancelled context fails with TypeCanceled and changes nothing
//   - canceled_context_enqueue: EnqueueOrchestrator with a cancelled context fails with TypeCanceled and changes nothing
//   - canceled_context_enqueue_worker: EnqueueWorker with a cancelled context fails with TypeCanceled and changes nothing
//   - canceled_context_dequeue: DequeueWorker with a cancelled context fails with TypeCanceled and changes nothing
//   - canceled_context_ack_worker: AckWorker with a cancelled context fails with TypeCanceled and changes nothing
//   - canceled_context_abandon_worker: AbandonWorker with a cancelled context fails with TypeCanceled and changes nothing
//   - canceled_context_renew_worker: RenewWorkerLock with a cancelled context fails with TypeCanceled and changes nothing
//   - canceled_context_renew_session_lock: RenewSessionLock with a cancelled context fails with TypeCanceled and changes nothing
//   - canceled_context_cleanup_orphaned_sessions: CleanupOrphanedSessions with a cancelled context fails with TypeCanceled and changes nothing
//   - canceled_context_read_history: ReadHistory with a cancelled context fails with TypeCanceled and changes nothing
//   - canceled_context_queue_depths: QueueDepths with a cancelled context fails with TypeCanceled and changes nothing
//   - canceled_context_list_instances: ListInstances with a cancelled context fails with TypeCanceled and changes nothing
//   - canceled_context_instance_info: InstanceInfo with a cancelled context fails with TypeCanceled and changes nothing
//   - orchestrator_payload_1mib: a 1 MiB orchestrator message payload round-trips byte for byte
//   - worker_payload_1mib: a 1 MiB worker item payload round-trips byte for byte
//   - completion_payload_1mib: a 1 MiB completion enqueued by AckWorker round-trips byte for byte
//   - history_payload_1mib: a 1 MiB event payload round-trips byte for byte
//   - output_payload_1mib: a 1 MiB output round-trips byte for byte through InstanceInfo (Admin)
//   - orchestrator_payload_empty: nil and zero-byte orchestrator payloads read back empty
//   - worker_payload_empty: nil and zero-byte worker payloads read back empty
//   - history_payload_empty: nil and zero-byte event payloads read back empty
//   - binary_payload_round_trips: payloads with NUL bytes and invalid UTF-8 round-trip byte for byte
//   - instance_id_unicode: an instance id with Unicode (CJK, emoji, combining marks) round-trips through enqueue, fetch, ack, history and the worker queue
//   - instance_id_quotes: an instance id with single and double quotes and backslashes round-trips through enqueue, fetch, ack, history and the worker queue
//   - instance_id_spaces: an instance id with leading, inner and trailing spaces round-trips through enqueue, fetch, ack, history and the worker queue
//   - instance_id_1kib: an instance id with 1 KiB long round-trips through enqueue, fetch, ack, history and the worker queue
//   - instance_id_sql_metacharacters: an instance id with SQL metacharacters round-trips through enqueue, fetch, ack, history and the worker queue
//   - instance_id_control_characters: an instance id with tabs and newlines round-trips through enqueue, fetch, ack, history and the worker queue
//   - instance_id_path_like: an instance id with slashes, dots and a URL-like shape round-trips through enqueue, fetch, ack, history and the worker queue
//   - ids_are_case_sensitive: instance ids differing only in case are different instances
//   - similar_ids_do_not_collide: ids that match as SQL LIKE patterns (_ and %) stay distinct
//
// # The contract's argument rules (provobs.Validate*)
//
// Area "rules", in rules.go:
//
//   - fetch_negative_lock_timeout: FetchOrchestrationItem with a negative LockTimeout fails with TypeInvalidArgument and locks nothing
//   - fetch_negative_poll_timeout: FetchOrchestrationItem with a negative PollTimeout fails with TypeInvalidArgument and locks nothing
//   - dequeue_negative_lock_timeout: DequeueWorker with a negative LockTimeout fails with TypeInvalidArgument and locks nothing
//   - dequeue_negative_poll_timeout: DequeueWorker with a negative PollTimeout fails with TypeInvalidArgument and locks nothing
//   - session_empty_owner: DequeueWorker with a session config without OwnerID fails with TypeInvalidArgument and claims nothing
//   - session_negative_lease: DequeueWorker with a negative SessionConfig.LockTimeout fails with TypeInvalidArgument and claims nothing
//   - renew_orch_negative_extension: RenewOrchestrationItemLock with a negative extension fails with TypeInvalidArgument and keeps the lock
//   - renew_worker_negative_extension: RenewWorkerLock with a negative extension fails with TypeInvalidArgument and keeps the lock
//   - renew_session_negative_extension: RenewSessionLock with a negative extension fails with TypeInvalidArgument and keeps the lease
//   - cleanup_negative_idle_timeout: CleanupOrphanedSessions with a negative idleTimeout fails with TypeInvalidArgument and deletes nothing
//   - instance_info_empty_instance_id: InstanceInfo with an empty instance id fails with TypeInvalidArgument (Admin)
//   - ack_execution_id_past_max_id: an ack with ExecutionID above provobs.MaxID fails with TypeInvalidArgument and keeps the lock
//   - ack_event_id_past_max_id: an ack with an event id above provobs.MaxID fails with TypeInvalidArgument and keeps the lock
//   - enqueue_fire_at_out_of_range: EnqueueOrchestrator with a FireAt after 2262 fails with TypeInvalidArgument and stores nothing
//   - ack_timer_fire_at_out_of_range: an ack with a timer whose FireAt is after 2262 fails with TypeInvalidArgument and keeps the lock
//   - renew_orch_zero_extension_uses_default: RenewOrchestrationItemLock with a zero extension renews for the default lock timeout: the lock stays held
//   - renew_worker_zero_extension_uses_default: RenewWorkerLock with a zero extension renews for the default lock timeout: the lock stays held
//   - session_zero_lease_uses_default: a dequeue with a zero SessionConfig.LockTimeout claims the session for the default lease: another owner cannot claim it
//
// # Races
//
// Area "races", in races.go:
//
//   - two_acks_one_token: two concurrent acks with one token: exactly one succeeds, the other fails with TypeLockLost, and the history holds one delta
//   - ack_vs_abandon: a concurrent ack and abandon with one token: exactly one succeeds, and the store shows that one's outcome only
//   - worker_ack_vs_renew: a concurrent AckWorker and RenewWorkerLock: the ack succeeds, the renew succeeds or fails with TypeLockLost, and the completion is enqueued once
//   - many_workers_process_each_instance_once: 8 goroutines fetching and acking 40 instances, retrying retryable errors, process every instance exactly once
//   - lock_expiry_hands_over_to_one_of_three: when a lock expires, exactly one of two other fetchers polling for it gets the instance, and the first holder's token is dead
//
// # Cancellation during a call, Close and reopen
//
// Area "interruption", in interruption.go:
//
//   - enqueue_with_tiny_deadline_reports_true_outcome: enqueues whose deadline ends during the call either succeed and are stored, or fail with TypeDeadlineExceeded and are not
//   - ack_with_tiny_deadline_reports_true_outcome: acks whose deadline ends during the call either succeed and are stored, or fail with TypeDeadlineExceeded, store nothing and keep the lock
//   - cancelled_fetch_leaves_no_lock: a fetch cancelled during the call leaves the instance fetchable again, with its attempt given back unless the lock had time to expire
//   - cancelled_dequeue_leaves_no_lock: a dequeue cancelled during the call leaves the item dequeueable again, with its attempt given back unless the lock had time to expire
//   - close_with_writes_in_flight_keeps_acknowledged_writes: Close during concurrent enqueues: every enqueue that succeeded is in the reopened storage, every one that failed (TypeClosed or TypeCanceled) is not (WithStorage)
//   - reopen_keeps_acknowledged_state: a reopened storage has the history, status, queued messages and worker items acknowledged before Close (WithStorage)
package providertest
