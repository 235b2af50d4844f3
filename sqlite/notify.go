package sqlite

import (
	"context"
	"sync"
	"time"

	"github.com/provobs/provobs"
)

// notifier wakes long-polling fetches. wait returns a channel that is closed
// by the next broadcast; a broadcast closes it and installs a fresh one. A
// poller takes the channel before it looks for work, so a commit that lands
// between its look and its wait still wakes it.
type notifier struct {
	mu    sync.Mutex
	ch    chan struct{}
	armed bool // someone holds ch; a broadcast without waiters allocates nothing
}

func newNotifier() *notifier { return &notifier{ch: make(chan struct{})} }

func (n *notifier) wait() <-chan struct{} {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.armed = true
	return n.ch
}

func (n *notifier) broadcast() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if !n.armed {
		return
	}
	close(n.ch)
	n.ch = make(chan struct{})
	n.armed = false
}

// Which notifiers a committed write wakes.
type wakeMask uint8

const (
	wakeOrch wakeMask = 1 << iota
	wakeWorker
)

// poll runs try until it finds work, fails, or pollTimeout passes. try
// returns whether it found work and, when it did not, the earliest known
// future visibility (zero if none), which bounds the wait. A commit that
// wakes n retries at once. With pollTimeout <= 0, try runs once.
func (p *Provider) poll(ctx context.Context, op provobs.Op, pollTimeout time.Duration, n *notifier,
	try func() (found bool, next time.Time, err error)) error {
	var deadline time.Time
	if pollTimeout > 0 {
		deadline = time.Now().Add(pollTimeout)
	}
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		var wake <-chan struct{}
		if pollTimeout > 0 {
			wake = n.wait()
		}
		found, next, err := try()
		if err != nil || found || pollTimeout <= 0 {
			return err
		}
		wait := time.Until(deadline)
		if wait <= 0 {
			return nil
		}
		if !next.IsZero() {
			if d := next.Sub(p.cfg.clock()); d < wait {
				wait = max(d, time.Millisecond)
			}
		}
		if timer == nil {
			timer = time.NewTimer(wait)
		} else {
			timer.Reset(wait)
		}
		select {
		case <-wake:
		case <-timer.C:
		case <-ctx.Done():
			return canceledErr(op, ctx.Err())
		case <-p.w.closing:
			return closedErr(op)
		}
	}
}
