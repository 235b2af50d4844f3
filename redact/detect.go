package redact

import (
	"regexp"
	"slices"
	"strings"
)

// detectorKind names a built-in value detector.
type detectorKind uint8

const (
	detectCard detectorKind = iota + 1
	detectBearer
	detectJWT
	detectPattern
)

// detector finds sensitive substrings in a string value. It is a closed set
// of concrete kinds rather than an interface so that a scan that finds
// nothing never allocates.
type detector struct {
	kind detectorKind
	re   *regexp.Regexp // detectPattern only
}

// span is a half-open byte range [start, end) of a string.
type span struct{ start, end int }

// detectors is the immutable list of value detectors of a handler.
type detectors []detector

// match reports whether any detector finds a non-empty match in s.
func (ds detectors) match(s string) bool {
	for _, d := range ds {
		switch d.kind {
		case detectPattern:
			if d.re.MatchString(s) {
				return true
			}
		default:
			if _, _, ok := d.find(s, 0); ok {
				return true
			}
		}
	}
	return false
}

// mask replaces every match in s with [Redacted]. Overlapping and adjacent
// matches are masked once. It reports whether anything was masked.
func (ds detectors) mask(s string) (string, bool) {
	var buf [8]span
	spans := buf[:0]
	for _, d := range ds {
		if d.kind == detectPattern {
			for _, m := range d.re.FindAllStringIndex(s, -1) {
				if m[1] > m[0] {
					spans = append(spans, span{m[0], m[1]})
				}
			}
			continue
		}
		for from := 0; from < len(s); {
			i, j, ok := d.find(s, from)
			if !ok {
				break
			}
			spans = append(spans, span{i, j})
			from = j
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
		last = end
	}
	b.WriteString(s[last:])
	return b.String(), true
}

// find returns the first match [i, j) of a built-in detector in s that
// starts at or after from.
func (d detector) find(s string, from int) (int, int, bool) {
	switch d.kind {
	case detectCard:
		return findCard(s, from)
	case detectBearer:
		return findBearer(s, from)
	case detectJWT:
		return findJWT(s, from)
	}
	return 0, 0, false
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isAlnum(c byte) bool {
	return isDigit(c) || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

// isB64URL reports whether c is in the base64url alphabet.
func isB64URL(c byte) bool { return isAlnum(c) || c == '-' || c == '_' }

// findCard finds a payment card number: 13 to 19 digits, optionally in
// groups separated by single spaces or dashes, that pass the Luhn check. A
// run of grouped digits is searched group by group, so a card number
// followed by more digit groups ("4111 1111 1111 1111 2030") is still found.
func findCard(s string, from int) (int, int, bool) {
	for i := from; i < len(s); {
		if !isDigit(s[i]) {
			i++
			continue
		}
		end := cardRunEnd(s, i)
		// Try each group start in the run, longest candidate first.
		for g := i; g < end; g = nextGroup(s, g, end) {
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
		i = end
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

// findBearer finds the credential of "Bearer <token>" (case-insensitive
// scheme, RFC 6750 token characters). Only the token is matched, so the
// masked text reads "Bearer [REDACTED]".
func findBearer(s string, from int) (int, int, bool) {
	const scheme = "bearer"
	for i := from; i+len(scheme) < len(s); i++ {
		if s[i]|0x20 != 'b' || !strings.EqualFold(s[i:i+len(scheme)], scheme) {
			continue
		}
		if i > 0 && isAlnum(s[i-1]) {
			continue
		}
		k := i + len(scheme)
		ws := k
		for k < len(s) && (s[k] == ' ' || s[k] == '\t') {
			k++
		}
		if k == ws {
			continue
		}
		t := k
		for t < len(s) && isBearerChar(s[t]) {
			t++
		}
		for t < len(s) && s[t] == '=' {
			t++
		}
		if t > k {
			return k, t, true
		}
	}
	return 0, 0, false
}

// isBearerChar reports whether c may appear in an RFC 6750 b64token.
func isBearerChar(c byte) bool {
	return isAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/'
}

// findJWT finds a JSON Web Token: three base64url segments separated by
// dots, the first starting "eyJ" (base64 of `{"`). The signature segment may
// be empty (unsecured JWTs).
func findJWT(s string, from int) (int, int, bool) {
	for from < len(s) {
		idx := strings.Index(s[from:], "eyJ")
		if idx < 0 {
			return 0, 0, false
		}
		i := from + idx
		from = i + 1
		if i > 0 && isB64URL(s[i-1]) {
			continue
		}
		j := b64End(s, i)
		if j >= len(s) || s[j] != '.' {
			continue
		}
		k := b64End(s, j+1)
		if k == j+1 || k >= len(s) || s[k] != '.' {
			continue
		}
		return i, b64End(s, k+1), true
	}
	return 0, 0, false
}

func b64End(s string, i int) int {
	for i < len(s) && isB64URL(s[i]) {
		i++
	}
	return i
}
