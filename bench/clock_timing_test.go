package bench

import (
	"testing"
	"time"
)

var (
	sinkD time.Duration
	epoch = time.Now()
)

// BenchmarkClock compares the two ways to time an operation that
// provobs.Observe could use: time.Now then time.Since (a wall and a
// monotonic reading, then a monotonic one), against two monotonic readings
// relative to a fixed epoch (time.Since(epoch) twice):
//
//	cd bench && go test -run='^$' -bench=BenchmarkClock -count=10 .
func BenchmarkClock(b *testing.B) {
	b.Run("now+since", func(b *testing.B) {
		for b.Loop() {
			start := time.Now()
			sinkD = time.Since(start)
		}
	})
	b.Run("since-epoch-twice", func(b *testing.B) {
		for b.Loop() {
			start := time.Since(epoch)
			sinkD = time.Since(epoch) - start
		}
	})
}
