// Package bench holds provobs's performance programs and benchmarks. It is
// a module of its own (github.com/provobs/provobs/bench) so that the peer it
// compares against, github.com/cschleiden/go-workflows, never becomes a
// dependency of github.com/provobs/provobs.
//
//   - cmd/peer: the same workload on the provobs SQLite provider under
//     stress.Run and on go-workflows' SQLite backend under its own engine,
//     file and in-memory, alternating runs; one table with the ratio.
//   - cmd/pgpeer: the same workload on the provobs postgres provider and on
//     go-workflows' backend/postgres, on one server, alternating runs, each
//     on a fresh store; -rtt repeats it behind a TCP proxy (Proxy) that adds
//     round-trip time.
//   - cmd/overhead: the stress workload on the bare provider and through the
//     full observability chain, alternating runs; the throughput ratio.
//   - cmd/scale: the stress workload on stores that already hold 1k, 10k
//     (and, with -big, 100k) completed instances.
//   - BenchmarkChain (chain_timing_test.go): the full chain on a no-op
//     provider, per call, without and with tracing (TracedChain, on the
//     OpenTelemetry SDK, sampled and not).
//   - callgrind.sh: the instructions per call of any benchmark, counted by
//     valgrind's callgrind inside the benchmark's loop at two iteration
//     counts (wall-clock figures on a shared machine swing too much to
//     compare).
//
// The figures and the commands that produced them are in BENCHMARKS.md at
// the repository root.
package bench
