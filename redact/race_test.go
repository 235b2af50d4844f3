//go:build race

package redact_test

// raceEnabled reports whether the race detector, which changes allocation
// counts, is on.
const raceEnabled = true
