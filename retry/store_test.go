package retry_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/provobs/provobs"
)

// store is what the tests drive: a provider with the Admin capability.
type store interface {
	provobs.Provider
	provobs.Admin
}

// newStore returns an empty store for one test.
func newStore(t *testing.T) store {
	t.Helper()
	return &memStore{history: map[string][]provobs.Event{}, sessions: map[string]string{}}
}

// memStore is a small in-memory provider used until the SQLite provider
// builds; it keeps just enough of the contract for every operation to do
// real work.
type memStore struct {
	mu       sync.Mutex
	seq      int
	orch     []memMsg
	worker   []memMsg
	history  map[string][]provobs.Event
	sessions map[string]string // session id -> owner
}

type memMsg struct {
	item    provobs.WorkItem
	visible time.Time
	token   string
}

func (s *memStore) token() string { s.seq++; return "tok-" + strconv.Itoa(s.seq) }

func (s *memStore) FetchOrchestrationItem(_ context.Context, _ provobs.FetchOptions) (*provobs.OrchestrationItem, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	for _, m := range s.orch {
		if m.token != "" || m.visible.After(now) {
			continue
		}
		it := &provobs.OrchestrationItem{InstanceID: m.item.InstanceID, LockToken: s.token(), AttemptCount: 1}
		for i := range s.orch {
			if s.orch[i].item.InstanceID == it.InstanceID && s.orch[i].token == "" && !s.orch[i].visible.After(now) {
				s.orch[i].token = it.LockToken
				it.Messages = append(it.Messages, s.orch[i].item)
			}
		}
		it.History = s.history[it.InstanceID]
		return it, nil
	}
	return nil, nil
}

func (s *memStore) locked(q []memMsg, token string) int {
	for i, m := range q {
		if token != "" && m.token == token {
			return i
		}
	}
	return -1
}

func lockLost(op provobs.Op) error { return provobs.NewError(op, provobs.TypeLockLost, nil) }

func (s *memStore) AckOrchestrationItem(_ context.Context, token string, ack provobs.OrchestrationAck) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.locked(s.orch, token)
	if i < 0 {
		return lockLost(provobs.OpAckOrch)
	}
	inst := s.orch[i].item.InstanceID
	kept := s.orch[:0]
	for _, m := range s.orch {
		if m.token != token {
			kept = append(kept, m)
		}
	}
	s.orch = kept
	s.history[inst] = append(s.history[inst], ack.HistoryDelta...)
	for _, w := range ack.WorkerItems {
		s.worker = append(s.worker, memMsg{item: w})
	}
	for _, o := range ack.OrchestratorItems {
		s.orch = append(s.orch, memMsg{item: o, visible: o.FireAt})
	}
	return nil
}

func (s *memStore) release(q []memMsg, token string, op provobs.Op, delay time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.locked(q, token) < 0 {
		return lockLost(op)
	}
	for i := range q {
		if q[i].token == token {
			q[i].token, q[i].visible = "", time.Now().Add(delay)
		}
	}
	return nil
}

func (s *memStore) check(q []memMsg, token string, op provobs.Op) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.locked(q, token) < 0 {
		return lockLost(op)
	}
	return nil
}

func (s *memStore) AbandonOrchestrationItem(_ context.Context, token string, o provobs.AbandonOptions) error {
	return s.release(s.orch, token, provobs.OpAbandonOrch, o.Delay)
}

func (s *memStore) RenewOrchestrationItemLock(_ context.Context, token string, _ time.Duration) error {
	return s.check(s.orch, token, provobs.OpRenewOrch)
}

func (s *memStore) EnqueueOrchestrator(_ context.Context, item provobs.WorkItem, delay time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.orch = append(s.orch, memMsg{item: item, visible: time.Now().Add(delay)})
	return nil
}

func (s *memStore) EnqueueWorker(_ context.Context, item provobs.WorkItem) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.worker = append(s.worker, memMsg{item: item})
	return nil
}

func (s *memStore) DequeueWorker(_ context.Context, _ provobs.FetchOptions, sc *provobs.SessionConfig) (*provobs.WorkerItem, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, m := range s.worker {
		if m.token != "" || m.visible.After(time.Now()) || (sc == nil && m.item.SessionID != "") {
			continue
		}
		if sid := m.item.SessionID; sid != "" {
			if owner, ok := s.sessions[sid]; ok && owner != sc.OwnerID {
				continue
			}
			s.sessions[sid] = sc.OwnerID
		}
		s.worker[i].token = s.token()
		return &provobs.WorkerItem{Item: m.item, LockToken: s.worker[i].token, AttemptCount: 1}, nil
	}
	return nil, nil
}

func (s *memStore) AckWorker(_ context.Context, token string, completion *provobs.WorkItem) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.locked(s.worker, token)
	if i < 0 {
		return lockLost(provobs.OpAckWorker)
	}
	s.worker = append(s.worker[:i], s.worker[i+1:]...)
	if completion != nil {
		s.orch = append(s.orch, memMsg{item: *completion})
	}
	return nil
}

func (s *memStore) AbandonWorker(_ context.Context, token string, o provobs.AbandonOptions) error {
	return s.release(s.worker, token, provobs.OpAbandonWorker, o.Delay)
}

func (s *memStore) RenewWorkerLock(_ context.Context, token string, _ time.Duration) error {
	return s.check(s.worker, token, provobs.OpRenewWorker)
}

func (s *memStore) RenewSessionLock(_ context.Context, owners []string, _, _ time.Duration) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, owner := range s.sessions {
		for _, o := range owners {
			if o == owner {
				n++
			}
		}
	}
	return n, nil
}

func (s *memStore) CleanupOrphanedSessions(context.Context, time.Duration) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for sid := range s.sessions {
		busy := false
		for _, m := range s.worker {
			busy = busy || m.item.SessionID == sid
		}
		if !busy {
			delete(s.sessions, sid)
			n++
		}
	}
	return n, nil
}

func (s *memStore) ReadHistory(_ context.Context, instance string, _ uint64) ([]provobs.Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]provobs.Event(nil), s.history[instance]...), nil
}

func (s *memStore) QueueDepths(context.Context) (provobs.QueueDepths, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var d provobs.QueueDepths
	now := time.Now()
	for _, m := range s.orch {
		switch {
		case m.visible.After(now):
			d.Timer++
		case m.token == "":
			d.Orchestrator++
		}
	}
	for _, m := range s.worker {
		if m.token == "" {
			d.Worker++
		}
	}
	return d, nil
}

func (s *memStore) ListInstances(context.Context, provobs.ListOptions) ([]provobs.InstanceInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []provobs.InstanceInfo
	for id := range s.history {
		out = append(out, provobs.InstanceInfo{InstanceID: id})
	}
	return out, nil
}

func (s *memStore) InstanceInfo(_ context.Context, id string) (*provobs.InstanceInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.history[id]; !ok {
		return nil, nil
	}
	return &provobs.InstanceInfo{InstanceID: id}, nil
}
