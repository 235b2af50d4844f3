//go:build race

package provobs

// pooled is false under the race detector: every call through a wrapped
// Provider gets a Call of its own, never reused, so an interceptor that
// keeps one past its operation reads a zero Call and a test run with -race
// shows it (see Call's lifetime).
const pooled = false
