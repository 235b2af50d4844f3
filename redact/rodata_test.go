package redact

import (
	"log/slog"
	"runtime"
	"strings"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLiteralsRange checks where the value cache applies: string literals
// are in the read-only range, strings built at run time are not.
func TestLiteralsRange(t *testing.T) {
	ro := literals()
	if runtime.GOOS != "linux" {
		require.Zero(t, ro.n, "the range is only known on linux")
		return
	}
	require.NotZero(t, ro.n)
	built := strings.Repeat("operation", 2)
	for _, tc := range []struct {
		name string
		s    string
		want bool
	}{
		{"probe literal", roProbe, true},
		{"other literal", "fetched orchestration item", true},
		{"heap string", built, false},
		{"substring of a heap string", built[3:], false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, ro.has(tc.s))
		})
	}
}

// TestValueCacheAgreesWithDetectors checks that a remembered result is
// the detectors' own, on the first and on later calls, for literals that
// hold a secret and literals that do not, and for the same text outside
// the read-only range.
func TestValueCacheAgreesWithDetectors(t *testing.T) {
	h := NewHandler(slog.DiscardHandler, nil).(*handler)
	for _, s := range []string{
		"fetched orchestration item",
		"none",
		"postgres://app:hunter2@db:5432/app",
		"Authorization: Bearer abc.def.ghi",
		"card 4111 1111 1111 1111 declined",
		"order-42",
	} {
		want := h.c.det.match(s)
		heap := strings.Clone(s)
		for range 3 {
			assert.Equal(t, want, h.c.matches(s), "literal %q", s)
			assert.Equal(t, want, h.c.matches(heap), "heap copy of %q", s)
		}
	}
}

// TestKeyOverReusedBufferIsNotTrusted: a key made with unsafe.String over a
// buffer that is later rewritten (as zero-copy decoders do) is decided by
// its content on every record, never by its address: after the first
// record named it "status", the same bytes say "secret" and the value must
// not pass.
func TestKeyOverReusedBufferIsNotTrusted(t *testing.T) {
	var out strings.Builder
	logger := slog.New(NewHandler(slog.NewJSONHandler(&out, nil), nil))
	buf := []byte("status")
	key := unsafe.String(&buf[0], len(buf))
	logger.Info("first", slog.String(key, "fetch"))
	require.Contains(t, out.String(), `"status":"fetch"`)
	copy(buf, "secret")
	out.Reset()
	logger.Info("second", slog.String(key, "hunter2-secret"))
	assert.NotContains(t, out.String(), "hunter2-secret")
}
