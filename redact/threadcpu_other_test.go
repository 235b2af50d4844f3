//go:build !linux

package redact_test

import "time"

// threadCPU falls back to the wall clock where the thread CPU clock is not
// read (BenchmarkBudget's ratio is then as noisy as the machine).
func threadCPU() int64 { return time.Now().UnixNano() }
