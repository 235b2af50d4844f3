package redact

import (
	"math"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// Detector names built-in value detectors; values combine with |. Each
// masks only the part of a string that matches, and all of them share one
// pass over the string (see [Options.Detectors]).
type Detector uint16

const (
	// CardNumbers: 13 to 19 digits, bare or grouped by single spaces or
	// dashes, starting with 2 to 6 (the ISO/IEC 7812 major industry
	// identifiers of payment cards), not touching a letter, that pass the
	// Luhn check. Epoch milliseconds and nanoseconds start with 1, and
	// digits inside a hex id or a hash touch letters: they pass.
	CardNumbers Detector = 1 << iota
	// BearerTokens: the token of "Bearer <token>" (scheme in any case).
	BearerTokens
	// JWTs: three dot-separated base64url segments, the first starting
	// "eyJ" (the signature may be empty).
	JWTs
	// DSNs: the password of a connection string. URL userinfo of any
	// scheme ("postgres://user:password@host", "amqp://", "mongodb+srv://",
	// "redis://:password@host"; the userinfo is what precedes the last '@'
	// before the first '/', '?', '#', space or quote after "://", within
	// 256 bytes), go-sql-driver/mysql's "user:password@proto(addr)/db" and
	// "user:password@/db", and the value of a URL query parameter
	// ("?token=", "&password=") whose name is a sensitive key. The user
	// name and the host stay readable; a percent-encoded password is
	// masked whole. libpq keyword/value, JDBC and ADO.NET lists are
	// key=value pairs: see KeyValuePairs.
	DSNs
	// PrivateKeys: a PEM block "-----BEGIN ... PRIVATE KEY-----" through its
	// END line, or through the end of the string when that is missing.
	PrivateKeys
	// KeyValuePairs: the value of "key=value" or "key: value" when key is
	// a sensitive key (spaces allowed around '=' and after ':'; a bare key
	// is letters, digits and _ - . and a quoted one, as in JSON, anything
	// up to 128 bytes). A quoted value ('...', "..." or ODBC's {...}) is
	// masked up to its closing quote; a bare one up to a space or a quote,
	// in a URL query or a form body also '&' or '#', and in a ';' list
	// (JDBC, ADO.NET: "Server=db;User Id=bob;Password=pw;") the ';' that
	// starts the next key=value. An authorization scheme (Basic, Bearer,
	// Digest, Negotiate, Token) masks the credential after it too. A
	// string that holds a JSON object or array is rewritten as JSON: the
	// value of a member whose name is sensitive (string, number, object,
	// array or literal) becomes "[REDACTED]", the detectors run on its
	// other string members, and the result still parses.
	KeyValuePairs
	// VendorTokens: vendor credentials matched by prefix, length and
	// alphabet at word boundaries, with the checksum where the vendor
	// defines one; each format and its source is listed in vendors.go
	// (AWS access key ids, GitHub classic and fine-grained tokens, GitLab
	// tokens, Slack tokens, Stripe secret and restricted keys, Google API
	// keys, npm tokens, OpenAI-style "sk-" keys). There is no "long random
	// string" rule: trace ids, hashes and UUIDs pass.
	VendorTokens

	// AllDetectors is every built-in detector, the default.
	AllDetectors = CardNumbers | BearerTokens | JWTs | DSNs | PrivateKeys | KeyValuePairs | VendorTokens

	// NoDetectors, as [Options.Detectors], runs no built-in detector.
	NoDetectors Detector = 1 << 15
)

// The actions of the trigger table: what to try at a byte.
const (
	actCard   = 1 + iota // a digit
	actB                 // 'b' or 'B': bearer, and PEM's "-----BEGIN"
	actJ                 // 'J' of "eyJ"
	actColon             // ':' of "://" or of "key: value"
	actEquals            // '=' of "key=value"
	actAt                // '@' of mysql's "user:pass@tcp("
	actVendor            // the first byte of a vendor token prefix
)

// detectors is the immutable value-detection setup of a handler.
type detectors struct {
	on       Detector
	act      [256]uint8 // act[c]: what a detector that is on tries at byte c, 0 for nothing
	short    [256]uint8 // act without the formats no string shorter than minLong holds
	minLen   int        // the shortest string a detector that is on can match in
	patterns []*regexp.Regexp
	keys     *keySet // sensitive keys, for KeyValuePairs and query parameters
	allowed  *keySet // keys that are never sensitive
}

// newDetectors returns the setup for the built-in detectors on and the
// caller's patterns.
func newDetectors(on Detector, patterns []*regexp.Regexp, keys, allowed *keySet) detectors {
	d := detectors{on: on & AllDetectors, keys: keys, allowed: allowed}
	for _, re := range patterns {
		if re != nil {
			d.patterns = append(d.patterns, re)
		}
	}
	set := func(det Detector, act uint8, bytes string) {
		if d.on&det != 0 {
			for i := range len(bytes) {
				d.act[bytes[i]] = act
			}
		}
	}
	set(CardNumbers, actCard, "0123456789")
	set(BearerTokens, actB, "bB")
	set(PrivateKeys, actB, "B")
	set(JWTs, actJ, "J")
	set(DSNs, actColon, ":")
	set(DSNs, actEquals, "=")
	set(DSNs, actAt, "@")
	set(KeyValuePairs, actColon, ":")
	set(KeyValuePairs, actEquals, "=")
	set(VendorTokens, actVendor, vendorFirstBytes)
	// A card (13 digits), a vendor token (minVendorLen) and a PEM block
	// do not fit in a string shorter than minLong: there, digits and
	// vendor letters are not triggers, and 'B' only starts "Bearer".
	for c, a := range d.act {
		if a != actCard && a != actVendor {
			d.short[c] = a
		}
	}
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
		{CardNumbers, 13}, {BearerTokens, len("bearer x")}, {JWTs, len("eyJ.x.")},
		{PrivateKeys, len("-----BEGIN PRIVATE KEY-----")},
		{DSNs, min(len("://:x@"), len(":x@/"), minKey+len("?=x"))},
		{KeyValuePairs, minKey + len("=x")}, {VendorTokens, minVendorLen},
	} {
		if d.on&m.d != 0 {
			d.minLen = min(d.minLen, m.len)
		}
	}
	if len(d.patterns) > 0 {
		d.minLen = 1
	}
	return d
}

// minLong is the length of the shortest card number, the shortest of the
// formats that candidate's short table leaves out (vendor tokens are
// minVendorLen bytes at least, PEM blocks 27).
const minLong = 13

// A vendor token must not fit in a string shorter than minLong (the
// constant overflows, and the build fails, if one could).
const _ = uint(minVendorLen - minLong)

// active reports whether any detector is on.
func (d *detectors) active() bool { return d.on != 0 || len(d.patterns) > 0 }

// span is a half-open byte range [start, end) of a string.
type span struct{ start, end int }

// match reports whether any detector finds a non-empty match in s. It is
// inlined where it is called: a string shorter than any match costs a
// comparison, and most others are settled by the loop of candidate.
func (d *detectors) match(s string) bool {
	return len(s) >= d.minLen && d.candidate(s)
}

// candidate reports whether a detector finds a match in s. Its loop costs
// one table load per byte and settles most strings: a detector can only
// start at a trigger byte, and at one the check that needs no more than
// the bytes around it (a vendor prefix or "Bearer" at a word boundary,
// the J of "eyJ", 13 digits in all for a card) rules out most. Only a
// string that passes goes to confirm, which runs the detectors.
func (d *detectors) candidate(s string) bool {
	act := &d.act
	if len(s) < minLong {
		act = &d.short
	}
	digits := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		a := act[c]
		if a == 0 {
			continue
		}
		switch a {
		case actCard:
			digits++
		case actVendor, actB:
			if (c == 'B' || i == 0 || !inWord[s[i-1]]) && i+1 < len(s) && startPair(c, s[i+1]) {
				return d.confirm(s, true)
			}
		case actJ:
			if i > 0 && s[i-1] == 'y' {
				return d.confirm(s, true)
			}
		default: // ':', '=', '@'
			return d.confirm(s, true)
		}
	}
	if digits >= 13 || len(d.patterns) > 0 {
		return d.confirm(s, digits >= 13)
	}
	return false
}

// confirm runs the detectors on s: the built-in ones when cand (the
// loop of candidate found where one could start), and the caller's
// patterns.
func (d *detectors) confirm(s string, cand bool) bool {
	if cand {
		if !d.each(s, func(int, int) bool { return false }) {
			return true
		}
		// A JSON member name may be escaped ("pass\u0077ord"): only
		// maskJSON, which decodes names, can tell.
		if d.on&KeyValuePairs != 0 && strings.IndexByte(s, '\\') >= 0 && looksJSON(s) {
			return true
		}
	}
	for _, re := range d.patterns {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}

// mask replaces every match in s with [Redacted] and reports whether
// anything was masked. A string that holds a JSON document is rewritten
// as JSON when KeyValuePairs is on (see body.go); otherwise overlapping
// and adjacent matches are masked once.
func (d *detectors) mask(s string) (string, bool) {
	if d.on&KeyValuePairs != 0 && looksJSON(s) {
		if out, ok, valid := d.maskJSON(s); valid {
			return out, ok
		}
	}
	return d.maskText(s)
}

func (d *detectors) maskText(s string) (string, bool) {
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

// each calls yield with every non-empty match [i, j) of the built-in
// detectors in s, in one pass: a byte no detector starts from costs one
// table load (act), and at a byte one does, the detectors that start
// there are tried by the byte's action. After a match the pass resumes at
// its end (unless an '@' in it could end a mysql DSN), and every detector
// looks at a bounded stretch around its trigger, so the pass is linear in
// len(s). It returns false if yield did.
func (d *detectors) each(s string, yield func(i, j int) bool) bool {
	var u uiMemo
	for p := 0; p < len(s); p++ {
		a := d.act[s[p]]
		if a == 0 {
			continue
		}
		var i, j int
		switch a {
		case actCard:
			if p > 0 && isDigit(s[p-1]) {
				continue
			}
			end := cardRunEnd(s, p)
			if p > 0 && isLetter(s[p-1]) || end < len(s) && isLetter(s[end]) {
				p = end - 1 // digits inside a word: a hex id or a hash, not a card
				continue
			}
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
		case actB:
			if s[p] == 'B' && d.on&PrivateKeys != 0 && p >= 5 && s[p-5:p] == "-----" {
				i, j = pemAt(s, p-5)
			}
			if j == 0 && d.on&BearerTokens != 0 {
				i, j = bearerAt(s, p)
			}
		case actJ:
			i, j = jwtAt(s, p)
		case actAt:
			i, j = mysqlAt(s, p)
		case actVendor:
			i, j = vendorAt(s, p)
		case actColon:
			if d.on&DSNs != 0 && strings.HasPrefix(s[p:], "://") {
				i, j = u.userinfoAt(s, p+3)
				if j > i {
					break
				}
			}
			i, j = d.pairAt(s, p)
		case actEquals:
			i, j = d.pairAt(s, p)
		}
		if j > i {
			if !yield(i, j) {
				return false
			}
			if d.act['@'] == 0 || strings.IndexByte(s[p:j], '@') < 0 {
				p = max(p, j-1) // resume after the match; an '@' in it may end a mysql DSN that began before it
			}
		}
	}
	return true
}

// inWord[c] is whether c is a word byte or '-': a vendor prefix or a
// lower-case "bearer" after it is not at a word start.
var inWord = func() (t [256]bool) {
	for c := range t {
		t[c] = isWord(byte(c)) || c == '-'
	}
	return t
}()

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func isAlnum(c byte) bool {
	return isDigit(c) || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

// isWord reports whether c is a regular-expression word byte ([0-9A-Za-z_]).
func isWord(c byte) bool { return isAlnum(c) || c == '_' }

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
		if s[g] < '2' || s[g] > '6' {
			continue
		}
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
	if len(s)-p < 27 || !strings.HasPrefix(s[p:], begin) {
		return 0, 0
	}
	rest := s[p+len(begin):]
	label := strings.Index(rest[:min(len(rest), 64)], dashes) // labels are short
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

// maxUserinfo bounds how far after "://" the end of a URL's userinfo is
// looked for, and how far before a mysql '@' its "user:" is.
const maxUserinfo = 256

// uiMemo remembers the last userinfo scan of one pass, so that many "://"
// in one stretch of text are scanned once: the pass stays linear.
type uiMemo struct{ from, end, at int }

// userinfoAt matches the password of a URL's userinfo; a is the first byte
// after "://".
func (u *uiMemo) userinfoAt(s string, a int) (int, int) {
	var e, at int
	if u.end > 0 && a >= u.from && a <= u.end {
		e, at = u.end, u.at // the same stretch: its end and its last '@'
	} else {
		e = a
		for lim := min(len(s), a+maxUserinfo); e < lim && !isSpace(s[e]) && s[e] != '/' && s[e] != '?' && s[e] != '#' && s[e] != '"' && s[e] != '\'' && s[e] != '>'; e++ {
		}
		at = -1
		if i := strings.LastIndexByte(s[a:e], '@'); i >= 0 {
			at = a + i
		}
		u.from, u.end, u.at = a, e, at
	}
	if at < a {
		return 0, 0
	}
	colon := strings.IndexByte(s[a:at], ':')
	if colon < 0 {
		return 0, 0
	}
	return a + colon + 1, at
}

// mysqlAt matches the password of go-sql-driver/mysql's DSN
// "user:password@proto(addr)/db" or "user:password@/db" whose '@' is at p:
// from the first ':' of the word before p (spaces and quotes end it,
// within maxUserinfo bytes) to p. A URL ("scheme://") is left to
// userinfoAt.
func mysqlAt(s string, p int) (int, int) {
	q := p + 1
	for q < len(s) && ('a' <= s[q] && s[q] <= 'z' || isDigit(s[q])) {
		q++
	}
	if q >= len(s) || !(s[q] == '(' && q > p+1 || s[q] == '/' && q == p+1) {
		return 0, 0
	}
	b := p
	for lim := max(0, p-maxUserinfo); b > lim && !isSpace(s[b-1]) && s[b-1] != '"' && s[b-1] != '\'' && s[b-1] != '`'; b-- {
	}
	word := s[b:p]
	if strings.Contains(word, "://") {
		return 0, 0
	}
	colon := strings.IndexByte(word, ':')
	if colon < 0 || colon == len(word)-1 {
		return 0, 0
	}
	return b + colon + 1, p
}

// maxQuotedKey bounds how far back a quoted key is looked for.
const maxQuotedKey = 128

func isKeyChar(c byte) bool { return isAlnum(c) || c == '_' || c == '-' || c == '.' }

// pairAt matches the value of "key=value" or "key: value" whose '=' or ':'
// is at p, when key is sensitive. With DSNs alone it matches query
// parameters only ('?' or '&' before the key).
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
	query := s[p] == '=' && quote == 0 && (k > 0 && (s[k-1] == '?' || s[k-1] == '&') || k == 0 && strings.IndexByte(s, ' ') < 0)
	if d.on&KeyValuePairs == 0 && !(query && k > 0) {
		return 0, 0
	}
	if key := s[k:ke]; !d.keys.match(key) || d.allowed.hasWhole(key) {
		return 0, 0
	}
	// The value; in a query it starts right after '=', elsewhere spaces
	// may come first.
	v := p + 1
	for !query && v < len(s) && (s[v] == ' ' || s[v] == '\t') {
		v++
	}
	if v == len(s) {
		return 0, 0
	}
	if q := s[v]; !query && (q == '"' || q == '\'' || q == '{' && quote == 0 && s[p] == '=') { // a query value is never quoted
		if q == '{' {
			q = '}'
		}
		e := v + 1
		for e < len(s) && s[e] != q {
			if s[e] == '\\' {
				e++
			}
			e++
		}
		return v + 1, min(e, len(s))
	}
	list := k > 0 && s[k-1] == ';'
	e := bareEnd(s, v, query, list)
	if isAuthScheme(s[v:e]) && e+1 < len(s) && s[e] == ' ' && !isSpace(s[e+1]) {
		e = bareEnd(s, e+1, query, list)
	}
	return v, e
}

// bareEnd returns the end of an unquoted value starting at v: a space or a
// quote; in a query or form body also '&' or '#'; and a ';' that starts
// the next pair of a ';' list (list: the key followed a ';'), or a ';'
// followed by "key=" (a key without spaces).
func bareEnd(s string, v int, query, list bool) int {
	e := v
	for ; e < len(s) && !isSpace(s[e]) && s[e] != '"' && s[e] != '\''; e++ {
		switch s[e] {
		case '&', '#':
			if query {
				return e
			}
		case ';':
			if list || nextIsPair(s, e+1) {
				return e
			}
		}
	}
	return e
}

// nextIsPair reports whether s[i:] starts with "key=" (a key of letters,
// digits, _ - ., within 64 bytes), or is empty.
func nextIsPair(s string, i int) bool {
	if i == len(s) {
		return true
	}
	for j := i; j < len(s) && j < i+64; j++ {
		switch c := s[j]; {
		case c == '=':
			return j > i
		case !isKeyChar(c):
			return false
		}
	}
	return false
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
