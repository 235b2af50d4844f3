// Command overhead measures what the full observability chain costs the
// stress workload: the same run on the bare SQLite provider and through
// bench.FullChain (retries, slogprov at INFO over redaction over JSON to
// io.Discard, metrics with the queue-depth poller; the provider's and the
// harness's own logger are the same JSON logger), each on a fresh file
// database at synchronous=FULL. Rounds alternate the order (bare, full, then
// full, bare, ...) so drift of a shared machine cancels, and the ratio is
// full/bare of the median throughputs.
//
//	cd bench && go run ./cmd/overhead -rounds 6                          # provider-bound: 1000 x 1 activity, no delay
//	cd bench && go run ./cmd/overhead -rounds 4 -instances 0 -tasks 5 -delay 10ms   # the reference workload, 10s
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/bench"
	"github.com/provobs/provobs/logenv"
	"github.com/provobs/provobs/metrics"
	"github.com/provobs/provobs/retry"
	"github.com/provobs/provobs/slogprov"
	"github.com/provobs/provobs/sqlite"
	"github.com/provobs/provobs/stress"
)

func main() {
	rounds := flag.Int("rounds", 6, "rounds; each runs bare and full once")
	instances := flag.Int("instances", 1000, "orchestrations per run; 0 runs for -duration instead")
	duration := flag.Duration("duration", stress.DefaultDuration, "launch phase when -instances is 0")
	tasks := flag.Int("tasks", 1, "activities per orchestration")
	delay := flag.Duration("delay", 0, "activity delay")
	concurrency := flag.Int("concurrency", 20, "orchestrations in flight")
	flag.Parse()
	cfg := stress.Config{Instances: *instances, Duration: *duration, TasksPerInstance: *tasks, MaxConcurrent: *concurrency}
	if *delay <= 0 {
		cfg.NoActivityDelay = true
	} else {
		cfg.ActivityDelay = *delay
	}
	if err := run(*rounds, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "overhead:", err)
		os.Exit(1)
	}
}

func run(rounds int, cfg stress.Config) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "provobs-overhead-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(dir) }()

	var bare, full []bench.Sample
	var ratios []float64
	for r := range rounds {
		order := []bool{false, true}
		if r%2 == 1 {
			order = []bool{true, false}
		}
		var b, f bench.Sample
		for _, observed := range order {
			path := filepath.Join(dir, fmt.Sprintf("r%d-%v.db", r, observed))
			s, err := once(ctx, path, observed, cfg)
			if err != nil {
				return err
			}
			name := "bare"
			if observed {
				name, f = "full", s
				full = append(full, s)
			} else {
				b = s
				bare = append(bare, s)
			}
			fmt.Fprintf(os.Stderr, "round %d %-4s %v\n", r+1, name, s)
		}
		ratios = append(ratios, f.PerSec/b.PerSec)
	}
	mb, mf := bench.Median(bare), bench.Median(full)
	what := fmt.Sprintf("%d instances", cfg.Instances)
	if cfg.Instances == 0 {
		what = cfg.Duration.String()
	}
	fmt.Printf("overhead: %s, %d tasks of %v, %d in flight, file at FULL; median of %d alternating rounds\n",
		what, cfg.TasksPerInstance, cfg.ActivityDelay, cfg.MaxConcurrent, rounds)
	fmt.Printf("%-5s %9s %9s %9s %9s\n", "chain", "orch/s", "min-max", "p50 ms", "p99 ms")
	for _, x := range []struct {
		name string
		m    bench.Sample
		all  []bench.Sample
	}{{"bare", mb, bare}, {"full", mf, full}} {
		lo, hi := bench.Spread(x.all)
		fmt.Printf("%-5s %9.1f %4.0f-%-4.0f %9s %9s\n", x.name, x.m.PerSec, lo, hi, bench.Ms(x.m.P50), bench.Ms(x.m.P99))
	}
	fmt.Printf("ratio full/bare of medians: %.3f; per-round ratios %s (median %.3f)\n",
		mf.PerSec/mb.PerSec, bench.Floats(ratios), bench.MedianFloat(ratios))
	return nil
}

// once runs cfg on a fresh provider at path, bare or through the chain.
func once(ctx context.Context, path string, observed bool, cfg stress.Config) (bench.Sample, error) {
	var logger *slog.Logger
	var m *metrics.Metrics
	if observed {
		h, _, err := logenv.New(logenv.Config{Format: logenv.FormatJSON, Level: slog.LevelInfo, Writer: io.Discard})
		if err != nil {
			return bench.Sample{}, err
		}
		logger, m = slog.New(h), metrics.New()
	}
	store, err := sqlite.Open(ctx, path, sqlite.WithSynchronous(sqlite.SynchronousFull), sqlite.WithLogger(logger))
	if err != nil {
		return bench.Sample{}, err
	}
	defer func() { _ = store.Close() }()
	var p provobs.Provider = store
	runCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() { stop(); wg.Wait() }()
	if observed {
		p = provobs.Chain(store,
			retry.Middleware(retry.Config{OnRetry: m.RetryHook()}),
			slogprov.Middleware(logger),
			m.Middleware(),
		)
		wg.Go(func() { m.PollQueueDepths(runCtx, p.(provobs.Admin), time.Second, logger) })
		cfg.Logger = logger
	}
	s, _, err := bench.RunStress(runCtx, p, cfg)
	return s, err
}
