package redact

import (
	"syscall"
	"testing"
)

// plainMatch is trailing-word matching done the plain way, kept here as the
// baseline of BenchmarkKeyMatch: normalise the key into a stack buffer,
// noting where each word starts, then look every run of trailing words up
// in the map. ASCII keys of up to 64 bytes only.
func plainMatch(all map[string]struct{}, key string) bool {
	var buf [maxStackKey]byte
	var starts [maxStackKey]uint8
	n, w := 0, 0
	for i := 0; i < len(key) && n < len(buf); i++ {
		c := key[i]
		if isSeparator(c) {
			continue
		}
		if start, _ := wordStart(key, i); start {
			starts[w] = uint8(n)
			w++
		}
		if isUpper(c) {
			c += 'a' - 'A'
		}
		buf[n] = c
		n++
	}
	for _, st := range starts[:w] {
		if _, ok := all[string(buf[st:n])]; ok {
			return true
		}
	}
	return false
}

// benchKeys are the keys of the handler benchmark's record (with its group
// names), plus two that match.
var benchKeys = []string{"operation", "instance_id", "duration_ms", "messages", "error_type", "retryable",
	"worker", "id", "lease", "renewed", "wait", "db_password", "accessToken"}

// BenchmarkKeyMatch compares the reversed trie the handler uses with
// plainMatch, the map-only way, on benchKeys with DefaultKeys.
func BenchmarkKeyMatch(b *testing.B) {
	keys := map[string]struct{}{}
	for _, k := range defaultKeys {
		keys[NormalizeKey(k)] = struct{}{}
	}
	ks := newKeySet(keys, false)
	for _, k := range benchKeys {
		if ks.match(k) != plainMatch(keys, k) {
			b.Fatalf("trie and map disagree on %q", k)
		}
	}
	for name, match := range map[string]func(string) bool{
		"trie": ks.match,
		"map":  func(k string) bool { return plainMatch(keys, k) },
	} {
		b.Run(name, func(b *testing.B) {
			start := cpuNanos()
			for b.Loop() {
				for _, k := range benchKeys {
					match(k)
				}
			}
			b.ReportMetric(float64(cpuNanos()-start)/float64(b.N), "cpu-ns/op")
		})
	}
}

// cpuNanos is the CPU time the process has used (see cpuTime in
// handler_timing_test.go).
func cpuNanos() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
