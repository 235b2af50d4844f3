package providertest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/provobs/provobs"
)

const (
	// longLock is the lock a case takes when it means "held for the whole
	// case": long enough that no slow machine sees it expire.
	longLock = 30 * time.Second
	// longLease is the session lease for the same purpose.
	longLease = 30 * time.Second
	// slack absorbs clock rounding (a provider storing milliseconds) in
	// lower-bound timing checks.
	slack = 25 * time.Millisecond
	// tick is the polling interval of eventually.
	tick = 10 * time.Millisecond
	// orchName and orchVersion are the metadata startInstance writes.
	orchName    = "conformance"
	orchVersion = "1.0"
)

// harness is one case's view: its testing.T, its provider and the suite
// configuration. Its helpers fail the case at once (require-style) unless
// their name says they check.
type harness struct {
	*testing.T
	p   provobs.Provider
	cfg *config
}

func (h *harness) ctx() context.Context { return h.Context() }

// storage returns the Storage given with WithStorage, skipping the case
// when there is none.
func (h *harness) storage() *Storage {
	h.Helper()
	if h.cfg.storage == nil {
		h.Skip("needs providertest.WithStorage: the provider's storage is not reachable")
	}
	return h.cfg.cov.storage(h.cfg.storage)
}

// short is the configured short lock timeout.
func (h *harness) short() time.Duration { return h.cfg.lockTimeout }

// medium is a lock that must outlive a few calls on a loaded machine before
// the case lets it expire.
func (h *harness) medium() time.Duration { return 3 * h.cfg.lockTimeout }

// must fails the case when err is not nil.
func (h *harness) must(err error, what string, args ...any) {
	h.Helper()
	if err != nil {
		h.Fatalf("%s: unexpected error: %v", fmt.Sprintf(what, args...), err)
	}
}

// wantType fails the case unless err is a provider error of type want.
func (h *harness) wantType(err error, want provobs.ErrorType, what string, args ...any) {
	h.Helper()
	if err == nil {
		h.Fatalf("%s: got no error, want %s", fmt.Sprintf(what, args...), want)
	}
	if got := provobs.TypeOf(err); got != want {
		h.Fatalf("%s: error type %q, want %q (error: %v)", fmt.Sprintf(what, args...), got, want, err)
	}
}

// wantLockLost fails the case unless err is a lock-lost error, matched the
// way callers match it: errors.Is(err, provobs.ErrLockLost).
func (h *harness) wantLockLost(err error, what string, args ...any) {
	h.Helper()
	if !errors.Is(err, provobs.ErrLockLost) {
		h.Fatalf("%s: got %v (type %q), want a lock_lost error", fmt.Sprintf(what, args...), err, provobs.TypeOf(err))
	}
}

// eventually polls cond until it holds, failing the case after the wait
// limit.
func (h *harness) eventually(what string, cond func() bool) {
	h.Helper()
	deadline := time.Now().Add(h.cfg.wait)
	for {
		if cond() {
			return
		}
		if time.Now().After(deadline) {
			h.Fatalf("%s: not true after %v", what, h.cfg.wait)
		}
		time.Sleep(tick)
	}
}

// sleepUntil sleeps until t.
func sleepUntil(t time.Time) { time.Sleep(time.Until(t)) }

// inconclusive skips the case when more than budget passed since start: the
// machine was too slow for the case's timing argument to hold, so a
// failure would say nothing about the provider.
func (h *harness) inconclusive(start time.Time, budget time.Duration, what string) {
	h.Helper()
	if el := time.Since(start); el > budget {
		h.Skipf("inconclusive: %s took %v, more than the %v the check relies on; the machine is too slow", what, el, budget)
	}
}

// ---- work items ----

func orchMsg(kind provobs.WorkItemKind, id, payload string) provobs.WorkItem {
	return provobs.WorkItem{Kind: kind, InstanceID: id, Payload: []byte(payload)}
}

func startMsg(id string) provobs.WorkItem {
	return orchMsg(provobs.KindStartOrchestration, id, "start:"+id)
}

func eventMsg(id, payload string) provobs.WorkItem {
	return orchMsg(provobs.KindExternalRaised, id, payload)
}

func activity(id string, exec, corr uint64) provobs.WorkItem {
	return provobs.WorkItem{
		Kind: provobs.KindActivityExecute, InstanceID: id, ExecutionID: exec, CorrelationID: corr,
		Payload: fmt.Appendf(nil, "activity:%s:%d:%d", id, exec, corr),
	}
}

func sessionActivity(id string, corr uint64, session string) provobs.WorkItem {
	w := activity(id, 1, corr)
	w.SessionID = session
	return w
}

func completion(id string, exec, corr uint64) *provobs.WorkItem {
	return &provobs.WorkItem{
		Kind: provobs.KindActivityCompleted, InstanceID: id, ExecutionID: exec, CorrelationID: corr,
		Payload: fmt.Appendf(nil, "result:%s:%d:%d", id, exec, corr),
	}
}

func ev(id uint64, kind provobs.EventKind) provobs.Event {
	return provobs.Event{ID: id, Kind: kind, Payload: fmt.Appendf(nil, "event:%d", id)}
}

// sameItem reports whether got carries want's fields (FireAt aside, which a
// provider need not return) and payload bytes (nil and empty are equal).
func sameItem(got, want provobs.WorkItem) bool {
	return got.Kind == want.Kind && got.InstanceID == want.InstanceID &&
		got.ExecutionID == want.ExecutionID && got.CorrelationID == want.CorrelationID &&
		got.SessionID == want.SessionID && bytes.Equal(got.Payload, want.Payload)
}

func describe(w provobs.WorkItem) string {
	p := string(w.Payload)
	if len(p) > 40 {
		p = fmt.Sprintf("<%d bytes>", len(w.Payload))
	}
	return fmt.Sprintf("{%v %q exec=%d corr=%d session=%q payload=%q}", w.Kind, w.InstanceID, w.ExecutionID, w.CorrelationID, w.SessionID, p)
}

// wantItems fails the case unless got is want, in order.
func (h *harness) wantItems(got []provobs.WorkItem, want ...provobs.WorkItem) {
	h.Helper()
	ok := len(got) == len(want)
	for i := 0; ok && i < len(got); i++ {
		ok = sameItem(got[i], want[i])
	}
	if !ok {
		g := make([]string, len(got))
		for i := range got {
			g[i] = describe(got[i])
		}
		w := make([]string, len(want))
		for i := range want {
			w[i] = describe(want[i])
		}
		h.Fatalf("messages:\n got  %v\n want %v", g, w)
	}
}

// wantEvents fails the case unless got has exactly the ids want, in order.
func (h *harness) wantEvents(got []provobs.Event, want ...uint64) {
	h.Helper()
	ids := make([]uint64, len(got))
	for i, e := range got {
		ids[i] = e.ID
	}
	if fmt.Sprint(ids) != fmt.Sprint(want) {
		h.Fatalf("history event ids %v, want %v", ids, want)
	}
}

// ---- orchestrator queue ----

func (h *harness) enqueue(items ...provobs.WorkItem) {
	h.Helper()
	for _, it := range items {
		h.must(h.p.EnqueueOrchestrator(h.ctx(), it, 0), "EnqueueOrchestrator(%s)", describe(it))
	}
}

func (h *harness) enqueueAfter(it provobs.WorkItem, delay time.Duration) {
	h.Helper()
	h.must(h.p.EnqueueOrchestrator(h.ctx(), it, delay), "EnqueueOrchestrator(%s, %v)", describe(it), delay)
}

// fetchWith fetches with opts and fails the case on error.
func (h *harness) fetchWith(opts provobs.FetchOptions) *provobs.OrchestrationItem {
	h.Helper()
	it, err := h.p.FetchOrchestrationItem(h.ctx(), opts)
	h.must(err, "FetchOrchestrationItem")
	return it
}

// fetch fetches with a long lock and no polling.
func (h *harness) fetch() *provobs.OrchestrationItem {
	h.Helper()
	return h.fetchWith(provobs.FetchOptions{LockTimeout: longLock})
}

// fetchOne fetches and fails the case unless it locked instance id.
func (h *harness) fetchOne(id string) *provobs.OrchestrationItem {
	h.Helper()
	return h.wantInstance(h.fetch(), id)
}

func (h *harness) wantInstance(it *provobs.OrchestrationItem, id string) *provobs.OrchestrationItem {
	h.Helper()
	if it == nil {
		h.Fatalf("fetch returned no work, want instance %q", id)
	}
	if it.InstanceID != id {
		h.Fatalf("fetch locked instance %q, want %q", it.InstanceID, id)
	}
	if it.LockToken == "" {
		h.Fatalf("fetch of %q returned an empty lock token", id)
	}
	return it
}

// fetchNone fails the case unless a fetch finds no eligible work.
func (h *harness) fetchNone(why string) {
	h.Helper()
	if it := h.fetch(); it != nil {
		h.Fatalf("%s: fetch locked instance %q with %d messages, want no work", why, it.InstanceID, len(it.Messages))
	}
}

func (h *harness) ack(token string, ack provobs.OrchestrationAck) {
	h.Helper()
	h.must(h.p.AckOrchestrationItem(h.ctx(), token, ack), "AckOrchestrationItem")
}

func (h *harness) abandon(token string, opts provobs.AbandonOptions) {
	h.Helper()
	h.must(h.p.AbandonOrchestrationItem(h.ctx(), token, opts), "AbandonOrchestrationItem")
}

// startAck is the ack of an instance's first turn: it creates the instance
// (execution 1, running) with an OrchestrationStarted event.
func startAck() provobs.OrchestrationAck {
	return provobs.OrchestrationAck{
		ExecutionID:  1,
		HistoryDelta: []provobs.Event{ev(1, provobs.EventOrchestrationStarted)},
		Metadata:     provobs.InstanceMetadata{Name: orchName, Version: orchVersion, Status: provobs.StatusRunning},
	}
}

// startInstance starts instance id the way a runtime does: it enqueues a
// StartOrchestration message, fetches it and acks it with the metadata and
// an OrchestrationStarted event (id 1) in execution 1.
func (h *harness) startInstance(id string) {
	h.Helper()
	h.enqueue(startMsg(id))
	it := h.fetchOne(id)
	h.ack(it.LockToken, startAck())
}

// raise enqueues an external event for id and fetches it: the instance is
// locked on return.
func (h *harness) raise(id string) *provobs.OrchestrationItem {
	h.Helper()
	h.enqueue(eventMsg(id, "raise:"+id))
	return h.fetchOne(id)
}

// schedule runs one turn of instance id (which must have no other visible
// messages) that schedules activities with the given correlation ids in
// execution exec.
func (h *harness) schedule(id string, exec uint64, corrs ...uint64) {
	h.Helper()
	it := h.raise(id)
	ack := provobs.OrchestrationAck{ExecutionID: exec}
	for _, c := range corrs {
		ack.WorkerItems = append(ack.WorkerItems, activity(id, exec, c))
	}
	h.ack(it.LockToken, ack)
}

func (h *harness) history(id string, exec uint64) []provobs.Event {
	h.Helper()
	evs, err := h.p.ReadHistory(h.ctx(), id, exec)
	h.must(err, "ReadHistory(%q, %d)", id, exec)
	return evs
}

// ---- worker queue ----

func (h *harness) enqueueWorker(items ...provobs.WorkItem) {
	h.Helper()
	for _, it := range items {
		h.must(h.p.EnqueueWorker(h.ctx(), it), "EnqueueWorker(%s)", describe(it))
	}
}

func (h *harness) dequeueWith(opts provobs.FetchOptions, s *provobs.SessionConfig) *provobs.WorkerItem {
	h.Helper()
	w, err := h.p.DequeueWorker(h.ctx(), opts, s)
	h.must(err, "DequeueWorker")
	return w
}

// dequeue dequeues with a long lock, no polling and session config s.
func (h *harness) dequeue(s *provobs.SessionConfig) *provobs.WorkerItem {
	h.Helper()
	return h.dequeueWith(provobs.FetchOptions{LockTimeout: longLock}, s)
}

// dequeueOne dequeues and fails the case unless it got an item like want.
func (h *harness) dequeueOne(s *provobs.SessionConfig, want provobs.WorkItem) *provobs.WorkerItem {
	h.Helper()
	return h.wantWorker(h.dequeue(s), want)
}

func (h *harness) wantWorker(w *provobs.WorkerItem, want provobs.WorkItem) *provobs.WorkerItem {
	h.Helper()
	if w == nil {
		h.Fatalf("dequeue returned no work, want %s", describe(want))
	}
	if !sameItem(w.Item, want) {
		h.Fatalf("dequeue returned %s, want %s", describe(w.Item), describe(want))
	}
	if w.LockToken == "" {
		h.Fatalf("dequeue returned an empty lock token")
	}
	return w
}

// dequeueNone fails the case unless a dequeue with s finds no eligible work.
func (h *harness) dequeueNone(s *provobs.SessionConfig, why string) {
	h.Helper()
	if w := h.dequeue(s); w != nil {
		h.Fatalf("%s: dequeue returned %s, want no work", why, describe(w.Item))
	}
}

func (h *harness) ackWorker(token string, c *provobs.WorkItem) {
	h.Helper()
	h.must(h.p.AckWorker(h.ctx(), token, c), "AckWorker")
}

// owner returns a session config for owner with lease.
func owner(id string, lease time.Duration) *provobs.SessionConfig {
	return &provobs.SessionConfig{OwnerID: id, LockTimeout: lease}
}

// ---- admin ----

// admin returns the provider's Admin capability, skipping the case when it
// has none.
func (h *harness) admin() provobs.Admin {
	h.Helper()
	a, ok := h.p.(provobs.Admin)
	if !ok {
		h.Skip("the provider does not implement provobs.Admin")
	}
	return a
}

func (h *harness) depths() provobs.QueueDepths {
	h.Helper()
	d, err := h.admin().QueueDepths(h.ctx())
	h.must(err, "QueueDepths")
	return d
}

func (h *harness) wantDepths(want provobs.QueueDepths, why string) {
	h.Helper()
	if got := h.depths(); got != want {
		h.Fatalf("%s: queue depths %+v, want %+v", why, got, want)
	}
}

func (h *harness) info(id string) *provobs.InstanceInfo {
	h.Helper()
	inf, err := h.admin().InstanceInfo(h.ctx(), id)
	h.must(err, "InstanceInfo(%q)", id)
	return inf
}

// isUUID reports whether s parses as a UUID.
func isUUID(s string) bool {
	_, err := uuid.Parse(s)
	return err == nil
}

// canceledCtx returns a context that is already cancelled.
func canceledCtx() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

// payload returns n bytes of a pattern that covers every byte value.
func payload(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/256)
	}
	return b
}
