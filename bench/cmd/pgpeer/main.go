// Command pgpeer runs the peer comparison on PostgreSQL: orchestrations that
// each run one activity with no delay (1000 instances, 20 in flight) on the
// provobs postgres provider under stress.Run and on go-workflows'
// backend/postgres under its own engine, on the same server, each on a
// fresh store per run. Runs alternate (provobs, go-workflows, ...) so drift
// of a shared machine hits both alike; the table shows the median of each
// figure. With -rtt it repeats the comparison behind a TCP proxy that adds
// that much round-trip time (a database across a network).
//
//	cd bench && go run ./cmd/pgpeer -runs 3 -rtt 0,5ms,20ms
package main

import (
	"context"
	"flag"
	"fmt"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/provobs/provobs/bench"
)

func main() {
	dsn := flag.String("dsn", envOr("PROVOBS_POSTGRES_DSN", "postgres://root@127.0.0.1:5432/test?sslmode=disable"), "PostgreSQL `URL` (default: $PROVOBS_POSTGRES_DSN, else the local server)")
	runs := flag.Int("runs", 3, "runs of each system at each round-trip time")
	instances := flag.Int("instances", 1000, "orchestrations per run")
	concurrency := flag.Int("concurrency", 20, "orchestrations in flight")
	rtts := flag.String("rtt", "0", "comma-separated round-trip `times` to add through a proxy (0: direct)")
	flag.Parse()
	w := bench.Workload{Instances: *instances, MaxConcurrent: *concurrency, InstanceTimeout: 10 * time.Minute}
	if err := run(*dsn, *runs, w, *rtts); err != nil {
		fmt.Fprintln(os.Stderr, "pgpeer:", err)
		os.Exit(1)
	}
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

type row struct {
	rtt      time.Duration
	pv, gw   bench.Sample
	pvN, gwN int
}

func run(dsn string, runs int, w bench.Workload, rttList string) error {
	ctx := context.Background()
	sc, err := bench.SynchronousCommit(ctx, dsn)
	if err != nil {
		return err
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "server %s, synchronous_commit=%s (both systems)\n", u.Redacted(), sc)
	var rows []row
	for _, f := range strings.Split(rttList, ",") {
		rtt, err := time.ParseDuration(strings.TrimSpace(f))
		if err != nil {
			return fmt.Errorf("-rtt %q: %w", f, err)
		}
		addr := ""
		var proxy *bench.Proxy
		if rtt > 0 {
			if proxy, err = bench.NewProxy(u.Host, rtt); err != nil {
				return err
			}
			addr = proxy.Addr()
		}
		var pv, gw []bench.Sample
		for i := range runs {
			s, err := bench.RunProvobsPostgres(ctx, dsn, addr, w)
			if err != nil {
				return fmt.Errorf("provobs run %d (rtt %v): %w", i, rtt, err)
			}
			fmt.Fprintf(os.Stderr, "rtt %-5v provobs-postgres      run %d: %v\n", rtt, i+1, s)
			pv = append(pv, s)
			s, err = bench.RunGoWorkflowsPostgres(ctx, dsn, addr, w)
			if err != nil {
				return fmt.Errorf("go-workflows run %d (rtt %v): %w", i, rtt, err)
			}
			fmt.Fprintf(os.Stderr, "rtt %-5v go-workflows-postgres run %d: %v\n", rtt, i+1, s)
			gw = append(gw, s)
		}
		if proxy != nil {
			_ = proxy.Close()
		}
		rows = append(rows, row{rtt: rtt, pv: bench.Median(pv), gw: bench.Median(gw), pvN: len(pv), gwN: len(gw)})
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "added RTT\tsystem\torch/s\tp50\tp99\truns\tprovobs/go-workflows\t\n")
	for _, r := range rows {
		fmt.Fprintf(tw, "%v\tprovobs postgres\t%.1f\t%v\t%v\t%d\t%.2fx\t\n", r.rtt, r.pv.PerSec, r.pv.P50.Round(100*time.Microsecond), r.pv.P99.Round(100*time.Microsecond), r.pvN, r.pv.PerSec/r.gw.PerSec)
		fmt.Fprintf(tw, "%v\tgo-workflows v1.4.2 postgres\t%.1f\t%v\t%v\t%d\t\t\n", r.rtt, r.gw.PerSec, r.gw.P50.Round(100*time.Microsecond), r.gw.P99.Round(100*time.Microsecond), r.gwN)
	}
	return tw.Flush()
}
