package redact

import (
	"math"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// Detector names built-in value detectors; values combine with |. Each
// masks only the part of a string that matches.
type Detector uint16

const (
	// CardNumbers: 13 to 19 digits, bare or grouped by single spaces or
	// dashes, that pass the Luhn check.
	CardNumbers Detector = 1 << iota
	// BearerTokens: the token of "Bearer <token>" (scheme in any case).
	BearerTokens
	// JWTs: three dot-separated base64url segments, the first starting
	// "eyJ" (the signature may be empty).
	JWTs
	// URLCredentials: the password of "scheme://user:password@host" (the
	// userinfo is what precedes the last '@' before the first '/', '?',
	// '#' or space after "://"), and the value of a query parameter
	// ("?token=...", "&password=...") whose name is a sensitive key.
	URLCredentials
	// PrivateKeys: a PEM block "-----BEGIN ... PRIVATE KEY-----" through its
	// END line, or through the end of the string when that is missing.
	PrivateKeys
	// KeyValuePairs: the value of "key=value" or "key: value" (spaces
	// allowed around '=' and after ':'; a bare key is letters, digits and
	// _ - . and a quoted one, as in JSON, anything up to 128 bytes) when key
	// is a sensitive key. A quoted value is masked up to its
	// closing quote, a bare one up to a space or a quote (in a URL query,
	// also '&' or '#').
	// An authorization scheme (Basic, Bearer, Digest, Negotiate, Token)
	// masks the credential after it too.
	KeyValuePairs

	// AllDetectors is every built-in detector.
	AllDetectors = CardNumbers | BearerTokens | JWTs | URLCredentials | PrivateKeys | KeyValuePairs
)

// triggers[c] holds the detectors that look at a string where byte c is. A
// string needs the full scan only when it holds one of these bytes other
// than a digit, or 13 digits (the shortest card).
var triggers = func() (t [256]Detector) {
	for c := '0'; c <= '9'; c++ {
		t[c] |= CardNumbers
	}
	t['b'] |= BearerTokens
	t['B'] |= BearerTokens | PrivateKeys // the B of "-----BEGIN"
	t['J'] |= JWTs                       // the J of "eyJ"
	t[':'] |= URLCredentials | KeyValuePairs
	t['='] |= URLCredentials | KeyValuePairs
	return t
}()

// detectors is the immutable value-detection setup of a handler.
type detectors struct {
	on       Detector
	trig     [256]bool  // trig[c]: a detector that is on may start from byte c
	fast     [256]uint8 // 2: a byte of trig other than a digit; 1: a digit, counted by match when CardNumbers is on
	minLen   int        // the shortest string any detector that is on can match in
	patterns []*regexp.Regexp
	keys     *keySet // sensitive keys, for KeyValuePairs and query parameters
	allowed  *keySet // keys that are never sensitive
}

// active reports whether any detector is on.
func (d *detectors) active() bool { return d.on != 0 || len(d.patterns) > 0 }

// span is a half-open byte range [start, end) of a string.
type span struct{ start, end int }

// match reports whether any detector finds a non-empty match in s. A
// string without a byte a detector starts from is settled here, inline.
func (d *detectors) match(s string) bool {
	if len(s) < d.minLen {
		return false
	}
	digits := 0
	for i := 0; i < len(s); i++ {
		x := d.fast[s[i]]
		if x > 1 {
			return d.matchSlow(s)
		}
		digits += int(x)
	}
	return digits >= 13 && d.matchSlow(s)
}

func (d *detectors) matchSlow(s string) bool {
	if d.on != 0 && !d.each(s, func(int, int) bool { return false }) {
		return true
	}
	for _, re := range d.patterns {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}

// mask replaces every match in s with [Redacted]. Overlapping and adjacent
// matches are masked once. It reports whether anything was masked.
func (d *detectors) mask(s string) (string, bool) {
	var buf [8]span
	spans := buf[:0]
	if d.on != 0 {
		d.each(s, func(i, j int) bool {
			spans = append(spans, span{i, j})
			return true
		})
	}
	for _, re := range d.patterns {
		for _, m := range re.FindAllStringIndex(s, -1) {
			if m[1] > m[0] {
				spans = append(spans, span{m[0], m[1]})
			}
		}
	}
	if len(spans) == 0 {
		return s, false
	}
	slices.SortFunc(spans, func(a, b span) int { return a.start - b.start })
	var b strings.Builder
	b.Grow(len(s))
	last := 0 // end of the text already written or masked
	for k := 0; k < len(spans); {
		start, end := spans[k].start, spans[k].end
		for k++; k < len(spans) && spans[k].start <= end; k++ {
			end = max(end, spans[k].end)
		}
		start = max(start, last)
		b.WriteString(s[last:start])
		b.WriteString(Redacted)
		last = max(last, end)
	}
	b.WriteString(s[last:])
	return b.String(), true
}

// newDetectors returns the setup for the built-in detectors on and the
// caller's patterns.
func newDetectors(on Detector, patterns []*regexp.Regexp, keys, allowed *keySet) detectors {
	d := detectors{on: on, patterns: slices.Clone(patterns), keys: keys, allowed: allowed}
	// The shortest match of each: a key is at least as many bytes as its
	// normal form has runes.
	minKey := math.MaxInt32
	for k := range keys.all {
		minKey = min(minKey, utf8.RuneCountInString(k))
	}
	d.minLen = math.MaxInt32
	for _, m := range []struct {
		d   Detector
		len int
	}{
		{CardNumbers, 13}, {BearerTokens, len("bearer x")}, {JWTs, len("eyJ.x.")}, {PrivateKeys, len("-----BEGIN PRIVATE KEY-----")},
		{URLCredentials, min(len("://:x@"), minKey+len("?=x"))}, {KeyValuePairs, minKey + len("=x")},
	} {
		if on&m.d != 0 {
			d.minLen = min(d.minLen, m.len)
		}
	}
	if len(patterns) > 0 {
		d.minLen = 1
	}
	for c := range d.trig {
		d.trig[c] = triggers[c]&on != 0 || len(patterns) > 0 // a pattern may start anywhere
		switch {
		case d.trig[c] && (triggers[c]&^CardNumbers&on != 0 || len(patterns) > 0):
			d.fast[c] = 2
		case '0' <= c && c <= '9' && on&CardNumbers != 0:
			d.fast[c] = 1
		}
	}
	return d
}

// next returns the index of the first byte at or after p that a detector
// starts from, or len(s).
func (d *detectors) next(s string, p int) int {
	for p < len(s) && !d.trig[s[p]] {
		p++
	}
	return p
}

// each calls yield with every non-empty match [i, j) of the built-in
// detectors in s, in one pass over s that stops only at bytes a detector
// starts from (triggers). It returns false if yield did.
func (d *detectors) each(s string, yield func(i, j int) bool) bool {
	for p := d.next(s, 0); p < len(s); p = d.next(s, p+1) {
		c := s[p]
		t := triggers[c] & d.on
		if t == 0 {
			continue // a byte only a pattern may start from
		}
		var i, j int
		switch {
		case t&CardNumbers != 0:
			end := cardRunEnd(s, p)
			for from := p; end-from >= 13; { // 13 digits at least
				ci, cj, ok := findCard(s, from, end)
				if !ok {
					break
				}
				if !yield(ci, cj) {
					return false
				}
				from = cj
			}
			p = end - 1
			continue
		case c == 'B' && t&PrivateKeys != 0 && p >= 5 && s[p-5:p] == "-----":
			i, j = pemAt(s, p-5)
		case c == 'b' || c == 'B':
			if t&BearerTokens != 0 {
				i, j = bearerAt(s, p)
			}
		case c == 'J':
			i, j = jwtAt(s, p)
		case c == ':' && t&URLCredentials != 0 && strings.HasPrefix(s[p:], "://"):
			i, j = userinfoAt(s, p+3)
		default: // ':' or '='
			i, j = d.pairAt(s, p)
		}
		if j > i && !yield(i, j) {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isAlnum(c byte) bool {
	return isDigit(c) || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

// isB64URL reports whether c is in the base64url alphabet.
func isB64URL(c byte) bool { return isAlnum(c) || c == '-' || c == '_' }

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// findCard finds a payment card number in the run of digit groups s[from:end]
// (see cardRunEnd): 13 to 19 digits, optionally in groups separated by
// single spaces or dashes, that pass the Luhn check. The run is searched
// group by group, so a card number followed by more digit groups ("4111
// 1111 1111 1111 2030") is still found.
func findCard(s string, from, end int) (int, int, bool) {
	for g := from; g < end; g = nextGroup(s, g, end) {
		best := -1
		digits := 0
		for e := g; e < end; {
			ge := groupEnd(s, e)
			digits += ge - e
			if digits > 19 {
				break
			}
			if digits >= 13 && luhn(s[g:ge]) {
				best = ge
			}
			e = ge + 1 // skip the separator
		}
		if best >= 0 {
			return g, best, true
		}
	}
	return 0, 0, false
}

// cardRunEnd returns the end of the run of digit groups starting at i.
func cardRunEnd(s string, i int) int {
	for {
		i = groupEnd(s, i)
		if i+1 < len(s) && (s[i] == ' ' || s[i] == '-') && isDigit(s[i+1]) {
			i++
			continue
		}
		return i
	}
}

// groupEnd returns the end of the digits starting at i.
func groupEnd(s string, i int) int {
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

// nextGroup returns the start of the group after the one starting at g, or
// end.
func nextGroup(s string, g, end int) int {
	g = groupEnd(s, g)
	if g < end {
		g++ // separator
	}
	return g
}

// luhn reports whether the digits of s (separators skipped) pass the Luhn
// checksum.
func luhn(s string) bool {
	sum, double := 0, false
	for i := len(s) - 1; i >= 0; i-- {
		c := s[i]
		if !isDigit(c) {
			continue
		}
		d := int(c - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// bearerAt matches the credential of "Bearer <token>" whose scheme starts
// at p (RFC 6750 token characters). Only the token is matched, so the
// masked text reads "Bearer [REDACTED]".
func bearerAt(s string, p int) (int, int) {
	const scheme = "bearer"
	if p+len(scheme) >= len(s) || !strings.EqualFold(s[p:p+len(scheme)], scheme) || (p > 0 && isAlnum(s[p-1])) {
		return 0, 0
	}
	k := p + len(scheme)
	ws := k
	for k < len(s) && (s[k] == ' ' || s[k] == '\t') {
		k++
	}
	if k == ws {
		return 0, 0
	}
	t := k
	for t < len(s) && isBearerChar(s[t]) {
		t++
	}
	for t < len(s) && s[t] == '=' {
		t++
	}
	return k, t
}

// isBearerChar reports whether c may appear in an RFC 6750 b64token.
func isBearerChar(c byte) bool {
	return isAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/'
}

// jwtAt matches a JSON Web Token whose "eyJ" ends at p: three base64url
// segments separated by dots. The signature segment may be empty (unsecured
// JWTs).
func jwtAt(s string, p int) (int, int) {
	i := p - 2
	if i < 0 || s[i] != 'e' || s[i+1] != 'y' || (i > 0 && isB64URL(s[i-1])) {
		return 0, 0
	}
	j := b64End(s, i)
	if j >= len(s) || s[j] != '.' {
		return 0, 0
	}
	k := b64End(s, j+1)
	if k == j+1 || k >= len(s) || s[k] != '.' {
		return 0, 0
	}
	return i, b64End(s, k+1)
}

func b64End(s string, i int) int {
	for i < len(s) && isB64URL(s[i]) {
		i++
	}
	return i
}

// pemAt matches a PEM private-key block starting at p, through its END
// line, or through the end of s when that is missing (a truncated key is
// still a key).
func pemAt(s string, p int) (int, int) {
	const begin, dashes = "-----BEGIN ", "-----"
	// 27 bytes: "-----BEGIN PRIVATE KEY-----", the shortest start of a block.
	if len(s)-p < 27 || s[p+1] != '-' || !strings.HasPrefix(s[p:], begin) {
		return 0, 0
	}
	rest := s[p+len(begin):]
	label := strings.Index(rest, dashes)
	if label < 0 || !strings.Contains(rest[:label], "PRIVATE KEY") {
		return 0, 0
	}
	end := strings.Index(rest, "-----END ")
	if end < 0 {
		return p, len(s)
	}
	close := strings.Index(rest[end+len("-----END "):], dashes)
	if close < 0 {
		return p, len(s)
	}
	return p, p + len(begin) + end + len("-----END ") + close + len(dashes)
}

// userinfoAt matches the password of a URL's userinfo; a is the first byte
// after "://".
func userinfoAt(s string, a int) (int, int) {
	e := a
	for e < len(s) && !isSpace(s[e]) && s[e] != '/' && s[e] != '?' && s[e] != '#' && s[e] != '"' && s[e] != '\'' && s[e] != '>' {
		e++
	}
	at := strings.LastIndexByte(s[a:e], '@')
	if at < 0 {
		return 0, 0
	}
	colon := strings.IndexByte(s[a:a+at], ':')
	if colon < 0 {
		return 0, 0
	}
	return a + colon + 1, a + at
}

// maxQuotedKey bounds how far back a quoted key is looked for.
const maxQuotedKey = 128

func isKeyChar(c byte) bool { return isAlnum(c) || c == '_' || c == '-' || c == '.' }

// pairAt matches the value of "key=value" or "key: value" whose '=' or ':'
// is at p, when key is sensitive. With URLCredentials alone it matches
// query parameters only ('?' or '&' before the key).
func (d *detectors) pairAt(s string, p int) (int, int) {
	// The key, possibly quoted, with spaces before '='.
	k := p
	for k > 0 && s[k-1] == ' ' && s[p] == '=' {
		k--
	}
	quote := byte(0)
	if k > 0 && (s[k-1] == '"' || s[k-1] == '\'') {
		quote = s[k-1]
		k--
	}
	ke := k
	if quote != 0 { // a quoted key runs back to its opening quote
		open := strings.LastIndexByte(s[max(0, ke-maxQuotedKey):ke], quote)
		if open < 0 {
			return 0, 0
		}
		k = max(0, ke-maxQuotedKey) + open + 1
	} else {
		for k > 0 && isKeyChar(s[k-1]) {
			k--
		}
	}
	if k == ke {
		return 0, 0
	}
	query := s[p] == '=' && quote == 0 && k > 0 && (s[k-1] == '?' || s[k-1] == '&')
	if d.on&KeyValuePairs == 0 && !query {
		return 0, 0
	}
	if key := s[k:ke]; !d.keys.match(key) || d.allowed.hasWhole(key) {
		return 0, 0
	}
	// The value.
	v := p + 1
	for v < len(s) && (s[v] == ' ' || s[v] == '\t') {
		v++
	}
	if v == len(s) {
		return 0, 0
	}
	if q := s[v]; q == '"' || q == '\'' {
		e := v + 1
		for e < len(s) && s[e] != q {
			if s[e] == '\\' {
				e++
			}
			e++
		}
		return v + 1, min(e, len(s))
	}
	e := bareEnd(s, v, query)
	if isAuthScheme(s[v:e]) && e+1 < len(s) && s[e] == ' ' && !isSpace(s[e+1]) {
		e = bareEnd(s, e+1, query)
	}
	return v, e
}

// bareEnd returns the end of an unquoted value starting at v: a space or a
// quote, and in a query also '&' or '#'.
func bareEnd(s string, v int, query bool) int {
	e := v
	for e < len(s) && !isSpace(s[e]) && s[e] != '"' && s[e] != '\'' && !(query && (s[e] == '&' || s[e] == '#')) {
		e++
	}
	return e
}

// isAuthScheme reports whether w is an HTTP authorization scheme whose
// credential follows it after a space.
func isAuthScheme(w string) bool {
	for _, s := range [...]string{"basic", "bearer", "digest", "negotiate", "token"} {
		if strings.EqualFold(w, s) {
			return true
		}
	}
	return false
}
