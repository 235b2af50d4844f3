package redact

import (
	"hash/crc32"
	"strings"
)

// vendor is one vendor credential format: a prefix, then a body of
// minLen to maxLen bytes of an alphabet (maxLen 0: no upper bound), at
// word boundaries, and a checksum where the vendor defines one.
type vendor struct {
	prefix         string
	alpha          func(byte) bool
	minLen, maxLen int
	check          func(body string) bool
}

func isUpperAlnum(c byte) bool { return isDigit(c) || isUpper(c) }
func isTokenChar(c byte) bool  { return isAlnum(c) || c == '-' }
func isGitLabChar(c byte) bool { return isB64URL(c) || c == '.' }
func isKeyRunChar(c byte) bool { return isB64URL(c) }

// vendors are the formats of [VendorTokens], each with its source.
var vendors = []vendor{
	// AWS access key ids: AKIA (long-term), ASIA (temporary, STS), ABIA
	// (STS service bearer), ACCA (context-specific), then 16 upper-case
	// letters and digits; 20 bytes in all. Source: AWS IAM User Guide,
	// "Unique identifier prefixes"; gitleaks rule aws-access-token, which
	// also lists the older A3T prefix.
	{prefix: "AKIA", alpha: isUpperAlnum, minLen: 16, maxLen: 16},
	{prefix: "ASIA", alpha: isUpperAlnum, minLen: 16, maxLen: 16},
	{prefix: "ABIA", alpha: isUpperAlnum, minLen: 16, maxLen: 16},
	{prefix: "ACCA", alpha: isUpperAlnum, minLen: 16, maxLen: 16},
	{prefix: "A3T", alpha: isUpperAlnum, minLen: 17, maxLen: 17},
	// GitHub classic tokens: ghp_ (personal), gho_ (OAuth), ghu_
	// (user-to-server), ghs_ (server-to-server), ghr_ (refresh), then 36
	// base62 bytes whose last 6 are the CRC32 (IEEE) of the first 30,
	// base62-encoded (0-9A-Za-z) and left-padded with '0'. Source: GitHub
	// blog, "Behind GitHub's new authentication token formats"
	// (2021-04-05); the checksum as CredSweeper's ValueGitHubCheck
	// verifies it.
	{prefix: "ghp_", alpha: isAlnum, minLen: 36, maxLen: 36, check: githubChecksum},
	{prefix: "gho_", alpha: isAlnum, minLen: 36, maxLen: 36, check: githubChecksum},
	{prefix: "ghu_", alpha: isAlnum, minLen: 36, maxLen: 36, check: githubChecksum},
	{prefix: "ghs_", alpha: isAlnum, minLen: 36, maxLen: 36, check: githubChecksum},
	{prefix: "ghr_", alpha: isAlnum, minLen: 36, maxLen: 36, check: githubChecksum},
	// GitHub fine-grained personal access tokens: github_pat_, then 82
	// bytes of [A-Za-z0-9_] (22, '_', 59). Source: gitleaks rule
	// github-fine-grained-pat; GitHub docs, "About authentication to
	// GitHub" (token prefixes).
	{prefix: "github_pat_", alpha: isWord, minLen: 82, maxLen: 82},
	// GitLab tokens: glpat- (personal, project and group access tokens),
	// gloas- (OAuth application secret), gldt- (deploy token), glrt-
	// (runner authentication), glcbt- (CI/CD job), glptt- (pipeline
	// trigger), glft- (feed), glimt- (incoming mail), glagent- (agent),
	// glsoat- (SCIM OAuth), then 20 or more bytes of [A-Za-z0-9_.-]
	// (routable tokens are longer and hold dots). Source: GitLab docs,
	// "GitLab token overview" (token prefixes); gitleaks rule gitlab-pat.
	{prefix: "glpat-", alpha: isGitLabChar, minLen: 20},
	{prefix: "gloas-", alpha: isGitLabChar, minLen: 20},
	{prefix: "gldt-", alpha: isGitLabChar, minLen: 20},
	{prefix: "glrt-", alpha: isGitLabChar, minLen: 20},
	{prefix: "glcbt-", alpha: isGitLabChar, minLen: 20},
	{prefix: "glptt-", alpha: isGitLabChar, minLen: 20},
	{prefix: "glft-", alpha: isGitLabChar, minLen: 20},
	{prefix: "glimt-", alpha: isGitLabChar, minLen: 20},
	{prefix: "glagent-", alpha: isGitLabChar, minLen: 20},
	{prefix: "glsoat-", alpha: isGitLabChar, minLen: 20},
	// Slack tokens: xoxb- (bot), xoxp- (user), xoxa- and xoxr- (app and
	// refresh), xoxs-, xoxo-, xoxe- (and xoxe.xoxp-, rotating), xapp-
	// (app-level), then 10 or more bytes of digits, letters and dashes.
	// Source: Slack API docs, "Token types"; gitleaks rules slack-bot-token,
	// slack-user-token, slack-app-token.
	{prefix: "xoxb-", alpha: isTokenChar, minLen: 10},
	{prefix: "xoxp-", alpha: isTokenChar, minLen: 10},
	{prefix: "xoxa-", alpha: isTokenChar, minLen: 10},
	{prefix: "xoxr-", alpha: isTokenChar, minLen: 10},
	{prefix: "xoxs-", alpha: isTokenChar, minLen: 10},
	{prefix: "xoxo-", alpha: isTokenChar, minLen: 10},
	{prefix: "xoxe-", alpha: isTokenChar, minLen: 10},
	{prefix: "xoxe.xoxp-", alpha: isTokenChar, minLen: 10},
	{prefix: "xapp-", alpha: isTokenChar, minLen: 10},
	// Stripe secret (sk_) and restricted (rk_) keys, live and test mode,
	// then 10 or more letters and digits. Publishable keys (pk_) are
	// public and pass. Source: Stripe docs, "API keys"; gitleaks rule
	// stripe-access-token.
	{prefix: "sk_live_", alpha: isAlnum, minLen: 10},
	{prefix: "sk_test_", alpha: isAlnum, minLen: 10},
	{prefix: "rk_live_", alpha: isAlnum, minLen: 10},
	{prefix: "rk_test_", alpha: isAlnum, minLen: 10},
	// Google API keys: AIza, then 35 bytes of [A-Za-z0-9_-]. Source:
	// Google Cloud docs, "Manage API keys"; gitleaks rule gcp-api-key.
	{prefix: "AIza", alpha: isB64URL, minLen: 35, maxLen: 35},
	// npm access tokens: npm_, then 36 letters and digits. Source: GitHub
	// blog, "Announcing npm's new access token format" (2021-09-23);
	// gitleaks rule npm-access-token.
	{prefix: "npm_", alpha: isAlnum, minLen: 36, maxLen: 36},
	// OpenAI-style secret keys: sk-, then 32 or more bytes of
	// [A-Za-z0-9_-] holding a digit; this covers OpenAI's legacy keys
	// (sk-…T3BlbkFJ…), project, service-account and admin keys
	// (sk-proj-, sk-svcacct-, sk-admin-) and Anthropic's (sk-ant-api03-).
	// Source: gitleaks rules openai-api-key and anthropic-api-key.
	{prefix: "sk-", alpha: isKeyRunChar, minLen: 32, check: hasDigit},
}

// vendorFirstBytes are the bytes a vendor prefix starts with: the
// trigger bytes of VendorTokens.
const vendorFirstBytes = "Agxsrn"

// pairs is the set of the first two bytes of every vendor prefix and of
// "Bearer" and "-----BEGIN" (from the B): a trigger byte at a word start is
// looked at further only when the next byte fits.
var pairs = func() (t [1 << 16 / 64]uint64) {
	add := func(a, b byte) { i := int(a)<<8 | int(b); t[i/64] |= 1 << (i % 64) }
	for _, v := range vendors {
		add(v.prefix[0], v.prefix[1])
	}
	for _, p := range []string{"be", "bE", "Be", "BE", "BEGIN"} {
		add(p[0], p[1])
	}
	return t
}()

// startPair reports whether a and b can start a vendor token, a bearer
// scheme or a PEM BEGIN.
func startPair(a, b byte) bool {
	i := int(a)<<8 | int(b)
	return pairs[i/64]&(1<<(i%64)) != 0
}

// minVendorLen is the length of the shortest vendor token ("xoxb-" and
// 10 bytes).
const minVendorLen = 15

// vendorsByByte[c] lists the vendors whose prefix starts with c.
var vendorsByByte = func() (t [256][]*vendor) {
	for i := range vendors {
		v := &vendors[i]
		t[v.prefix[0]] = append(t[v.prefix[0]], v)
	}
	return t
}()

// vendorAt matches a vendor token starting at p, at a word boundary.
func vendorAt(s string, p int) (int, int) {
	if p > 0 && (isWord(s[p-1]) || s[p-1] == '-') {
		return 0, 0
	}
	for _, v := range vendorsByByte[s[p]] {
		if !strings.HasPrefix(s[p:], v.prefix) {
			continue
		}
		b := p + len(v.prefix)
		e := b
		for e < len(s) && v.alpha(s[e]) {
			e++
		}
		for e > b && s[e-1] == '.' { // a sentence's full stop
			e--
		}
		n := e - b
		if n < v.minLen || v.maxLen > 0 && n > v.maxLen || e < len(s) && (isWord(s[e]) || s[e] == '-') {
			continue
		}
		if v.check != nil && !v.check(s[b:e]) {
			continue
		}
		return p, e
	}
	return 0, 0
}

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// githubChecksum reports whether the last 6 bytes of a 36-byte GitHub
// token body are the base62 CRC32 (IEEE) of its first 30.
func githubChecksum(body string) bool {
	return len(body) == 36 && body[30:] == githubCRC(body[:30])
}

// githubCRC returns the 6-byte checksum GitHub appends to random.
func githubCRC(random string) string {
	n := crc32.ChecksumIEEE([]byte(random))
	var out [6]byte
	for i := 5; i >= 0; i-- {
		out[i] = base62[n%62]
		n /= 62
	}
	return string(out[:])
}

func hasDigit(s string) bool {
	for i := range len(s) {
		if isDigit(s[i]) {
			return true
		}
	}
	return false
}
