package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/cschleiden/go-workflows/backend"
	gwpostgres "github.com/cschleiden/go-workflows/backend/postgres"
	"github.com/jackc/pgx/v5"

	"github.com/provobs/provobs/postgres"
)

// PostgreSQL comparison: provobs's postgres provider and go-workflows'
// backend/postgres on the same server, each on a fresh store per run (a
// schema for provobs, a database for go-workflows, which has no schema
// option), both at the server's synchronous_commit (checked by
// SynchronousCommit).

// randomName returns prefix plus 12 hex digits.
func randomName(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// withHostPort returns dsn (a postgres:// URL) aimed at addr instead.
func withHostPort(dsn, addr string) (string, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", err
	}
	u.Host = addr
	return u.String(), nil
}

// SynchronousCommit returns the synchronous_commit a new session of dsn
// runs with.
func SynchronousCommit(ctx context.Context, dsn string) (string, error) {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return "", err
	}
	defer func() { _ = conn.Close(ctx) }()
	var v string
	err = conn.QueryRow(ctx, "SHOW synchronous_commit").Scan(&v)
	return v, err
}

// RunProvobsPostgres runs w once on the provobs PostgreSQL provider on a
// fresh schema of dsn, reached through addr (a proxy, or "" for dsn's own
// host), and drops the schema afterwards.
func RunProvobsPostgres(ctx context.Context, dsn, addr string, w Workload) (Sample, error) {
	target := dsn
	if addr != "" {
		var err error
		if target, err = withHostPort(dsn, addr); err != nil {
			return Sample{}, err
		}
	}
	schema := randomName("provobs_bench_")
	defer func() { _ = postgres.DropSchema(context.WithoutCancel(ctx), dsn, schema) }()
	p, err := postgres.Open(ctx, target, postgres.WithSchema(schema))
	if err != nil {
		return Sample{}, err
	}
	defer func() { _ = p.Close() }()
	s, _, err := RunStress(ctx, p, w.StressConfig())
	return s, err
}

// RunGoWorkflowsPostgres runs w once on go-workflows' backend/postgres on a
// fresh database of dsn's server, reached through addr ("" for dsn's own
// host), and drops the database afterwards.
func RunGoWorkflowsPostgres(ctx context.Context, dsn, addr string, w Workload) (Sample, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return Sample{}, err
	}
	if addr == "" {
		addr = u.Host
	}
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return Sample{}, err
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return Sample{}, err
	}
	db := randomName("gw_bench_")
	admin, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return Sample{}, err
	}
	defer func() { _ = admin.Close(context.WithoutCancel(ctx)) }()
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+db); err != nil {
		return Sample{}, err
	}
	defer func() { _, _ = admin.Exec(context.WithoutCancel(ctx), "DROP DATABASE IF EXISTS "+db+" WITH (FORCE)") }()
	pass, _ := u.User.Password()
	quiet := gwpostgres.WithBackendOptions(backend.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	var raw backend.Backend
	func() {
		defer func() {
			if r := recover(); r != nil { // NewPostgresBackend panics on a failed migration
				err = fmt.Errorf("go-workflows postgres backend: %v", r)
			}
		}()
		raw = gwpostgres.NewPostgresBackend(host, port, u.User.Username(), pass, db, quiet)
	}()
	if err != nil {
		return Sample{}, err
	}
	g, err := startGoWorkflows(ctx, raw, nil, nil)
	if err != nil {
		return Sample{}, err
	}
	s, err := g.Run(ctx, w, "gw-")
	return s, joinErr(err, g.Close())
}

func joinErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// Proxy is a TCP proxy that delays every chunk of bytes by half of RTT in
// each direction, so a request and its answer take RTT longer: a database
// across a network, on one machine. Bandwidth is not limited.
type Proxy struct {
	ln     net.Listener
	target string
	oneWay time.Duration
	wg     sync.WaitGroup
	mu     sync.Mutex
	conns  map[net.Conn]bool
}

// NewProxy listens on 127.0.0.1 (a free port) and forwards to target.
func NewProxy(target string, rtt time.Duration) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{ln: ln, target: target, oneWay: rtt / 2, conns: map[net.Conn]bool{}}
	p.wg.Go(p.accept)
	return p, nil
}

// Addr is the proxy's host:port.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Close stops the proxy and closes every connection through it.
func (p *Proxy) Close() error {
	err := p.ln.Close()
	p.mu.Lock()
	for c := range p.conns {
		_ = c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
	return err
}

func (p *Proxy) track(c net.Conn, add bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if add {
		p.conns[c] = true
	} else {
		delete(p.conns, c)
	}
}

func (p *Proxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			_ = c.Close()
			continue
		}
		p.track(c, true)
		p.track(up, true)
		var pair sync.WaitGroup
		pair.Go(func() { p.pipe(up, c) })
		pair.Go(func() { p.pipe(c, up) })
		p.wg.Go(func() {
			pair.Wait()
			p.track(c, false)
			p.track(up, false)
		})
	}
}

type chunk struct {
	at   time.Time
	data []byte
}

// pipe copies src to dst, each chunk delivered oneWay after it was read,
// in order.
func (p *Proxy) pipe(dst, src net.Conn) {
	q := make(chan chunk, 1024)
	var w sync.WaitGroup
	w.Go(func() {
		defer func() { _ = dst.Close() }()
		for ch := range q {
			if d := time.Until(ch.at); d > 0 {
				time.Sleep(d)
			}
			if _, err := dst.Write(ch.data); err != nil {
				for range q { // drain
				}
				return
			}
		}
	})
	buf := make([]byte, 64<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			q <- chunk{at: time.Now().Add(p.oneWay), data: append([]byte(nil), buf[:n]...)}
		}
		if err != nil {
			break
		}
	}
	close(q)
	w.Wait()
	_ = src.Close()
}
