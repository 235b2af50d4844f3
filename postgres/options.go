package postgres

import (
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/provobs/provobs"
)

// Option configures Open. Options are applied in order; a later option
// overrides an earlier one.
type Option interface {
	apply(*config)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// The defaults of the options.
const (
	// DefaultSchema is the schema the store lives in unless WithSchema
	// names another.
	DefaultSchema = "provobs"
	// DefaultLockTimeout is the lock duration used when a call asks for
	// zero: the contract's default.
	DefaultLockTimeout = provobs.DefaultLockTimeout
	// DefaultMaxConns is the pool size when neither WithMaxConns nor the
	// DSN's pool_max_conns sets one. A runtime's dispatchers each keep a
	// fetch in flight beside an ack, so pgxpool's own default (4 on a small
	// machine) makes operations queue for a connection.
	DefaultMaxConns = 16
	// DefaultPollInterval is how often a long poll looks for work on its own,
	// in case a notification was lost.
	DefaultPollInterval = time.Second

	// maxSchemaLen keeps "provobs_<schema>", the notification channel,
	// within PostgreSQL's 63-byte identifiers.
	maxSchemaLen = 55
)

type config struct {
	schema       string
	logger       *slog.Logger
	lockTimeout  time.Duration
	pollInterval time.Duration
	maxConns     int32
	poolConfig   func(*pgxpool.Config)
}

func newConfig(opts []Option) config {
	c := config{
		schema:       DefaultSchema,
		lockTimeout:  DefaultLockTimeout,
		pollInterval: DefaultPollInterval,
	}
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	if c.logger == nil {
		c.logger = slog.New(slog.DiscardHandler)
	}
	if c.lockTimeout <= 0 {
		c.lockTimeout = DefaultLockTimeout
	}
	if c.pollInterval <= 0 {
		c.pollInterval = DefaultPollInterval
	}
	return c
}

// WithSchema names the PostgreSQL schema that holds the store: its tables,
// functions and notification channel. Open creates it when missing. Give
// each tenant or test its own schema to isolate it. The name is at most 55
// bytes. (Default: DefaultSchema, "provobs".)
func WithSchema(name string) Option {
	return optionFunc(func(c *config) { c.schema = name })
}

// WithLogger sets the logger for what only the provider sees: migrations
// applied and the notification listener losing or regaining its
// connection. It never logs payloads. (Default: no logging.)
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(c *config) { c.logger = l })
}

// WithDefaultLockTimeout sets the lock duration used when FetchOptions,
// SessionConfig or a renew asks for zero; a value <= 0 keeps the default.
// (Default: DefaultLockTimeout, 30s.)
func WithDefaultLockTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) { c.lockTimeout = d })
}

// WithPollInterval sets how often a long poll looks for work without being
// notified: the fallback that bounds the latency a lost notification (or a
// connection pooler that drops LISTEN) can add. A value <= 0 keeps the
// default. (Default: DefaultPollInterval, 1s.)
func WithPollInterval(d time.Duration) Option {
	return optionFunc(func(c *config) { c.pollInterval = d })
}

// WithMaxConns caps the connection pool; n <= 0 keeps the default. The
// notification listener uses one more connection of its own. (Default: the
// DSN's pool_max_conns, else DefaultMaxConns, 16.)
func WithMaxConns(n int) Option {
	return optionFunc(func(c *config) { c.maxConns = int32(min(max(n, 0), 1<<30)) })
}

// WithPoolConfig lets the caller adjust the parsed pool configuration
// before the pool is created: TLS, a tracer, a dialer, connection limits.
// The provider sets search_path to its schema afterwards. (Default: none.)
func WithPoolConfig(fn func(*pgxpool.Config)) Option {
	return optionFunc(func(c *config) { c.poolConfig = fn })
}
