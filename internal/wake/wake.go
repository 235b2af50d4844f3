// Package wake holds the in-process wake-up of long polls that both
// providers use: a Notifier whose Wait channel the next Broadcast closes.
package wake

import "sync"

// Notifier wakes long-polling fetches. Wait returns a channel that the next
// Broadcast closes; Broadcast then installs a fresh one. A poller takes the
// channel before it looks for work, so a commit that lands between its look
// and its wait still wakes it. A Broadcast with no waiter allocates nothing.
// It is safe for concurrent use; create it with New.
type Notifier struct {
	mu    sync.Mutex
	ch    chan struct{}
	armed bool // someone holds ch
}

// New returns a Notifier with no waiter.
func New() *Notifier { return &Notifier{ch: make(chan struct{})} }

// Wait returns the channel the next Broadcast closes.
func (n *Notifier) Wait() <-chan struct{} {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.armed = true
	return n.ch
}

// Broadcast wakes every holder of the current Wait channel.
func (n *Notifier) Broadcast() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if !n.armed {
		return
	}
	close(n.ch)
	n.ch = make(chan struct{})
	n.armed = false
}
