package redact_test

import (
	"syscall"
	"unsafe"
)

// threadCPU returns the CPU time of the calling thread in nanoseconds,
// from clock_gettime(CLOCK_THREAD_CPUTIME_ID) (getrusage counts in
// scheduler ticks, too coarse for a batch of BenchmarkBudget).
func threadCPU() int64 {
	const clockThreadCPUTime = 3
	var ts syscall.Timespec
	if _, _, errno := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTime, uintptr(unsafe.Pointer(&ts)), 0); errno != 0 {
		return 0
	}
	return ts.Nano()
}
