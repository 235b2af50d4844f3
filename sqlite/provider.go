package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/internal/wake"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// MemoryPath opens an isolated in-memory store: every Provider opened with
// it has its own database, gone when the Provider is closed.
const MemoryPath = ":memory:"

var (
	_ provobs.Provider = (*Provider)(nil)
	_ provobs.Admin    = (*Provider)(nil)
)

// Provider is the SQLite provider. It implements provobs.Provider and
// provobs.Admin, is safe for concurrent use, and must be closed with Close.
type Provider struct {
	cfg  config
	path string

	writeDB *sql.DB // one connection, owned by the writer goroutine
	readDB  *sql.DB // read-only pool; nil for an in-memory store
	reads   sync.Map

	w      *writer
	watch  *changeWatcher // nil for an in-memory store
	closed atomic.Bool
	// Set when the last fetch (dequeue) through the writer found nothing:
	// the next one first looks on the read pool.
	orchIdle, workerIdle atomic.Bool
	once                 sync.Once
	err                  error
}

// Open opens (creating it if needed) the SQLite database at path, brings its
// schema to SchemaVersion and starts the writer. A new file is created with
// mode 0600 and uses WAL journaling. path MemoryPath (":memory:") opens an
// isolated in-memory store.
//
// A file that is not a SQLite database, or is corrupt, fails with an error
// wrapping ErrNotDatabase; a file written by a newer schema fails with a
// *SchemaVersionError. ctx bounds the opening and migration only.
func Open(ctx context.Context, path string, opts ...Option) (*Provider, error) {
	cfg := newConfig(opts)
	p := &Provider{cfg: cfg, path: path}
	memory := path == MemoryPath
	if !memory {
		if path == "" {
			return nil, errors.New("sqlite: empty database path")
		}
		abs, err := filepath.Abs(path)
		if err != nil {
			return nil, fmt.Errorf("sqlite: %w", err)
		}
		p.path = abs
		if err := createFile(abs); err != nil {
			return nil, err
		}
	}

	writeDB, err := sql.Open("sqlite", p.dsn(memory, false))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", p.path, err)
	}
	writeDB.SetMaxOpenConns(1)
	writeDB.SetMaxIdleConns(1)
	writeDB.SetConnMaxLifetime(0)
	writeDB.SetConnMaxIdleTime(0)
	p.writeDB = writeDB
	fail := func(err error) (*Provider, error) {
		_ = writeDB.Close()
		if p.readDB != nil {
			_ = p.readDB.Close()
		}
		if isNotDatabase(err) {
			return nil, fmt.Errorf("sqlite: open %s: %w: %w", p.path, ErrNotDatabase, err)
		}
		var sv *SchemaVersionError
		if errors.As(err, &sv) {
			return nil, err
		}
		return nil, fmt.Errorf("sqlite: open %s: %w", p.path, err)
	}

	conn, err := writeDB.Conn(ctx)
	if err != nil {
		return fail(err)
	}
	if err := checkVersion(ctx, conn, p.path); err != nil {
		_ = conn.Close()
		return fail(err)
	}
	if !memory {
		var mode string
		if err := conn.QueryRowContext(ctx, "PRAGMA journal_mode=WAL").Scan(&mode); err != nil {
			_ = conn.Close()
			return fail(err)
		}
		if mode != "wal" {
			_ = conn.Close()
			return fail(fmt.Errorf("journal mode is %q, want wal", mode))
		}
	}
	if err := migrate(ctx, conn, p.path, cfg.clock, cfg.logger); err != nil {
		_ = conn.Close()
		return fail(err)
	}

	if !memory {
		readDB, err := sql.Open("sqlite", p.dsn(false, true))
		if err != nil {
			_ = conn.Close()
			return fail(err)
		}
		readDB.SetMaxOpenConns(defaultReadConns)
		readDB.SetMaxIdleConns(defaultReadConns)
		p.readDB = readDB
		if err := readDB.PingContext(ctx); err != nil {
			_ = conn.Close()
			return fail(err)
		}
	}

	p.w = &writer{
		conn:      conn,
		stmts:     make(map[string]*stmt),
		reqs:      make(chan *request),
		closing:   make(chan struct{}),
		exited:    make(chan struct{}),
		maxBatch:  cfg.maxBatch,
		relaxSync: !memory && cfg.sync == SynchronousFull,
		clock:     cfg.clock,
		log:       cfg.logger,
		orch:      wake.New(),
		worker:    wake.New(),
	}
	if !memory {
		p.watch = &changeWatcher{p: p}
	}
	go p.w.loop()
	return p, nil
}

// createFile creates a missing database file with mode 0600, so SQLite
// (which gives its WAL and shared-memory files the database's mode) never
// creates a world-readable store.
func createFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("sqlite: create %s: %w", path, err)
	}
	return f.Close()
}

// dsn builds the data source name of the write connection or of a read
// connection.
func (p *Provider) dsn(memory, read bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout("+strconv.FormatInt(p.cfg.busyTimeout.Milliseconds(), 10)+")")
	if read {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Add("_pragma", "synchronous("+p.cfg.sync.String()+")")
	}
	q.Add("_pragma", "temp_store(MEMORY)")
	if memory {
		// A single connection to a private in-memory database: isolated
		// from every other Provider without a shared cache.
		return ":memory:?" + q.Encode()
	}
	u := url.URL{Scheme: "file", Path: p.path, RawQuery: q.Encode()}
	return u.String()
}

// Close stops the writer (after the batch it is running), wakes every long
// poll, and closes the connections. Every later call fails with
// TypeClosed. Close is idempotent and returns the first close's error.
func (p *Provider) Close() error {
	p.once.Do(func() {
		p.closed.Store(true)
		close(p.w.closing)
		<-p.w.exited
		p.watch.close()
		p.w.closeStmts()
		var errs []error
		errs = append(errs, p.w.conn.Close(), p.writeDB.Close())
		if p.readDB != nil {
			p.reads.Range(func(k, v any) bool {
				_ = v.(*sql.Stmt).Close()
				return true
			})
			errs = append(errs, p.readDB.Close())
		}
		p.err = errors.Join(errs...)
	})
	return p.err
}

// queryer is what a read function needs: the read pool of a file store or,
// for an in-memory store, the writer's transaction.
type queryer interface {
	query(query string, args ...any) (*sql.Rows, error)
	queryRow(query string, args ...any) row
}

// reader runs reads on the read pool with the caller's context.
type reader struct {
	p   *Provider
	ctx context.Context
}

func (r reader) stmt(query string) (*sql.Stmt, error) {
	if s, ok := r.p.reads.Load(query); ok {
		return s.(*sql.Stmt), nil
	}
	s, err := r.p.readDB.PrepareContext(r.ctx, query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := r.p.reads.LoadOrStore(query, s); loaded {
		_ = s.Close()
		return prev.(*sql.Stmt), nil
	}
	return s, nil
}

func (r reader) query(query string, args ...any) (*sql.Rows, error) {
	s, err := r.stmt(query)
	if err != nil {
		return nil, err
	}
	return s.QueryContext(r.ctx, args...)
}

func (r reader) queryRow(query string, args ...any) row {
	s, err := r.stmt(query)
	if err != nil {
		return row{err: err}
	}
	return row{r: s.QueryRowContext(r.ctx, args...)}
}

// read runs fn against a consistent view: the read pool for a file store
// (WAL lets it run beside the writer), or the writer for an in-memory store,
// whose single connection is the database.
func (p *Provider) read(ctx context.Context, op provobs.Op, fn func(q queryer, now int64) error) error {
	if err := provobs.ValidateCall(ctx, op, p.closed.Load()); err != nil {
		return err
	}
	if p.readDB == nil {
		return p.submit(ctx, op, func(t *wtx) error {
			return fn(t, t.nowNanos())
		}, nil)
	}
	err := fn(reader{p: p, ctx: ctx}, toNanos(p.cfg.clock()))
	if err == nil {
		return nil
	}
	if p.closed.Load() {
		return provobs.ClosedError(op, err)
	}
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		// The driver says "interrupted": the context says why.
		err = fmt.Errorf("%w: %w", cerr, err)
	}
	return classify(op, err)
}
