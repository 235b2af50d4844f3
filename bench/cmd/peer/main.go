// Command peer runs the peer comparison with go-workflows: orchestrations that each
// run one activity with no delay, 1000 instances, 20 in flight, on the
// provobs SQLite provider under stress.Run and on go-workflows' SQLite
// backend under its own engine, on a file database at synchronous=FULL and
// in memory. Runs alternate (provobs, go-workflows, provobs, ...) so drift
// of a shared machine hits both sides alike, and the table shows the median
// of each figure over the runs.
//
//	cd bench && go run ./cmd/peer -runs 5
//
// With -cpuprofile it runs only the provobs file side, -runs times, under
// one CPU profile.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"text/tabwriter"
	"time"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/bench"
	"github.com/provobs/provobs/sqlite"
)

func main() {
	runs := flag.Int("runs", 5, "runs of each side and store")
	instances := flag.Int("instances", 1000, "orchestrations per run")
	concurrency := flag.Int("concurrency", 20, "orchestrations in flight")
	memory := flag.Bool("memory", true, "also run the in-memory stores")
	dir := flag.String("dir", "", "directory for the database files (default: a new temporary directory)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the provobs file runs (only those run) to `file`")
	verbose := flag.Bool("v", true, "print every run on stderr")
	only := flag.String("only", "", "run only this system: provobs or go-workflows (no ratio)")
	ops := flag.Bool("ops", false, "with -cpuprofile: also print per-operation call counts and mean latency")
	flag.Parse()
	if err := run(*runs, bench.Workload{Instances: *instances, MaxConcurrent: *concurrency}, *memory, *only, *dir, *cpuprofile, *ops, *verbose); err != nil {
		fmt.Fprintln(os.Stderr, "peer:", err)
		os.Exit(1)
	}
}

type side struct {
	name string
	file bool
	run  func(ctx context.Context, path string) (bench.Sample, error)
}

func run(runs int, w bench.Workload, memory bool, only, dir, cpuprofile string, ops, verbose bool) error {
	ctx := context.Background()
	if dir == "" {
		d, err := os.MkdirTemp("", "provobs-peer-")
		if err != nil {
			return err
		}
		defer func() { _ = os.RemoveAll(d) }()
		dir = d
	}
	provobsRun := func(ctx context.Context, path string) (bench.Sample, error) { return bench.RunProvobs(ctx, path, w) }
	gwRun := func(ctx context.Context, path string) (bench.Sample, error) {
		return bench.RunGoWorkflows(ctx, path, w)
	}

	if cpuprofile != "" {
		f, err := os.Create(cpuprofile)
		if err != nil {
			return err
		}
		defer func() { _ = f.Close() }()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
		var stats bench.OpStats
		var done int64
		for i := range runs {
			path := filepath.Join(dir, fmt.Sprintf("profile-%d.db", i))
			s, err := profiledRun(ctx, path, w, &stats, ops)
			if err != nil {
				return err
			}
			done += s.Completed
			fmt.Fprintf(os.Stderr, "provobs file run %d: %v\n", i+1, s)
			removeDB(path)
		}
		if ops {
			stats.Write(os.Stdout, done)
		}
		return nil
	}

	sides := []side{
		{"provobs", true, provobsRun},
		{"go-workflows", true, gwRun},
	}
	if memory {
		sides = append(sides,
			side{"provobs", false, provobsRun},
			side{"go-workflows", false, gwRun})
	}
	if only != "" {
		var keep []side
		for _, sd := range sides {
			if sd.name == only {
				keep = append(keep, sd)
			}
		}
		if len(keep) == 0 {
			return fmt.Errorf("-only %q: want provobs or go-workflows", only)
		}
		sides = keep
	} else if err := checkDurability(ctx, dir); err != nil {
		return err
	}
	samples := make([][]bench.Sample, len(sides))
	start := time.Now()
	for r := range runs {
		for i, sd := range sides {
			path := sqlite.MemoryPath
			if !sd.file && sd.name == "go-workflows" {
				path = ""
			}
			if sd.file {
				path = filepath.Join(dir, fmt.Sprintf("%s-%d.db", sd.name, r))
			}
			s, err := sd.run(ctx, path)
			if sd.file {
				removeDB(path)
			}
			if err != nil {
				return fmt.Errorf("%s %s run %d: %w", sd.name, store(sd.file), r+1, err)
			}
			if verbose {
				fmt.Fprintf(os.Stderr, "run %d %-12s %-6s %v\n", r+1, sd.name, store(sd.file), s)
			}
			samples[i] = append(samples[i], s)
		}
	}

	fmt.Printf("peer comparison: %d instances x 1 activity (no delay), %d in flight, 2+2 dispatchers/pollers; median of %d alternating runs (%v)\n",
		w.Instances, w.MaxConcurrent, runs, time.Since(start).Round(time.Second))
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	if only != "" {
		fmt.Fprintln(tw, "store\tsystem\torch/s\tmin-max\tp50 ms\tp99 ms\t")
		for i, sd := range sides {
			m := bench.Median(samples[i])
			lo, hi := bench.Spread(samples[i])
			fmt.Fprintf(tw, "%s\t%s\t%.1f\t%.0f-%.0f\t%s\t%s\t\n", store(sd.file), sd.name, m.PerSec, lo, hi, bench.Ms(m.P50), bench.Ms(m.P99))
		}
		return tw.Flush()
	}
	fmt.Fprintln(tw, "store\tsystem\torch/s\tmin-max\tp50 ms\tp99 ms\tratio of medians\tmedian of paired ratios\t")
	for i := 0; i < len(sides); i += 2 {
		p, g := bench.Median(samples[i]), bench.Median(samples[i+1])
		paired := make([]float64, runs)
		for r := range runs {
			paired[r] = samples[i][r].PerSec / samples[i+1][r].PerSec
		}
		for j, m := range []bench.Sample{p, g} {
			lo, hi := bench.Spread(samples[i+j])
			ratio, pr := "", ""
			if j == 0 {
				ratio = fmt.Sprintf("%.2fx", p.PerSec/g.PerSec)
				pr = fmt.Sprintf("%.2fx (%s)", bench.MedianFloat(paired), bench.Floats(paired))
			}
			fmt.Fprintf(tw, "%s\t%s\t%.1f\t%.0f-%.0f\t%s\t%s\t%s\t%s\t\n", store(sides[i].file), sides[i+j].name,
				m.PerSec, lo, hi, bench.Ms(m.P50), bench.Ms(m.P99), ratio, pr)
		}
	}
	return tw.Flush()
}

// profiledRun is one provobs file run, through an OpStats layer when ops.
func profiledRun(ctx context.Context, path string, w bench.Workload, stats *bench.OpStats, ops bool) (bench.Sample, error) {
	if !ops {
		return bench.RunProvobs(ctx, path, w)
	}
	p, err := bench.OpenProvobs(ctx, path)
	if err != nil {
		return bench.Sample{}, err
	}
	defer func() { _ = p.Close() }()
	s, _, err := bench.RunStress(ctx, provobs.Chain(p, stats.Middleware()), w.StressConfig())
	return s, err
}

// checkDurability prints the synchronous level both sides' file stores run
// at: provobs's is its option (FULL by default); go-workflows' is read from
// its own connection.
func checkDurability(ctx context.Context, dir string) error {
	g, err := bench.OpenGoWorkflows(ctx, filepath.Join(dir, "pragma-check.db"))
	if err != nil {
		return err
	}
	sync, journal, err := g.Pragmas(ctx)
	_ = g.Close()
	removeDB(filepath.Join(dir, "pragma-check.db"))
	if err != nil {
		return err
	}
	if sync != 2 || journal != "wal" {
		return fmt.Errorf("go-workflows runs at synchronous=%d journal_mode=%s, want 2 (FULL) and wal", sync, journal)
	}
	fmt.Printf("durability: provobs synchronous=%s (sqlite.WithSynchronous), go-workflows synchronous=%d (FULL, read back from its connection), both journal_mode=%s\n",
		sqlite.SynchronousFull, sync, journal)
	return nil
}

func store(file bool) string {
	if file {
		return "file"
	}
	return "memory"
}

func removeDB(path string) {
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		_ = os.Remove(path + suffix)
	}
}
