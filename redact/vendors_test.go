package redact_test

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provobs/provobs/redact"
)

func TestVendorTokens(t *testing.T) {
	t.Parallel()
	fine := "github_pat_11ABCDEFG0" + strings.Repeat("a", 12) + "_" + strings.Repeat("Z9", 29) + "q"
	badSum := ghToken[:len(ghToken)-1] + "0"
	if badSum == ghToken {
		badSum = ghToken[:len(ghToken)-1] + "1"
	}
	tests := []struct{ name, in, want string }{
		{"AWS AKIA", "key AKIAIOSFODNN7EXAMPLE used", "key [REDACTED] used"},
		{"AWS ASIA in a quote", `"ASIAY34FZKBOKMUTVV7A"`, `"[REDACTED]"`},
		{"AWS ABIA, ACCA, A3T", "ABIA1234567890ABCDEF ACCA1234567890ABCDEF A3TX1234567890ABCDEF", "[REDACTED] [REDACTED] [REDACTED]"},
		{"AWS too short", "AKIAIOSFODNN7EXAMPL", "AKIAIOSFODNN7EXAMPL"},
		{"AWS too long", "AKIAIOSFODNN7EXAMPLEX", "AKIAIOSFODNN7EXAMPLEX"},
		{"AWS lower case", "AKIAiosfodnn7example", "AKIAiosfodnn7example"},
		{"AWS inside a word", "xAKIAIOSFODNN7EXAMPLE", "xAKIAIOSFODNN7EXAMPLE"},
		{"GitHub classic with checksum", "token " + ghToken + ".", "token [REDACTED]."},
		{"GitHub every prefix", ghMake("gho_", strings.Repeat("a", 30)) + " " + ghMake("ghu_", strings.Repeat("b", 30)) + " " +
			ghMake("ghs_", strings.Repeat("c", 30)) + " " + ghMake("ghr_", strings.Repeat("d", 30)), "[REDACTED] [REDACTED] [REDACTED] [REDACTED]"},
		{"GitHub bad checksum passes", badSum, badSum},
		{"GitHub fine-grained", "pat=" + fine, "pat=[REDACTED]"},
		{"GitLab personal", "glpat-xXxXxXxXxX0123456789", "[REDACTED]"},
		{"GitLab routable and deploy", "glpat-AbCdEfGhIjKlMnOpQrStUvWxYz0.01.1a2b3c4d5 gldt-abcdefghijklmnopqrst", "[REDACTED] [REDACTED]"},
		{"GitLab too short", "glpat-short", "glpat-short"},
		{"Slack bot", "xoxb-1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "[REDACTED]"},
		{"Slack user and app", "xoxp-1234567890-1234567890-1234567890-abcdef xapp-1-A0123ABCD-1234567890-abcdef0123", "[REDACTED] [REDACTED]"},
		{"Slack prefix alone", "xoxb-", "xoxb-"},
		{"Stripe live and test", "sk_live_4eC39HqLyjWDarjtT1zdp7dc sk_test_4eC39HqLyjWDarjtT1zdp7dc", "[REDACTED] [REDACTED]"},
		{"Stripe restricted", "rk_live_51H8cT2eZvKYlo2C0123456789", "[REDACTED]"},
		{"Stripe publishable passes", "pk_live_4eC39HqLyjWDarjtT1zdp7dc", "pk_live_4eC39HqLyjWDarjtT1zdp7dc"},
		{"Google API key", "AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe", "[REDACTED]"},
		{"Google too short", "AIzaSyDaGmWKa4JsXZ", "AIzaSyDaGmWKa4JsXZ"},
		{"npm", "npm_" + strings.Repeat("a1", 18), "[REDACTED]"},
		{"npm too long", "npm_" + strings.Repeat("a1", 19), "npm_" + strings.Repeat("a1", 19)},
		{"OpenAI project key", "sk-proj-" + strings.Repeat("Ab3", 20), "[REDACTED]"},
		{"OpenAI legacy key", "sk-" + strings.Repeat("x", 20) + "T3BlbkFJ" + strings.Repeat("y1", 10), "[REDACTED]"},
		{"Anthropic key", "sk-ant-api03-" + strings.Repeat("k9", 40), "[REDACTED]"},
		{"sk- without a digit passes", "sk-" + strings.Repeat("x", 40), "sk-" + strings.Repeat("x", 40)},
		{"task- is not sk-", "task-" + strings.Repeat("1", 40), "task-" + strings.Repeat("1", 40)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, scanned(t, tt.in, only(redact.VendorTokens)))
		})
	}
}

// TestGitHubChecksumOfARealFormat checks the checksum on GitHub's own
// published format: a token is 4 bytes of prefix, 30 random, 6 checksum.
func TestGitHubChecksumOfARealFormat(t *testing.T) {
	t.Parallel()
	require.Len(t, ghToken, 40)
	assert.Equal(t, "[REDACTED]", scanned(t, ghToken, only(redact.VendorTokens)))
	// Every single-byte change of the random part breaks the checksum.
	for i := 4; i < 34; i++ {
		b := []byte(ghToken)
		b[i] = map[bool]byte{true: 'b', false: 'a'}[b[i] == 'a']
		assert.Equal(t, string(b), scanned(t, string(b), only(redact.VendorTokens)), "byte %d changed", i)
	}
}

// refVendor is the reference for one vendor format: a plain regular
// expression, anchored at the candidate start, and an optional check.
type refVendor struct {
	re    *regexp.Regexp
	trim  bool // trailing dots are a sentence's, not the token's
	check func(tok string) bool
}

// refVendors is the differential reference for VendorTokens, written from
// the formats' sources independently of vendors.go: one regexp each.
var refVendors = func() []refVendor {
	gh := func(tok string) bool { return len(tok) == 40 && tok[34:] == ghChecksum(tok[4:34]) }
	mk := func(re string) refVendor { return refVendor{re: regexp.MustCompile(`^(?:` + re + `)`)} }
	out := []refVendor{
		mk(`(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}`), mk(`A3T[A-Z0-9]{17}`),
		{re: regexp.MustCompile(`^gh[pousr]_[A-Za-z0-9]{36}`), check: gh},
		mk(`github_pat_[A-Za-z0-9_]{82}`),
		{re: regexp.MustCompile(`^(?:glpat|gloas|gldt|glrt|glcbt|glptt|glft|glimt|glagent|glsoat)-[A-Za-z0-9_.\-]{20,}`), trim: true},
		mk(`(?:xox[bparsoe]|xoxe\.xoxp|xapp)-[A-Za-z0-9\-]{10,}`),
		mk(`[sr]k_(?:live|test)_[A-Za-z0-9]{10,}`),
		mk(`AIza[A-Za-z0-9_\-]{35}`),
		mk(`npm_[A-Za-z0-9]{36}`),
		{re: regexp.MustCompile(`^sk-[A-Za-z0-9_\-]{32,}`), check: func(tok string) bool { return strings.ContainsAny(tok[3:], "0123456789") }},
	}
	return out
}()

func isWordByte(c byte) bool {
	return c == '_' || c == '-' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// refMask masks what the reference finds in s: at every position after a
// non-word byte, the first format whose regexp matches up to a non-word
// byte.
func refMask(s string) string {
	var spans [][2]int
	for i := 0; i < len(s); i++ {
		if i > 0 && isWordByte(s[i-1]) {
			continue
		}
		for _, v := range refVendors {
			m := v.re.FindString(s[i:])
			if m == "" {
				continue
			}
			if v.trim {
				m = strings.TrimRight(m, ".")
				if len(v.re.FindString(m)) != len(m) {
					continue
				}
			}
			j := i + len(m)
			if j < len(s) && isWordByte(s[j]) || v.check != nil && !v.check(m) {
				continue
			}
			spans = append(spans, [2]int{i, j})
			break
		}
	}
	var b strings.Builder
	last := 0
	for _, sp := range spans {
		if sp[0] < last {
			last = max(last, sp[1])
			continue
		}
		b.WriteString(s[last:sp[0]])
		b.WriteString(redact.Redacted)
		last = sp[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

// TestVendorTokensAgreeWithReference compares VendorTokens with refMask on
// random and adversarial strings: tokens of every format, valid, one byte
// short or long, with a broken checksum, glued to words, repeated, around
// dots, dashes, quotes and invalid UTF-8.
func TestVendorTokensAgreeWithReference(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(21, 2026))
	const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	run := func(n int, alpha string) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = alpha[rng.IntN(len(alpha))]
		}
		return string(b)
	}
	piece := func() string {
		switch rng.IntN(14) {
		case 0:
			return []string{"AKIA", "ASIA", "ABIA", "ACCA", "A3T"}[rng.IntN(5)] + run(15+rng.IntN(4), "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
		case 1:
			r := run(30, alnum)
			tok := ghMake([]string{"ghp_", "gho_", "ghu_", "ghs_", "ghr_"}[rng.IntN(5)], r)
			if rng.IntN(3) == 0 {
				tok = tok[:len(tok)-1] + string(alnum[rng.IntN(len(alnum))])
			}
			return tok
		case 2:
			return "github_pat_" + run(80+rng.IntN(4), alnum+"_")
		case 3:
			return []string{"glpat-", "gldt-", "glrt-", "gloas-"}[rng.IntN(4)] + run(18+rng.IntN(6), alnum+"_-.")
		case 4:
			return []string{"xoxb-", "xoxp-", "xapp-", "xoxe.xoxp-", "xoxz-"}[rng.IntN(5)] + run(8+rng.IntN(30), alnum+"-")
		case 5:
			return []string{"sk_live_", "rk_test_", "pk_live_", "sk_prod_"}[rng.IntN(4)] + run(8+rng.IntN(20), alnum)
		case 6:
			return "AIza" + run(34+rng.IntN(3), alnum+"_-")
		case 7:
			return "npm_" + run(35+rng.IntN(3), alnum)
		case 8:
			return "sk-" + run(30+rng.IntN(20), alnum+"_-")
		case 9:
			return run(rng.IntN(6), alnum)
		case 10:
			return string([]byte{0xff, 0xfe})
		default:
			return []string{" ", ".", "-", "_", "\"", "=", ":", "/", "\n", "..", "é"}[rng.IntN(11)]
		}
	}
	differential(t, only(redact.VendorTokens), func() string {
		var b strings.Builder
		for range 1 + rng.IntN(6) {
			b.WriteString(piece())
		}
		return b.String()
	}, refMask, "a token")
}

// differential runs 4,000 inputs from gen through the handler with opts and
// through the reference ref, and fails on any difference. Both outcomes
// must be exercised (between 10 % and 90 % of the inputs masked), so the
// comparison is not vacuous; what names what is masked.
func differential(t *testing.T, opts *redact.Options, gen func() string, ref func(string) string, what string) {
	t.Helper()
	mismatches, masked := 0, 0
	for i := range 4000 {
		in := gen()
		got := scannedRaw(t, in, opts)
		if got != in {
			masked++
		}
		if want := ref(in); got != want {
			mismatches++
			if mismatches <= 5 {
				t.Errorf("case %d: %q\n got  %q\n want %q", i, in, got, want)
			}
		}
	}
	assert.Zero(t, mismatches, "mismatches out of 4000")
	assert.Greater(t, masked, 400, "cases with %s masked", what)
	assert.Less(t, masked, 3600, "cases with %s masked", what)
}

// scannedRaw is scanned for inputs that may not be valid UTF-8: the
// handler sees them whole and the JSON encoder would replace bad bytes,
// so it reads the text sink.
func scannedRaw(t *testing.T, s string, opts *redact.Options) string {
	t.Helper()
	var got string
	h := redact.NewHandler(captureHandler{func(v string) { got = v }}, opts)
	logString(t, h, s)
	return got
}
