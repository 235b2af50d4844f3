// Command gwcost measures what goworkflows.Wrap costs go-workflows: the peer
// workload (orchestrations that each run one activity with no delay, 1000
// instances, 20 in flight, 2+2 pollers) on go-workflows' SQLite backend, a
// file at synchronous=FULL, bare and through Wrap with the full chain
// (tracing into an SDK TracerProvider, retry, slogprov, metrics), with
// DEBUG records off (the production setting) and on (one JSON record per
// call, to io.Discard). Runs alternate (bare, chain, chain+debug, bare, ...)
// so drift of a shared machine hits every mode alike; the table shows the
// median of each figure and each mode's throughput ratio to bare. It also
// shows the process CPU time (user+system, getrusage) per orchestration, a
// figure a loaded machine disturbs less than throughput.
//
//	cd bench && go run ./cmd/gwcost -runs 5
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/cschleiden/go-workflows/backend"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/provobs/provobs/bench"
	"github.com/provobs/provobs/goworkflows"
	"github.com/provobs/provobs/metrics"
	"github.com/provobs/provobs/retry"
	"github.com/provobs/provobs/slogprov"
	"github.com/provobs/provobs/tracing"
)

func main() {
	runs := flag.Int("runs", 5, "runs of each mode")
	instances := flag.Int("instances", 1000, "orchestrations per run")
	concurrency := flag.Int("concurrency", 20, "orchestrations in flight")
	memory := flag.Bool("memory", false, "use in-memory databases instead of files")
	flag.Parse()
	if err := run(*runs, bench.Workload{Instances: *instances, MaxConcurrent: *concurrency}, *memory); err != nil {
		fmt.Fprintln(os.Stderr, "gwcost:", err)
		os.Exit(1)
	}
}

type mode struct {
	name string
	wrap func(backend.Backend) backend.Backend
}

// chain returns a wrap function with the full chain; records at DEBUG
// when debug. The TracerProvider samples every span and exports none.
func chain(debug bool) (func(backend.Backend) backend.Backend, func()) {
	tp := sdktrace.NewTracerProvider()
	level := slog.LevelInfo
	if debug {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: level}))
	m := metrics.New()
	wrap := func(b backend.Backend) backend.Backend {
		return goworkflows.Wrap(b,
			tracing.Interceptor(tp),
			retry.Interceptor(retry.Config{OnRetry: m.RetryHook()}),
			slogprov.Interceptor(logger, slogprov.WithEmptyPollSampling(100)),
			m.Interceptor(),
		)
	}
	return wrap, func() { _ = tp.Shutdown(context.Background()) }
}

func run(runs int, w bench.Workload, memory bool) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "provobs-gwcost-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(dir) }()
	full, stop1 := chain(false)
	defer stop1()
	debug, stop2 := chain(true)
	defer stop2()
	modes := []mode{{"bare", nil}, {"chain", full}, {"chain+debug", debug}}

	samples := make([][]bench.Sample, len(modes))
	cpu := make([][]float64, len(modes)) // CPU µs per orchestration
	start := time.Now()
	for r := range runs {
		for i, md := range modes {
			path := ""
			if !memory {
				path = filepath.Join(dir, fmt.Sprintf("%s-%d.db", md.name, r))
			}
			before := cpuTime()
			s, err := bench.RunGoWorkflowsWrapped(ctx, path, w, md.wrap)
			used := cpuTime() - before
			if path != "" {
				for _, suffix := range []string{"", "-wal", "-shm"} {
					_ = os.Remove(path + suffix)
				}
			}
			if err != nil {
				return fmt.Errorf("%s run %d: %w", md.name, r+1, err)
			}
			perOrch := float64(used.Microseconds()) / float64(max(s.Completed, 1))
			fmt.Fprintf(os.Stderr, "run %d %-12s %v, cpu %.0f µs/orch\n", r+1, md.name, s, perOrch)
			samples[i] = append(samples[i], s)
			cpu[i] = append(cpu[i], perOrch)
		}
	}
	store := "file (synchronous=FULL)"
	if memory {
		store = "memory"
	}
	fmt.Printf("go-workflows SQLite %s: %d instances x 1 activity (no delay), %d in flight, 2+2 pollers; median of %d alternating runs (%v)\n",
		store, w.Instances, w.MaxConcurrent, runs, time.Since(start).Round(time.Second))
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "mode\torch/s\tmin-max\tp50 ms\tp99 ms\tratio of medians\tmedian of paired ratios\tcpu µs/orch\tcpu ratio\t")
	bare := bench.Median(samples[0])
	for i, md := range modes {
		m := bench.Median(samples[i])
		lo, hi := bench.Spread(samples[i])
		ratio, paired, cpuRatio := "", "", ""
		if i > 0 {
			cpuRatio = fmt.Sprintf("%.3f", bench.MedianFloat(cpu[i])/bench.MedianFloat(cpu[0]))
			pr := make([]float64, runs)
			for r := range runs {
				pr[r] = samples[i][r].PerSec / samples[0][r].PerSec
			}
			ratio = fmt.Sprintf("%.3f", m.PerSec/bare.PerSec)
			paired = fmt.Sprintf("%.3f (%s)", bench.MedianFloat(pr), bench.Floats(pr))
		}
		fmt.Fprintf(tw, "%s\t%.1f\t%.0f-%.0f\t%s\t%s\t%s\t%s\t%.0f\t%s\t\n", md.name, m.PerSec, lo, hi, bench.Ms(m.P50), bench.Ms(m.P99),
			ratio, paired, bench.MedianFloat(cpu[i]), cpuRatio)
	}
	return tw.Flush()
}

// cpuTime returns the user and system CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
