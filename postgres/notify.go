package postgres

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/internal/wake"
)

// listener holds the provider's one dedicated LISTEN connection and fans
// its notifications out to the in-process notifiers. It starts with the
// first long poll (a provider that never long-polls holds no extra
// connection) and reconnects with backoff when its connection breaks,
// waking every poller on reconnection since notifications may have been
// missed meanwhile.
type listener struct {
	p      *Provider
	cfg    *pgx.ConnConfig
	orch   *wake.Notifier
	worker *wake.Notifier

	mu      sync.Mutex
	started bool
	ready   chan struct{} // closed once the first LISTEN succeeded or start gave up
	cancel  context.CancelFunc
	exited  chan struct{}
}

func newListener(p *Provider, cfg *pgx.ConnConfig) *listener {
	return &listener{p: p, cfg: cfg.Copy(), orch: wake.New(), worker: wake.New()}
}

// ensure starts the listener if needed and waits (bounded by ctx and a
// short limit) until it listens, so that a poll which then looks for work
// cannot miss a notification sent after its look. If the server cannot be
// reached the poll still works, on the poll-interval fallback.
func (l *listener) ensure(ctx context.Context) {
	l.mu.Lock()
	if !l.started {
		if l.p.closed.Load() {
			l.mu.Unlock()
			return
		}
		l.started = true
		l.ready = make(chan struct{})
		l.exited = make(chan struct{})
		lctx, cancel := context.WithCancel(context.Background())
		l.cancel = cancel
		go l.run(lctx)
	}
	ready := l.ready
	l.mu.Unlock()
	t := time.NewTimer(5 * time.Second)
	defer t.Stop()
	select {
	case <-ready:
	case <-ctx.Done():
	case <-t.C:
	}
}

func (l *listener) stop() {
	l.mu.Lock()
	started := l.started
	l.started = true // no start after stop
	l.mu.Unlock()
	if started && l.cancel != nil {
		l.cancel()
		<-l.exited
	}
	l.orch.Broadcast()
	l.worker.Broadcast()
}

func (l *listener) run(ctx context.Context) {
	defer close(l.exited)
	var once sync.Once
	markReady := func() { once.Do(func() { close(l.ready) }) }
	defer markReady()
	backoff := 50 * time.Millisecond
	log := l.p.cfg.logger
	for ctx.Err() == nil {
		err := l.listen(ctx, func() {
			markReady()
			backoff = 50 * time.Millisecond
			// Anything sent while no connection listened is lost: look again.
			l.orch.Broadcast()
			l.worker.Broadcast()
		})
		if ctx.Err() != nil {
			return
		}
		log.LogAttrs(ctx, slog.LevelWarn, "postgres: notification listener lost its connection; polls fall back to the poll interval until it reconnects",
			slog.String(provobs.KeyError, err.Error()), slog.Duration("retry_in", backoff))
		markReady()
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

// listen connects, LISTENs and dispatches notifications until the
// connection fails or ctx ends.
func (l *listener) listen(ctx context.Context, listening func()) error {
	conn, err := pgx.ConnectConfig(ctx, l.cfg)
	if err != nil {
		return err
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = conn.Close(cctx)
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+l.p.channel); err != nil {
		return err
	}
	listening()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		for _, c := range n.Payload {
			switch c {
			case 'o':
				l.orch.Broadcast()
			case 'w':
				l.worker.Broadcast()
			}
		}
	}
}

// poll runs try until it finds work, fails, or pollTimeout passes, and
// returns what it found (nil for none). try returns its find and, when it
// found nothing, how long until something becomes eligible by itself (a
// delayed message turning visible, a lock or lease expiring; 0 if nothing
// is scheduled), which bounds the wait. A notification from any process
// retries at once; the poll interval retries anyway. With pollTimeout <= 0,
// try runs once.
func poll[T any](p *Provider, ctx context.Context, op provobs.Op, pollTimeout time.Duration, n *wake.Notifier,
	try func(wantNext bool) (got *T, next time.Duration, err error)) (*T, error) {
	if pollTimeout <= 0 {
		got, _, err := try(false)
		return got, err
	}
	p.lis.ensure(ctx)
	deadline := time.Now().Add(pollTimeout)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		wake := n.Wait()
		got, next, err := try(true)
		if err != nil || got != nil {
			return got, err
		}
		wait := time.Until(deadline)
		if wait <= 0 {
			return nil, nil
		}
		wait = min(wait, p.cfg.pollInterval)
		if next > 0 {
			wait = min(wait, next)
		}
		timer.Reset(max(wait, time.Millisecond))
		select {
		case <-wake:
		case <-timer.C:
		case <-ctx.Done():
			return nil, provobs.ContextError(op, ctx.Err())
		case <-p.done:
			return nil, provobs.ClosedError(op, nil)
		}
	}
}

// wake wakes this process's pollers at once after a successful write and
// asks the sender to notify every other process.
func (p *Provider) wake(orch, worker bool) {
	var bits uint32
	if orch {
		p.lis.orch.Broadcast()
		bits |= wakeOrch
	}
	if worker {
		p.lis.worker.Broadcast()
		bits |= wakeWorker
	}
	if bits != 0 {
		p.snd.request(bits)
	}
}

const (
	wakeOrch uint32 = 1 << iota
	wakeWorker
)

// sender NOTIFYs the schema's channel for the writes of this process,
// outside their transactions. A transaction that notifies holds a
// database-wide lock from its pre-commit until its commit record is
// flushed, so writes that notified would commit one at a time; here they
// commit (and group-commit) freely, and one small notifying transaction per
// burst of writes carries the wake-up: requests that arrive while a
// notification is being sent are coalesced into the next one. It uses a
// connection of its own, opened on the first request, so it never takes a
// pool connection from an operation. A notification lost to a failure (or
// to the process dying between commit and notify) costs the other
// processes a poll interval, never work.
type sender struct {
	p       *Provider
	cfg     *pgx.ConnConfig
	channel string
	pending atomic.Uint32
	kick    chan struct{}
	quit    chan struct{}
	exited  chan struct{}
}

func newSender(p *Provider, cfg *pgx.ConnConfig, channel string) *sender {
	c := cfg.Copy()
	c.Tracer = nil // the operations' tracer sees only the operations
	s := &sender{p: p, cfg: c, channel: channel, kick: make(chan struct{}, 1),
		quit: make(chan struct{}), exited: make(chan struct{})}
	go s.run()
	return s
}

func (s *sender) request(bits uint32) {
	s.pending.Or(bits)
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// stop sends what is pending (bounded by a second) and closes the
// connection.
func (s *sender) stop() {
	close(s.quit)
	<-s.exited
}

func (s *sender) run() {
	defer close(s.exited)
	var conn *pgx.Conn
	defer func() {
		if conn != nil {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			_ = conn.Close(ctx)
		}
	}()
	for {
		quitting := false
		select {
		case <-s.kick:
		case <-s.quit:
			quitting = true
		}
		if bits := s.pending.Swap(0); bits != 0 {
			conn = s.send(conn, bits, quitting)
		}
		if quitting {
			return
		}
	}
}

// send notifies once, connecting first if needed; it returns the
// connection to reuse (nil after a failure).
func (s *sender) send(conn *pgx.Conn, bits uint32, quitting bool) *pgx.Conn {
	timeout := 10 * time.Second
	if quitting {
		timeout = time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	payload := ""
	if bits&wakeOrch != 0 {
		payload += "o"
	}
	if bits&wakeWorker != 0 {
		payload += "w"
	}
	var err error
	if conn == nil {
		if conn, err = pgx.ConnectConfig(ctx, s.cfg); err != nil {
			s.p.cfg.logger.LogAttrs(ctx, slog.LevelWarn, "postgres: cannot connect to send wake-ups; other processes fall back to the poll interval",
				slog.String(provobs.KeyError, err.Error()))
			return nil
		}
	}
	if _, err = conn.Exec(ctx, sqlNotify, s.channel, payload); err != nil {
		s.p.cfg.logger.LogAttrs(ctx, slog.LevelWarn, "postgres: sending a wake-up failed; other processes fall back to the poll interval",
			slog.String(provobs.KeyError, err.Error()))
		_ = conn.Close(ctx)
		return nil
	}
	return conn
}

const sqlNotify = `SELECT pg_notify($1, $2)`
