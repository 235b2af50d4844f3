// Command example runs a go-workflows worker and client on SQLite through
// goworkflows.Wrap with the provobs chain (tracing, retry, slogprov,
// metrics): one workflow with two activities, a timer and a signal. It
// prints one JSON record per storage call, serves /metrics while it runs,
// and prints the provobs and go-workflows series at the end.
//
// From the repository root:
//
//	go -C goworkflows run ./cmd/example
//
// Flags: -db the SQLite file (Default: a new file in a temporary
// directory), -addr the /metrics listen address (Default: 127.0.0.1:0, a free
// port), -keep keep serving /metrics after the workflow until interrupted.
package main

import (
	"bufio"
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
	"time"

	"github.com/cschleiden/go-workflows/backend"
	"github.com/cschleiden/go-workflows/backend/sqlite"
	"github.com/cschleiden/go-workflows/client"
	"github.com/cschleiden/go-workflows/worker"
	"github.com/cschleiden/go-workflows/workflow"
	"github.com/google/uuid"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/provobs/provobs/goworkflows"
	"github.com/provobs/provobs/metrics"
	"github.com/provobs/provobs/retry"
	"github.com/provobs/provobs/slogprov"
	"github.com/provobs/provobs/tracing"
)

// Greet is the activity.
func Greet(_ context.Context, name string) (string, error) { return "hello " + name, nil }

// Greeting greets its argument, waits 200ms on a timer, waits for the "who"
// signal and greets its value.
func Greeting(ctx workflow.Context, name string) (string, error) {
	first, err := workflow.ExecuteActivity[string](ctx, workflow.DefaultActivityOptions, Greet, name).Get(ctx)
	if err != nil {
		return "", err
	}
	if _, err := workflow.ScheduleTimer(ctx, 200*time.Millisecond).Get(ctx); err != nil {
		return "", err
	}
	who, _ := workflow.NewSignalChannel[string](ctx, "who").Receive(ctx)
	second, err := workflow.ExecuteActivity[string](ctx, workflow.DefaultActivityOptions, Greet, who).Get(ctx)
	if err != nil {
		return "", err
	}
	return first + "; " + second, nil
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "example:", err)
		os.Exit(1)
	}
}

func run() error {
	dbPath := flag.String("db", "", "SQLite file (Default: a new file in a temporary directory)")
	addr := flag.String("addr", "127.0.0.1:0", "listen address of /metrics")
	keep := flag.Bool("keep", false, "keep serving /metrics after the workflow until interrupted")
	flag.Parse()
	if *dbPath == "" {
		dir, err := os.MkdirTemp("", "provobs-goworkflows-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		*dbPath = filepath.Join(dir, "workflows.db")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	// The provobs chain: records as JSON on stdout (DEBUG: every call),
	// spans (no exporter here: they give the records trace_id/span_id),
	// metrics on /metrics, retries of the acks.
	logger := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: slog.LevelDebug}))
	tp := sdktrace.NewTracerProvider()
	defer tp.Shutdown(context.Background())
	m := metrics.New()

	raw := sqlite.NewSqliteBackend(*dbPath, sqlite.WithBackendOptions(
		backend.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))), // go-workflows' own logs
		backend.WithMetrics(goworkflows.NewMetricsClient(m.Set())),         // go-workflows' workflows.* metrics
		backend.WithTracerProvider(tp),                                     // go-workflows' own spans
	))
	b := goworkflows.Wrap(raw,
		tracing.Interceptor(tp),
		retry.Interceptor(retry.Config{OnRetry: m.RetryHook()}),
		slogprov.Interceptor(logger, slogprov.WithEmptyPollSampling(50)),
		m.Interceptor(),
	)
	defer b.Close()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", m.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	metricsURL := "http://" + ln.Addr().String() + "/metrics"
	fmt.Fprintln(os.Stderr, "serving", metricsURL)

	pctx, stopPoll := context.WithCancel(ctx)
	polled := make(chan struct{})
	go func() { defer close(polled); goworkflows.PollStats(pctx, b, m, time.Second, logger) }()
	defer func() { stopPoll(); <-polled }()

	w := worker.New(b, nil)
	if err := w.RegisterWorkflow(Greeting); err != nil {
		return err
	}
	if err := w.RegisterActivity(Greet); err != nil {
		return err
	}
	wctx, stopWorker := context.WithCancel(ctx)
	if err := w.Start(wctx); err != nil {
		stopWorker()
		return err
	}
	defer func() { stopWorker(); _ = w.WaitForCompletion() }()

	c := client.New(b)
	id := uuid.NewString()
	inst, err := c.CreateWorkflowInstance(ctx, client.WorkflowInstanceOptions{InstanceID: id}, Greeting, "ada")
	if err != nil {
		return err
	}
	time.Sleep(500 * time.Millisecond) // let it reach the signal
	if err := c.SignalWorkflow(ctx, id, "who", "grace"); err != nil {
		return err
	}
	result, err := client.GetWorkflowResult[string](ctx, c, inst, 30*time.Second)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "workflow %s returned %q\n", id, result)

	if err := printMetrics(ctx, metricsURL); err != nil {
		return err
	}
	if *keep {
		fmt.Fprintln(os.Stderr, "serving", metricsURL, "until interrupted")
		<-ctx.Done()
	}
	return nil
}

// printMetrics scrapes /metrics and prints the non-zero provobs and
// go-workflows samples to stderr.
func printMetrics(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return errors.New("GET /metrics: " + resp.Status)
	}
	fmt.Fprintln(os.Stderr, "non-zero series on", url+":")
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || strings.HasSuffix(line, " 0") || strings.Contains(line, "_bucket") {
			continue
		}
		fmt.Fprintln(os.Stderr, " ", line)
	}
	return sc.Err()
}
