package sqlite

import (
	"log/slog"
	"time"

	"github.com/provobs/provobs"
)

// Option configures Open. Options are applied in order; a later option
// overrides an earlier one.
type Option interface {
	apply(*config)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// Synchronous is the SQLite synchronous level of the write connection.
type Synchronous int

const (
	// SynchronousFull fsyncs the write-ahead log on every commit: a
	// committed transaction survives a power loss. This is the default.
	SynchronousFull Synchronous = iota
	// SynchronousNormal fsyncs only at checkpoints: a commit is atomic and
	// the database never corrupts, but the last transactions before a power
	// loss (not a process crash) may roll back. It trades that window for
	// fewer fsyncs and higher commit throughput.
	SynchronousNormal
)

// String returns the PRAGMA value, "FULL" or "NORMAL".
func (s Synchronous) String() string {
	if s == SynchronousNormal {
		return "NORMAL"
	}
	return "FULL"
}

// The defaults of the options.
const (
	// DefaultLockTimeout is the lock duration used when a call asks for
	// zero: the contract's default.
	DefaultLockTimeout = provobs.DefaultLockTimeout
	// DefaultBusyTimeout is how long a connection waits for a lock held by
	// another connection or process.
	DefaultBusyTimeout = 5 * time.Second
	// DefaultMaxBatch is how many write operations one transaction commits
	// at most.
	DefaultMaxBatch = 64

	defaultReadConns = 4
)

type config struct {
	logger      *slog.Logger
	clock       func() time.Time
	sync        Synchronous
	lockTimeout time.Duration
	busyTimeout time.Duration
	maxBatch    int
}

func newConfig(opts []Option) config {
	c := config{
		clock:       time.Now,
		sync:        SynchronousFull,
		lockTimeout: DefaultLockTimeout,
		busyTimeout: DefaultBusyTimeout,
		maxBatch:    DefaultMaxBatch,
	}
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	if c.logger == nil {
		c.logger = slog.New(slog.DiscardHandler)
	}
	if c.clock == nil {
		c.clock = time.Now
	}
	if c.lockTimeout <= 0 {
		c.lockTimeout = DefaultLockTimeout
	}
	if c.busyTimeout < 0 {
		c.busyTimeout = 0
	}
	if c.maxBatch <= 0 {
		c.maxBatch = DefaultMaxBatch
	}
	return c
}

// WithLogger sets the logger for what only the provider sees: migrations
// applied, lock races lost, waits for a busy database and failed batch
// commits. It never logs payloads. (Default: no logging.)
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(c *config) { c.logger = l })
}

// WithClock sets the clock every timestamp (visibility, lock expiry, session
// leases, instance times) is taken from, so tests can control time.
// (Default: time.Now.)
func WithClock(now func() time.Time) Option {
	return optionFunc(func(c *config) { c.clock = now })
}

// WithSynchronous sets the synchronous level of the write connection; see
// Synchronous for the trade-off. (Default: SynchronousFull.)
func WithSynchronous(s Synchronous) Option {
	return optionFunc(func(c *config) { c.sync = s })
}

// WithDefaultLockTimeout sets the lock duration used when FetchOptions,
// SessionConfig or a renew asks for zero; a value <= 0 keeps the default.
// (Default: DefaultLockTimeout, 30s.)
func WithDefaultLockTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) { c.lockTimeout = d })
}

// WithBusyTimeout sets how long a connection waits for a lock held by
// another connection or process (PRAGMA busy_timeout) before the operation
// fails with TypeLockTimeout. (Default: DefaultBusyTimeout, 5s.)
func WithBusyTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) { c.busyTimeout = d })
}

// WithMaxBatch caps how many queued write operations the writer commits in
// one transaction (group commit); a value <= 0 keeps the default.
// (Default: DefaultMaxBatch, 64.)
func WithMaxBatch(n int) Option {
	return optionFunc(func(c *config) { c.maxBatch = n })
}
