// Command scale shows the cost of provider operations as completed history
// grows: it seeds stores with 1k and 10k (and, with -big, 100k) completed
// instances once (bench.Seed), then, in rounds that rotate the order of the
// sizes, copies each seed file and runs the peer workload on it (1000
// orchestrations x 1 activity, no delay, 20 in flight, synchronous=FULL)
// through a per-operation latency counter, after timing empty fetches (no
// eligible work, the candidate query alone) on the same copy.
//
//	cd bench && go run ./cmd/scale -rounds 3
//	cd bench && go run ./cmd/scale -rounds 3 -big    # adds 100k
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/bench"
)

func main() {
	rounds := flag.Int("rounds", 3, "rounds; each runs every size once")
	big := flag.Bool("big", false, "also seed and run 100k completed instances (seeding takes minutes)")
	instances := flag.Int("instances", 1000, "orchestrations per run")
	dir := flag.String("dir", "", "directory for the seed and run files (default: a new temporary directory); seed files found there are reused")
	flag.Parse()
	sizes := []int{0, 1_000, 10_000}
	if *big {
		sizes = append(sizes, 100_000)
	}
	if err := run(*rounds, sizes, *instances, *dir); err != nil {
		fmt.Fprintln(os.Stderr, "scale:", err)
		os.Exit(1)
	}
}

type point struct {
	s                 bench.Sample
	fetch, ack, empty time.Duration // mean latencies
	stats             *bench.OpStats
}

func run(rounds int, sizes []int, instances int, dir string) error {
	ctx := context.Background()
	if dir == "" {
		d, err := os.MkdirTemp("", "provobs-scale-")
		if err != nil {
			return err
		}
		defer func() { _ = os.RemoveAll(d) }()
		dir = d
	}
	seeds := map[int]string{}
	for _, n := range sizes {
		path := filepath.Join(dir, fmt.Sprintf("seed-%d.db", n))
		seeds[n] = path
		if _, err := os.Stat(path); err == nil {
			continue
		}
		start := time.Now()
		if err := bench.Seed(ctx, path, n, 64); err != nil {
			return fmt.Errorf("seed %d: %w", n, err)
		}
		el := time.Since(start)
		fmt.Fprintf(os.Stderr, "seeded %d completed instances in %v (%.0f/s)\n", n, el.Round(time.Millisecond), float64(n)/el.Seconds())
	}

	w := bench.Workload{Instances: instances, MaxConcurrent: 20}
	points := map[int][]point{}
	for r := range rounds {
		for i := range sizes {
			n := sizes[(i+r)%len(sizes)]
			run := filepath.Join(dir, "run.db")
			if err := copyDB(seeds[n], run); err != nil {
				return err
			}
			pt, err := once(ctx, run, w)
			removeDB(run)
			if err != nil {
				return fmt.Errorf("%d completed: %w", n, err)
			}
			fmt.Fprintf(os.Stderr, "round %d %7d completed: %v; fetch %v (max %v), ack_orch %v (max %v), enqueue max %v, ack_worker max %v, empty fetch %v\n",
				r+1, n, pt.s, pt.fetch, pt.stats.Max(provobs.OpFetch), pt.ack, pt.stats.Max(provobs.OpAckOrch),
				pt.stats.Max(provobs.OpEnqueue), pt.stats.Max(provobs.OpAckWorker), pt.empty)
			points[n] = append(points[n], pt)
		}
	}

	fmt.Printf("scale: %d orchestrations x 1 activity (no delay), 20 in flight, file at FULL, on stores already holding N completed instances; median of %d rotating rounds\n",
		instances, rounds)
	fmt.Printf("%9s %9s %10s %8s %8s %14s %16s %15s\n", "completed", "file MB", "orch/s", "p50 ms", "p99 ms", "fetch mean ms", "ack_orch mean ms", "empty fetch µs")
	for _, n := range sizes {
		ps := points[n]
		ss := make([]bench.Sample, len(ps))
		var f, a, e []bench.Sample // medians of the means, through Sample's P50
		for i, p := range ps {
			ss[i] = p.s
			f = append(f, bench.Sample{P50: p.fetch})
			a = append(a, bench.Sample{P50: p.ack})
			e = append(e, bench.Sample{P50: p.empty})
		}
		m := bench.Median(ss)
		var mb float64
		if st, err := os.Stat(seeds[n]); err == nil {
			mb = float64(st.Size()) / (1 << 20)
		}
		fmt.Printf("%9d %9.1f %10.1f %8s %8s %14s %16s %15.1f\n", n, mb, m.PerSec, bench.Ms(m.P50), bench.Ms(m.P99),
			bench.Ms(bench.Median(f).P50), bench.Ms(bench.Median(a).P50), float64(bench.Median(e).P50)/1e3)
	}
	return nil
}

// once times empty fetches on the store at path, then runs w on it.
func once(ctx context.Context, path string, w bench.Workload) (point, error) {
	p, err := bench.OpenProvobs(ctx, path)
	if err != nil {
		return point{}, err
	}
	defer func() { _ = p.Close() }()
	const empties = 2000
	start := time.Now()
	for range empties {
		item, err := p.FetchOrchestrationItem(ctx, provobs.FetchOptions{})
		if err != nil {
			return point{}, err
		}
		if item != nil {
			return point{}, fmt.Errorf("seeded store has work: %s", item.InstanceID)
		}
	}
	empty := time.Since(start) / empties
	var stats bench.OpStats
	s, _, err := bench.RunStress(ctx, provobs.Chain(p, stats.Middleware()), w.StressConfig())
	if err != nil {
		return point{}, err
	}
	return point{s: s, fetch: stats.Mean(provobs.OpFetch), ack: stats.Mean(provobs.OpAckOrch), empty: empty, stats: &stats}, nil
}

func copyDB(src, dst string) error {
	removeDB(dst)
	for _, suffix := range []string{"", "-wal"} {
		in, err := os.Open(src + suffix)
		if os.IsNotExist(err) && suffix != "" {
			continue
		}
		if err != nil {
			return err
		}
		out, err := os.OpenFile(dst+suffix, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
		if err != nil {
			_ = in.Close()
			return err
		}
		_, err = io.Copy(out, in)
		if err == nil {
			// Flush the copy now: otherwise the first checkpoint's fsync
			// of the run pays for writing the whole file back.
			err = out.Sync()
		}
		_ = in.Close()
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func removeDB(path string) {
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		_ = os.Remove(path + suffix)
	}
}
