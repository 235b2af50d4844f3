package sqlite

import (
	"context"
	"database/sql"
	"log/slog"
	"sync"
	"time"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/internal/store"
	"github.com/provobs/provobs/internal/wake"
)

// Which notifiers a committed write wakes.
type wakeMask uint8

const (
	wakeOrch wakeMask = 1 << iota
	wakeWorker
)

// poll runs try until it finds work, fails, or pollTimeout passes, and
// returns what it found (nil for none). try returns its find and, when it
// found nothing, the earliest known future visibility (zero if none),
// which bounds the wait. A commit that wakes n retries at once. With
// pollTimeout <= 0, try runs once.
func poll[T any](p *Provider, ctx context.Context, op provobs.Op, pollTimeout time.Duration, n *wake.Notifier,
	try func() (got *T, next time.Time, err error)) (*T, error) {
	var deadline time.Time
	if pollTimeout > 0 {
		deadline = time.Now().Add(pollTimeout)
	}
	if pollTimeout > 0 {
		// Registered before the first look, so a commit by another
		// process after that look is seen.
		p.watch.enter()
		defer p.watch.leave()
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
			wake = n.Wait()
		}
		got, next, err := try()
		if err != nil || got != nil || pollTimeout <= 0 {
			return got, err
		}
		wait := time.Until(deadline)
		if wait <= 0 {
			return nil, nil
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
			return nil, provobs.ContextError(op, ctx.Err())
		case <-p.w.closing:
			return nil, provobs.ClosedError(op, nil)
		}
	}
}

// externalCheck is how often a file store checks for commits by other
// connections (another process, or another Provider on the same file)
// while a long poll waits.
const externalCheck = 50 * time.Millisecond

// changeWatcher wakes the long polls of a file store when another
// connection commits. While at least one poll waits, one goroutine reads
// PRAGMA data_version on a read connection every externalCheck and, when it
// changed, wakes every poll, which then looks again. Nothing runs while
// nobody waits. (This store's own commits change it too; the extra look
// that costs is a read beside the writer.)
type changeWatcher struct {
	p       *Provider
	mu      sync.Mutex
	waiters int
	stop    chan struct{}
	wg      sync.WaitGroup
}

// enter registers a waiting poll, starting the watch for the first one.
// It reads the baseline before it returns, so a commit after enter is
// seen. A nil watcher (an in-memory store) does nothing.
func (c *changeWatcher) enter() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.waiters++
	if c.waiters > 1 || c.p.closed.Load() {
		return
	}
	conn, err := c.p.readDB.Conn(bg)
	var base int64
	if err == nil {
		err = conn.QueryRowContext(bg, "PRAGMA data_version").Scan(&base)
	}
	if err != nil {
		if conn != nil {
			_ = conn.Close()
		}
		c.p.cfg.logger.LogAttrs(bg, slog.LevelWarn, "sqlite: cannot watch for commits by other processes; long polls see them at their timeout",
			slog.Any(provobs.KeyError, err))
		return
	}
	c.stop = make(chan struct{})
	c.wg.Add(1)
	go c.run(conn, base, c.stop)
}

// leave unregisters a poll, stopping the watch after the last one.
func (c *changeWatcher) leave() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.waiters--
	if c.waiters == 0 && c.stop != nil {
		close(c.stop)
		c.stop = nil
	}
}

// close waits for the watch goroutine; the provider is closed, so no new
// one starts.
func (c *changeWatcher) close() {
	if c == nil {
		return
	}
	c.mu.Lock() // orders this after any enter that saw the store open
	c.mu.Unlock()
	c.wg.Wait()
}

func (c *changeWatcher) run(conn *sql.Conn, base int64, stop <-chan struct{}) {
	defer c.wg.Done()
	defer conn.Close()
	tick := time.NewTicker(externalCheck)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-c.p.w.closing:
			return
		case <-tick.C:
		}
		var v int64
		if err := conn.QueryRowContext(bg, "PRAGMA data_version").Scan(&v); err != nil {
			c.p.cfg.logger.LogAttrs(bg, slog.LevelWarn, "sqlite: stopped watching for commits by other processes",
				slog.Any(provobs.KeyError, err))
			return
		}
		if v != base {
			base = v
			c.p.w.orch.Broadcast()
			c.p.w.worker.Broadcast()
		}
	}
}

// nextVisible reads the time from sqlNextVisible (or the worker queue's
// equivalent): zero when nothing is due later.
func nextVisible(q queryer, query string, now int64) (time.Time, error) {
	var n sql.NullInt64
	err := q.queryRow(query, now).Scan(&n)
	return store.FromNanos(n.Int64), err
}
