package bench

import (
	"context"
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"github.com/provobs/provobs"
)

// OpStats counts the calls of each operation and adds up their latency, to
// show where a run's time goes. Its Middleware is a provobs.Observe layer.
type OpStats struct {
	calls, empty [provobs.NumOps]atomic.Int64
	nanos, max   [provobs.NumOps]atomic.Int64
}

// Middleware records every call of the provider it wraps.
func (s *OpStats) Middleware() provobs.Middleware {
	return provobs.Observe(func(_ context.Context, c *provobs.Call, err error, d time.Duration) {
		op := c.Op()
		if !op.Valid() {
			return
		}
		s.calls[op].Add(1)
		s.nanos[op].Add(int64(d))
		for m := s.max[op].Load(); int64(d) > m && !s.max[op].CompareAndSwap(m, int64(d)); m = s.max[op].Load() {
		}
		if err == nil && c.Size() == 0 && (op == provobs.OpFetch || op == provobs.OpDequeue) {
			s.empty[op].Add(1)
		}
	})
}

// Write prints one line per operation called: calls, calls per
// orchestration, empty polls, mean latency.
func (s *OpStats) Write(w io.Writer, orchestrations int64) {
	fmt.Fprintf(w, "%-16s %8s %9s %7s %9s %9s\n", "operation", "calls", "per orch", "empty", "mean ms", "max ms")
	for _, op := range provobs.Ops() {
		n := s.calls[op].Load()
		if n == 0 {
			continue
		}
		fmt.Fprintf(w, "%-16s %8d %9.2f %7d %9.3f %9.3f\n", op, n, float64(n)/float64(max(orchestrations, 1)),
			s.empty[op].Load(), float64(s.nanos[op].Load())/float64(n)/1e6, float64(s.max[op].Load())/1e6)
	}
}

// Mean returns the mean latency of op's calls so far.
func (s *OpStats) Mean(op provobs.Op) time.Duration {
	n := s.calls[op].Load()
	if n == 0 {
		return 0
	}
	return time.Duration(s.nanos[op].Load() / n)
}

// Max returns the longest call of op so far.
func (s *OpStats) Max(op provobs.Op) time.Duration { return time.Duration(s.max[op].Load()) }
