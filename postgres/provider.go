package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/provobs/provobs"
)

var (
	_ provobs.Provider = (*Provider)(nil)
	_ provobs.Admin    = (*Provider)(nil)
)

// Provider is the PostgreSQL provider. It implements provobs.Provider and
// provobs.Admin, is safe for concurrent use by many goroutines and, through
// the shared database, by many processes; it must be closed with Close.
type Provider struct {
	cfg     config
	pool    *pgxpool.Pool
	channel string // the NOTIFY channel of the schema, as an identifier

	lis    *listener
	snd    *sender
	closed atomic.Bool
	done   chan struct{} // closed by Close: wakes every long poll
	once   sync.Once
	err    error
}

// Open connects to the PostgreSQL server at dsn (a URL such as
// "postgres://user@host:5432/db?sslmode=disable" or a key=value string, as
// pgxpool.ParseConfig accepts), creates the schema named by WithSchema when
// it is missing and brings it to SchemaVersion. Migrations run one
// transaction each under a transaction-scoped advisory lock, so any number
// of processes may open the same schema at once. A schema written by a
// newer version fails with a *SchemaVersionError. ctx bounds the opening
// and migration only.
func Open(ctx context.Context, dsn string, opts ...Option) (*Provider, error) {
	cfg := newConfig(opts)
	if cfg.schema == "" || len(cfg.schema) > maxSchemaLen {
		return nil, fmt.Errorf("postgres: schema name %q must be 1 to %d bytes", cfg.schema, maxSchemaLen)
	}
	for _, r := range cfg.schema {
		if r == 0 {
			return nil, errors.New("postgres: schema name contains a NUL byte")
		}
	}
	pc, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: parse dsn: %w", err)
	}
	switch {
	case cfg.maxConns > 0:
		pc.MaxConns = cfg.maxConns
	case !strings.Contains(dsn, "pool_max_conns"):
		pc.MaxConns = DefaultMaxConns
	}
	if cfg.poolConfig != nil {
		cfg.poolConfig(pc)
	}
	pc.ConnConfig.RuntimeParams["search_path"] = pgx.Identifier{cfg.schema}.Sanitize()
	if pc.ConnConfig.RuntimeParams["application_name"] == "" {
		pc.ConnConfig.RuntimeParams["application_name"] = "provobs"
	}
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if err := migrate(ctx, pool, cfg.schema, cfg.logger); err != nil {
		pool.Close()
		return nil, err
	}
	p := &Provider{
		cfg:     cfg,
		pool:    pool,
		channel: pgx.Identifier{"provobs_" + cfg.schema}.Sanitize(),
		done:    make(chan struct{}),
	}
	p.lis = newListener(p, pc.ConnConfig)
	p.snd = newSender(p, pc.ConnConfig, "provobs_"+cfg.schema)
	return p, nil
}

// Close wakes every long poll, stops the notification listener and closes
// the pool (waiting for the connections in use to be returned). Every later
// call fails with TypeClosed. Close is idempotent.
func (p *Provider) Close() error {
	p.once.Do(func() {
		p.closed.Store(true)
		close(p.done)
		p.lis.stop()
		p.snd.stop()
		p.pool.Close()
	})
	return p.err
}

// fail classifies err for op, as closed when the provider was closed
// meanwhile.
func (p *Provider) fail(ctx context.Context, op provobs.Op, err error) error {
	if err == nil {
		return nil
	}
	if p.closed.Load() {
		if _, ok := errors.AsType[*provobs.Error](err); !ok {
			return provobs.ClosedError(op, err)
		}
	}
	return classify(ctx, op, err)
}

// statementLimit bounds a write statement once it is sent (see row).
const statementLimit = time.Minute

// row runs one write statement (one round trip) for op and scans its row.
// The caller's ctx bounds the wait for a pool connection; once the
// statement is sent it runs to its end (bounded by statementLimit), not
// cancelled with ctx: cancelling mid-flight can drop the connection after
// the server committed, and the caller would be told "canceled" about a
// write that happened. So a call either reports the write it made or fails
// having changed nothing.
func (p *Provider) row(ctx context.Context, op provobs.Op, sql string, args []any, dest ...any) error {
	c, err := p.pool.Acquire(ctx)
	if err != nil {
		return p.fail(ctx, op, err)
	}
	defer c.Release()
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), statementLimit)
	defer cancel()
	if err := c.QueryRow(sctx, sql, args...).Scan(dest...); err != nil {
		return p.fail(ctx, op, err)
	}
	return nil
}

// exec runs one write statement for op, as row does.
func (p *Provider) exec(ctx context.Context, op provobs.Op, sql string, args ...any) error {
	c, err := p.pool.Acquire(ctx)
	if err != nil {
		return p.fail(ctx, op, err)
	}
	defer c.Release()
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), statementLimit)
	defer cancel()
	_, err = c.Exec(sctx, sql, args...)
	return p.fail(ctx, op, err)
}

// byToken calls one of the store's by-token functions, which answer false
// when the token is unknown, expired or already used.
func (p *Provider) byToken(ctx context.Context, op provobs.Op, sql string, args ...any) error {
	var ok bool
	if err := p.row(ctx, op, sql, args, &ok); err != nil {
		return err
	}
	if !ok {
		return provobs.LockLostError(op)
	}
	return nil
}
