package bench

import (
	"fmt"
	"slices"
	"time"
)

// Sample is one run of a workload.
type Sample struct {
	Completed int64
	Failed    int64
	Elapsed   time.Duration
	PerSec    float64 // completed orchestrations per second of Elapsed
	P50, P99  time.Duration
}

// String renders the sample as one summary line.
func (s Sample) String() string {
	return fmt.Sprintf("%d done, %d failed in %v: %.1f orch/s, p50 %v, p99 %v",
		s.Completed, s.Failed, s.Elapsed.Round(time.Millisecond), s.PerSec,
		s.P50.Round(10*time.Microsecond), s.P99.Round(10*time.Microsecond))
}

// Percentile returns the nearest-rank percentile p (0 < p <= 1) of d, the
// method stress.Result.Latency uses. It sorts d in place.
func Percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	i := int(p*float64(len(d))+0.999999) - 1
	return d[max(0, min(i, len(d)-1))]
}

// Median returns the median of the samples' throughput, p50 and p99, each
// taken on its own (benchstat-style: the median of each figure over runs).
func Median(ss []Sample) Sample {
	if len(ss) == 0 {
		return Sample{}
	}
	med := func(f func(Sample) float64) float64 {
		v := make([]float64, len(ss))
		for i, s := range ss {
			v[i] = f(s)
		}
		slices.Sort(v)
		if len(v)%2 == 1 {
			return v[len(v)/2]
		}
		return (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	var failed int64
	for _, s := range ss {
		failed += s.Failed
	}
	return Sample{
		Completed: int64(med(func(s Sample) float64 { return float64(s.Completed) })),
		Failed:    failed,
		Elapsed:   time.Duration(med(func(s Sample) float64 { return float64(s.Elapsed) })),
		PerSec:    med(func(s Sample) float64 { return s.PerSec }),
		P50:       time.Duration(med(func(s Sample) float64 { return float64(s.P50) })),
		P99:       time.Duration(med(func(s Sample) float64 { return float64(s.P99) })),
	}
}

// Spread returns the lowest and highest throughput of ss.
func Spread(ss []Sample) (lo, hi float64) {
	for i, s := range ss {
		if i == 0 || s.PerSec < lo {
			lo = s.PerSec
		}
		if i == 0 || s.PerSec > hi {
			hi = s.PerSec
		}
	}
	return lo, hi
}

// Ms formats d in milliseconds with two decimals.
func Ms(d time.Duration) string { return fmt.Sprintf("%.2f", float64(d)/float64(time.Millisecond)) }

// MedianFloat returns the median of v.
func MedianFloat(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(v))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// Floats formats v with two decimals, space-separated.
func Floats(v []float64) string {
	var b []byte
	for i, x := range v {
		if i > 0 {
			b = append(b, ' ')
		}
		b = fmt.Appendf(b, "%.2f", x)
	}
	return string(b)
}
