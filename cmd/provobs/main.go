// Command provobs runs the stress workload on an embedded SQLite provider
// (or on PostgreSQL, with -db postgres://...) through the full
// observability chain and prints a summary.
//
//	go run ./cmd/provobs            # the defaults: 20 concurrent, 10s, 5 activities of 10ms
//	go run ./cmd/provobs -db 'postgres://root@127.0.0.1:5432/test?sslmode=disable'  # on PostgreSQL
//	go run ./cmd/provobs -help      # every flag
//	go run ./cmd/provobs -compare   # bare provider vs full chain, same workload
//
// With no flags it creates a SQLite file in a new temporary directory, builds
// the chain (spans, retries, redacted logs in the per-environment format,
// VictoriaMetrics metrics), serves /metrics on 127.0.0.1:9464 while it runs
// (the provider series, and the go_* and process_* series of any Go
// service; -base-units names the histograms in seconds, -linger keeps
// serving the final values after the summary, -push-url pushes them;
// -metrics otel records OpenTelemetry metrics through package otelmetrics
// instead and serves the OpenTelemetry Prometheus exporter's output),
// shows a live progress line, and ends with throughput, latency percentiles,
// per-operation latency from the histograms, error and retry counts and the
// final queue depths. It exits 0 when every orchestration completed, 1 when
// any failed or the run could not be carried out, and 2 on a usage error.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	vm "github.com/VictoriaMetrics/metrics"
	"github.com/google/uuid"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/internal/term"
	"github.com/provobs/provobs/postgres"
	"github.com/provobs/provobs/sqlite"
	"github.com/provobs/provobs/stress"
)

func main() {
	vm.ExposeMetadata(true) // type the go_* and process_* series too
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is the command, with its streams given so tests can run it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	stderr = &syncWriter{w: stderr}
	o, err := parseOptions(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "provobs:", err)
		return 2
	}
	if !o.compare {
		rep, stopServer, err := runOnce(ctx, o, stderr)
		if err != nil {
			fmt.Fprintln(stderr, "provobs:", err)
			return 1
		}
		defer stopServer()
		rep.write(stdout)
		linger(ctx, o, stderr)
		return rep.exitCode()
	}

	bare := o
	bare.baseline = true
	base, stopBase, err := runOnce(ctx, bare, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "provobs: baseline:", err)
		return 1
	}
	stopBase()
	full, stopServer, err := runOnce(ctx, o, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "provobs: full chain:", err)
		return 1
	}
	defer stopServer()
	base.write(stdout)
	fmt.Fprintln(stdout)
	full.write(stdout)
	writeComparison(stdout, base, full)
	linger(ctx, o, stderr)
	return max(base.exitCode(), full.exitCode())
}

// linger keeps the process, and so its /metrics server, up for -linger
// after the summary, or until ctx is done.
func linger(ctx context.Context, o options, stderr io.Writer) {
	if o.linger <= 0 || o.metricsAddr == "" {
		return
	}
	fmt.Fprintf(stderr, "metrics: serving the final values for %s (-linger); interrupt to stop\n", o.linger)
	t := time.NewTimer(o.linger)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// runOnce runs the workload once on a fresh or named database. Unless it
// fails, the /metrics server it started keeps serving the final values
// until the caller calls the function it returns.
func runOnce(ctx context.Context, o options, stderr io.Writer) (rep *report, _ func(), err error) {
	stopServer := func() {}
	defer func() {
		if err != nil {
			stopServer()
		}
	}()
	path, cleanup, err := databasePath(o)
	if err != nil {
		return nil, nil, err
	}
	defer cleanup()

	var ob *observability
	var providerLogger *slog.Logger
	if !o.baseline {
		if ob, err = newObservability(o, stderr); err != nil {
			return nil, nil, err
		}
		defer func() { _ = ob.close(context.Background()) }()
		providerLogger = ob.logger
	}

	store, err := openStore(ctx, o, path, providerLogger)
	if err != nil {
		return nil, nil, err
	}
	defer func() { _ = store.Close() }()

	var p provobs.Provider = store
	runCtx, stopRun := context.WithCancel(ctx)
	var bg sync.WaitGroup
	defer func() { stopRun(); bg.Wait() }()
	if ob != nil {
		p = ob.chain(store)
		if o.metricsAddr != "" {
			stop, serr := serveMetrics(o.metricsAddr, ob, stderr)
			if serr != nil {
				fmt.Fprintf(stderr, "provobs: not serving /metrics: %v (set -metrics-addr to another address)\n", serr)
			} else {
				stopServer = stop
			}
		}
		if o.pushURL != "" { // -metrics vm only (parseOptions)
			if err := ob.metrics.Push(runCtx, o.pushURL, o.pushEvery, pushOptions(stderr, &bg)); err != nil {
				return nil, nil, fmt.Errorf("-push-url: %w", err)
			}
		}
		bg.Go(func() { ob.pollQueueDepths(runCtx, p.(provobs.Admin), o.depthPoll) })
	}

	cfg := o.stress
	cfg.InstancePrefix = "run-" + uuid.NewString()[:8] + "-"
	cfg.ProgressInterval = o.progress
	live := term.IsTerminal(stderr)
	cfg.Progress = progressPrinter(stderr, live)
	if ob != nil {
		cfg.Logger = ob.logger
	}
	res, err := stress.Run(runCtx, p, cfg)
	if live {
		fmt.Fprintln(stderr)
	}
	if err != nil {
		return nil, nil, err
	}
	// The poller and the periodic push stop; the metrics are final.
	stopRun()
	bg.Wait()

	depths, derr := store.QueueDepths(context.WithoutCancel(ctx))
	rep = &report{o: o, path: path, res: res, depths: depths, depthsErr: derr}
	if ob != nil {
		if ob.otel != nil {
			rep.readOTelMetrics(ob.otel.reg)
		} else {
			rep.readMetrics(ob.metrics)
		}
		rep.spans = ob.spans.ended.Load()
		if o.pushURL != "" {
			pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			if perr := ob.metrics.PushNow(pctx, o.pushURL, pushOptions(stderr, nil)); perr != nil {
				fmt.Fprintf(stderr, "provobs: final push to %s: %v\n", o.pushURL, perr)
			}
			cancel()
		}
	}
	return rep, stopServer, nil
}

// pushOptions reports push failures on stderr; wg, if not nil, waits for
// the periodic push to stop.
func pushOptions(stderr io.Writer, wg *sync.WaitGroup) *vm.PushOptions {
	return &vm.PushOptions{
		WaitGroup: wg,
		LogErr:    func(format string, args ...any) { fmt.Fprintf(stderr, "provobs: push: "+format+"\n", args...) },
	}
}

// store is what the command needs of a provider.
type store interface {
	provobs.Provider
	provobs.Admin
	io.Closer
}

// openStore opens the SQLite file or the PostgreSQL schema at path.
func openStore(ctx context.Context, o options, path string, logger *slog.Logger) (store, error) {
	if isPostgres(o.db) {
		dsn, schema, _ := strings.Cut(path, "#schema=")
		return postgres.Open(ctx, dsn, postgres.WithSchema(schema), postgres.WithLogger(logger))
	}
	return sqlite.Open(ctx, path, sqlite.WithSynchronous(o.sync), sqlite.WithLogger(logger))
}

// databasePath returns the file (or, for PostgreSQL, "<url>#schema=<name>")
// to use and what to do when done.
func databasePath(o options) (string, func(), error) {
	if isPostgres(o.db) {
		schema := o.schema
		if schema != "" || o.keep {
			if schema == "" {
				schema = "provobs_run_" + strings.ReplaceAll(uuid.NewString()[:8], "-", "")
			}
			return o.db + "#schema=" + schema, func() {}, nil
		}
		schema = "provobs_run_" + strings.ReplaceAll(uuid.NewString()[:8], "-", "")
		return o.db + "#schema=" + schema, func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			_ = postgres.DropSchema(ctx, o.db, schema)
		}, nil
	}
	if o.db != "" {
		return o.db, func() {}, nil
	}
	dir, err := os.MkdirTemp("", "provobs-")
	if err != nil {
		return "", nil, err
	}
	path := filepath.Join(dir, "provobs.db")
	if o.keep {
		return path, func() {}, nil
	}
	return path, func() { _ = os.RemoveAll(dir) }, nil
}

// serveMetrics serves /metrics on addr until the returned func is called.
func serveMetrics(addr string, ob *observability, stderr io.Writer) (func(), error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", ob.metricsHandler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	fmt.Fprintf(stderr, "metrics: http://%s/metrics\n", strings.Replace(ln.Addr().String(), "[::]", "localhost", 1))
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}, nil
}
