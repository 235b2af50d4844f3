package redact_test

import (
	"bytes"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/provobs/provobs/redact"
)

// scanned logs s under a plain key with the given detectors and returns
// the value that reached the JSON handler.
func scanned(t *testing.T, s string, opts ...redact.Option) string {
	t.Helper()
	var buf bytes.Buffer
	newLogger(&buf, opts...).Info("m", "v", s)
	return decodeLine(t, buf.Bytes())["v"].(string)
}

func TestCardDetector(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"4111111111111111", "[REDACTED]"},
		{"4111 1111 1111 1111", "[REDACTED]"},
		{"4111-1111-1111-1111", "[REDACTED]"},
		{"amex 3782-822463-10005 ok", "amex [REDACTED] ok"},    // 15 digits, 4-6-5
		{"4222222222222", "[REDACTED]"},                        // 13 digits
		{"6011000990139424", "[REDACTED]"},                     // discover
		{"3530111333300000", "[REDACTED]"},                     // JCB
		{"6759649826438453", "[REDACTED]"},                     // maestro
		{"4111111111111111110", "[REDACTED]"},                  // 19 digits, Luhn-valid
		{"4111111111111112", "4111111111111112"},               // Luhn fails
		{"411111111111", "411111111111"},                       // 12 digits: too short
		{"41111111111111111111111", "41111111111111111111111"}, // 23 digits, no groups
		{"4111 1111 1111 1111 2030", "[REDACTED] 2030"},        // card followed by a group
		{"id 12-4111-1111-1111-1111", "id 12-[REDACTED]"},      // group before the card
		{"a 4111111111111111, b 5555555555554444.", "a [REDACTED], b [REDACTED]."},
		{"4111  1111 1111 1111", "4111  1111 1111 1111"},     // double space breaks the run
		{"ts 1732600000000000000", "ts 1732600000000000000"}, // Luhn fails
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, scanned(t, tt.in, redact.WithCardNumbers()))
		})
	}
}

func TestBearerDetector(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"Bearer abc", "Bearer [REDACTED]"},
		{"authorization: BEARER a-b.c_d~e+f/g==", "authorization: BEARER [REDACTED]"},
		{"bearer\tx y", "bearer\t[REDACTED] y"},
		{"Bearer", "Bearer"},
		{"Bearer ", "Bearer "},
		{"Bearerabc", "Bearerabc"},
		{"xbearer abc", "xbearer abc"},
		{"two: Bearer a, Bearer b", "two: Bearer [REDACTED], Bearer [REDACTED]"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, scanned(t, tt.in, redact.WithBearerTokens()))
		})
	}
}

func TestJWTDetector(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{jwt, "[REDACTED]"},
		{"t=" + jwt + ";", "t=[REDACTED];"},
		{"eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.", "[REDACTED]"}, // unsecured: empty signature
		{"eyJhbGciOiJub25lIn0.", "eyJhbGciOiJub25lIn0."},
		{"eyJa..b", "eyJa..b"},
		{"xeyJa.b.c", "xeyJa.b.c"},
		{"eyJ", "eyJ"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, scanned(t, tt.in, redact.WithJWTs()))
		})
	}
}

func TestDetectorsCombined(t *testing.T) {
	t.Parallel()
	all := []redact.Option{
		redact.WithCardNumbers(), redact.WithBearerTokens(), redact.WithJWTs(),
		redact.WithPatterns(regexp.MustCompile(`AKIA[0-9A-Z]{16}`), nil, regexp.MustCompile(`x*`)),
	}
	tests := []struct{ in, want string }{
		{"Bearer " + jwt, "Bearer [REDACTED]"}, // overlapping matches are masked once
		{"AKIAABCDEFGHIJKLMNOP4111111111111111", "[REDACTED]"},
		{"aws AKIAABCDEFGHIJKLMNOP card 4111111111111111 end", "aws [REDACTED] card [REDACTED] end"},
		{"only empty matches", "only empty matches"}, // x* matches empty strings: nothing masked
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, scanned(t, tt.in, all...))
		})
	}
}
