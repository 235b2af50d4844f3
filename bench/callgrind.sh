#!/usr/bin/env bash
# callgrind.sh prints the instructions per call of one benchmark, counted by
# valgrind's callgrind inside the benchmark's loop only: Go's runtime
# (scheduler, GC, start-up) makes whole-program totals useless, and
# wall-clock figures on a shared machine swing by ±30 %.
#
#   bench/callgrind.sh [-p dir] [-s symbol] [-1 N1] [-2 N2] benchmark-regex
#
#   cd bench && ./callgrind.sh 'BenchmarkChain/^full$/debug=disabled/op=fetch'
#   bench/callgrind.sh -p . 'BenchmarkChain/^intercept=1$'    # the root package
#
# -p is the package's directory (default: the current one); the binary is
# built and run there, as go test does. N1 and N2 default to 20000 and
# 120000.
#
# It builds the package's test binary (go test -c), runs it twice under
#
#   GOMAXPROCS=1 GOGC=off GODEBUG=asyncpreemptoff=1 \
#     valgrind --tool=callgrind --collect-atstart=no \
#     --toggle-collect=<loop function> <binary> -test.run='^$' \
#     -test.bench=<regex> -test.benchtime=<N>x
#
# with N = N1 and N = N2, and prints (Ir2 - Ir1) / (N2 - N1): what one
# iteration costs, the set-up and the first call of the loop function
# cancelling out. asyncpreemptoff keeps the runtime from interrupting the
# loop with signals (whose handling callgrind would count). GOMAXPROCS=1
# keeps the benchmark's goroutine on one OS thread: callgrind toggles
# collection per thread, and a goroutine that the scheduler resumes on
# another thread leaves the loop uncounted (with 2 Ps, four runs of one N
# collected from 21 thousand to 12 million of the loop's 30 million
# instructions; with 1, within 0.1 %). GOGC=off leaves garbage collection out: an allocation is
# counted as the instructions of its allocation (and allocs/op counts it),
# not as the share of a collection it causes later, which depends on heap
# size and timing (with the collector on, allocating benchmarks moved by up
# to 14 % between identical runs).
#
# The loop function is the one that holds `for b.Loop()` (or the b.N loop):
# for a benchmark with sub-benchmarks it is the closure given to b.Run (a
# sub-benchmark runs in a goroutine of its own, so toggling on the outer
# Benchmark function would count nothing), e.g.
# github.com/provobs/provobs/bench.BenchmarkChain.func7. Without -s, the
# script toggles on every function among the benchmark function and its
# closures (go tool nm names them Benchmark<X>.func<n>) whose code calls
# testing.(*B).Loop (its inlined fast path leaves a call of
# testing.(*B).loopSlowPath), read with go tool objdump: only the one of the
# selected sub-benchmark runs (BenchmarkClock has two, one per
# sub-benchmark). A b.N loop has no such call and needs -s; -s may be
# given more than once.
#
# The regex must select exactly one benchmark (the script fails otherwise).
# Each sub-benchmark path element is matched on its own as -test.bench does,
# so anchor them ('/^full$/') where names share a prefix.
#
# Instructions counted are those the one P's thread runs while the
# benchmark's goroutine is inside the loop function: the calls, and what the
# runtime and other goroutines do meanwhile on that thread (with one P, a
# batch span processor's export runs there when the scheduler gives it the
# P).
#
# valgrind is a measurement tool, not a test dependency: install it with
# apt-get install valgrind.
set -euo pipefail

dir=.
syms=()
n1=20000
n2=120000
usage() {
	sed -n '2,10p' "$0" >&2
	exit 2
}
while getopts 'p:s:1:2:h' opt; do
	case $opt in
	p) dir=$OPTARG ;;
	s) syms+=("$OPTARG") ;;
	1) n1=$OPTARG ;;
	2) n2=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || usage
regex=$1
[ "$n2" -gt "$n1" ] || { echo "callgrind.sh: N2 ($n2) must exceed N1 ($n1)" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "callgrind.sh: valgrind not found (apt-get install valgrind)" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bin=$tmp/bench.test
(cd "$dir" && go test -c -o "$bin" .)

if [ ${#syms[@]} -eq 0 ]; then
	top=${regex%%/*}
	top=${top#^}
	top=${top%$}
	# The package path as the symbols spell it: from the TEXT lines.
	cands=$(go tool objdump -s "\\.${top}(\\.func[0-9]+)*\$" "$bin" | awk '
		/^TEXT / { fn = $2; sub(/\(SB\)$/, "", fn) }
		/CALL testing\.\(\*B\)\.(Loop|loopSlowPath)\(SB\)/ { print fn }' | sort -u)
	if [ -z "$cands" ]; then
		echo "callgrind.sh: no function of $top calls b.Loop; give the loop function with -s (go tool nm on the test binary lists $top's closures)" >&2
		exit 1
	fi
	mapfile -t syms <<<"$cands"
fi
toggles=()
for s in "${syms[@]}"; do
	toggles+=("--toggle-collect=$s")
done

# count N prints the instructions callgrind collected inside $sym in a run
# of N iterations.
count() {
	local n=$1 out=$tmp/cg.$1
	(cd "$dir" && GOMAXPROCS=1 GOGC=off GODEBUG=asyncpreemptoff=1 valgrind --tool=callgrind \
		--callgrind-out-file="$out" --collect-atstart=no "${toggles[@]}" \
		"$bin" -test.run='^$' -test.bench="$regex" -test.benchtime="${n}x" -test.count=1) \
		>"$tmp/log.$n" 2>&1 || { cat "$tmp/log.$n" >&2; exit 1; }
	local runs
	runs=$(grep -c '^Benchmark.*[0-9] ns/op' "$tmp/log.$n" || true)
	if [ "$runs" -ne 1 ]; then
		grep '^Benchmark' "$tmp/log.$n" >&2 || true
		echo "callgrind.sh: $regex ran $runs benchmarks; it must select exactly one" >&2
		exit 1
	fi
	grep '^Benchmark' "$tmp/log.$n" >&2
	awk '/^(summary|totals):/ { print $2; exit }' "$out"
}

ir1=$(count "$n1")
ir2=$(count "$n2")
if [ "${ir2:-0}" -le "${ir1:-0}" ]; then
	echo "callgrind.sh: no more instructions at ${n2}x than at ${n1}x (${ir1:-none}, ${ir2:-none}): the loop function (${syms[*]}) never ran" >&2
	exit 1
fi
echo "loop function(s): ${syms[*]}" >&2
echo "Ir(${n1}x) = $ir1, Ir(${n2}x) = $ir2" >&2
REGEX=$regex awk -v a="$ir1" -v b="$ir2" -v n1="$n1" -v n2="$n2" \
	'BEGIN { printf "%s\t%.1f instructions/op\n", ENVIRON["REGEX"], (b - a) / (n2 - n1) }'
