package provobs

import "sync"

// MaxRememberedTokens caps how many lock tokens a chained provider remembers
// to name the instance of ack, abandon and renew calls by token. A token is
// forgotten when its ack or abandon ends the lock; beyond the cap the oldest
// token is forgotten first, so a caller that never acks cannot grow the
// memory (about 100 bytes a token) without bound.
const MaxRememberedTokens = 4096

// tokenMemory maps the lock tokens issued by fetch and dequeue through one
// chain to their instances, forgetting the oldest beyond its cap.
type tokenMemory struct {
	mu   sync.Mutex
	ids  map[string]string
	ring []string // tokens in issue order; ring[next] is the oldest once full
	next int
}

func newTokenMemory(limit int) *tokenMemory {
	return &tokenMemory{ids: make(map[string]string), ring: make([]string, limit)}
}

func (m *tokenMemory) remember(token, instance string) {
	if token == "" || instance == "" {
		return
	}
	m.mu.Lock()
	if old := m.ring[m.next]; old != "" {
		delete(m.ids, old) // a no-op when the token was already forgotten
	}
	m.ring[m.next] = token
	m.next = (m.next + 1) % len(m.ring)
	m.ids[token] = instance
	m.mu.Unlock()
}

func (m *tokenMemory) lookup(token string) string {
	m.mu.Lock()
	id := m.ids[token]
	m.mu.Unlock()
	return id
}

// take returns the instance of token and forgets it, in one lock.
func (m *tokenMemory) take(token string) string {
	m.mu.Lock()
	id, ok := m.ids[token]
	if ok {
		delete(m.ids, token)
	}
	m.mu.Unlock()
	return id
}

// restore remembers token again after take, for a call that may be retried.
// The token keeps its place in issue order.
func (m *tokenMemory) restore(token, instance string) {
	if instance == "" {
		return
	}
	m.mu.Lock()
	m.ids[token] = instance
	m.mu.Unlock()
}

// len returns how many tokens are remembered.
func (m *tokenMemory) len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.ids)
}
