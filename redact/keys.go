package redact

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// defaultKeys is the built-in list of sensitive keys, in normalised or
// readable form (both normalise to the same key). A logged key matches when
// its trailing words form one of them, so "token" matches "Token",
// "refresh_token" and "githubToken" but not "tokens_used".
var defaultKeys = [...]string{
	// Passwords and generic secrets.
	"password", "passwd", "pwd", "passphrase",
	"secret", "secret_key", "client_secret", "private_key",
	"credential", "credentials",
	// Tokens and API keys.
	"token", "access_token", "refresh_token", "id_token", "auth_token",
	"bearer", "jwt", "api_key", "x_api_key", "api_secret",
	"signing_key", "encryption_key", "secret_access_key",
	// HTTP authentication and sessions.
	"authorization", "proxy_authorization", "auth",
	"cookie", "set_cookie", "session",
	// Payment cards and national identifiers.
	"credit_card", "card_number", "cvv", "cvc", "pin", "ssn",
}

// DefaultKeys returns a copy of the built-in sensitive keys that
// [NewHandler] matches unless [Options.Keys] replaces them. The list is:
//
//	password passwd pwd passphrase secret secret_key client_secret
//	private_key credential credentials token access_token refresh_token
//	id_token auth_token bearer jwt api_key x_api_key api_secret signing_key
//	encryption_key secret_access_key authorization proxy_authorization auth
//	cookie set_cookie session credit_card card_number cvv cvc pin ssn
//
// Keys are compared after normalisation (see [NormalizeKey]), so "api_key"
// also covers "apiKey", "API-KEY" and "apikey".
func DefaultKeys() []string {
	out := make([]string, len(defaultKeys))
	copy(out, defaultKeys[:])
	return out
}

// NormalizeKey returns the form in which keys are compared: lower case, with
// every '_', '-', '.' and ' ' (and every invalid UTF-8 byte) removed. "creditCard", "credit_card",
// "Credit-Card" and "CREDITCARD" all normalise to "creditcard".
func NormalizeKey(key string) string {
	var buf [maxStackKey]byte
	if n, ok := normalizeASCII(buf[:], key); ok {
		return string(buf[:n])
	}
	return normalizeSlow(key)
}

// maxStackKey bounds the keys normalised into a stack buffer; a longer key
// is normalised on the heap and matched all the same.
const maxStackKey = 64

func isSeparator(c byte) bool { return c == '_' || c == '-' || c == '.' || c == ' ' }

// normalizeASCII writes the normalised key into dst. It reports false when the
// key holds a non-ASCII byte or its normal form does not fit in dst.
func normalizeASCII(dst []byte, key string) (int, bool) {
	n := 0
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case c >= utf8.RuneSelf:
			return 0, false
		case isSeparator(c):
			continue
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		if n == len(dst) {
			return 0, false
		}
		dst[n] = c
		n++
	}
	return n, true
}

// normalizeSlow folds case with Unicode rules (so the Kelvin sign matches 'k'
// and the long s matches 's') and drops separators.
func normalizeSlow(key string) string {
	out := make([]rune, 0, len(key))
	for _, r := range key {
		if r < utf8.RuneSelf && isSeparator(byte(r)) || r == utf8.RuneError {
			continue
		}
		out = append(out, unicode.ToLower(unicode.ToUpper(r)))
	}
	return string(out)
}

// keySet is an immutable set of sensitive keys in normalised form. A key
// matches when its trailing words, normalised, form a listed key
// (whole: when the whole key does; the allowed set), where words are split at
// separators and at changes of case: "db_password", "userPassword" and
// "AWS-Secret-Access-Key" end in listed keys; "password_hint" and
// "tokens_used" do not.
//
// The listed keys are held twice: in a map, the reference, and reversed in
// a trie, laid out as a transition table, that an ASCII key walks from its
// last byte backwards, one table load per byte, stopping at the first byte
// no listed key has there. Most keys stop after one to three bytes,
// without normalising the key or hashing it. A key with a non-ASCII byte
// in the part the walk reaches, or any non-ASCII key when some listed key
// is not ASCII, is split into words and looked up in the map instead.
type keySet struct {
	all   map[string]struct{} // normalised keys
	class *[256]uint8         // byte -> column of next, or classSkip/classNone/classWide
	width int                 // columns of next: the distinct bytes of the ASCII keys
	next  []uint32            // next[node*width+column]: child node | endBit, 0 for none; node 0 is the root
	whole bool                // match whole keys only
	wide  bool                // some key is not ASCII (and so not in the trie)
}

const (
	classSkip = 0    // a separator
	classNone = 0xFE // an ASCII byte no listed key holds
	classWide = 0xFF // a non-ASCII byte
	endBit    = 1 << 31
)

func newKeySet(keys map[string]struct{}, whole bool) keySet {
	s := keySet{all: keys, whole: whole, class: new([256]uint8)}
	for c := range s.class {
		switch {
		case c >= utf8.RuneSelf:
			s.class[c] = classWide
		case isSeparator(byte(c)):
			s.class[c] = classSkip
		default:
			s.class[c] = classNone
		}
	}
	// The columns: each byte of an ASCII key, upper-case letters sharing
	// the column of their lower-case form.
	type buildNode struct {
		kids map[byte]*buildNode
		id   uint32
		end  bool
	}
	root := &buildNode{kids: map[byte]*buildNode{}}
	nodes := []*buildNode{root}
	for k := range keys {
		if !isASCII(k) {
			s.wide = true
			continue
		}
		n := root
		for i := len(k) - 1; i >= 0; i-- {
			c := k[i]
			if s.class[c] == classNone {
				s.width++
				s.class[c] = uint8(s.width)
				if 'a' <= c && c <= 'z' {
					s.class[c-'a'+'A'] = uint8(s.width)
				}
			}
			next := n.kids[c]
			if next == nil {
				next = &buildNode{kids: map[byte]*buildNode{}, id: uint32(len(nodes))}
				nodes = append(nodes, next)
				n.kids[c] = next
			}
			n = next
		}
		n.end = true
	}
	s.width++ // column 0 is never used: class 0 is classSkip
	s.next = make([]uint32, len(nodes)*s.width)
	for _, n := range nodes {
		for c, kid := range n.kids {
			e := kid.id
			if kid.end {
				e |= endBit
			}
			s.next[int(n.id)*s.width+int(s.class[c])] = e
		}
	}
	return s
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// match reports whether key is sensitive. It does not allocate unless the
// walk meets a non-ASCII byte.
func (s *keySet) match(key string) bool {
	if len(s.all) == 0 {
		return false
	}
	if s.wide && !isASCII(key) {
		return s.matchWords(key)
	}
	var e uint32 // the last transition taken; e&^endBit is the node reached
	for i := len(key) - 1; i >= 0; i-- {
		switch c := s.class[key[i]]; c {
		case classSkip:
			continue
		case classNone:
			return false
		case classWide:
			return s.matchWords(key)
		default:
			e = s.next[int(e&^endBit)*s.width+int(c)]
		}
		if e == 0 {
			return false
		}
		if e&endBit == 0 || s.whole {
			continue
		}
		switch start, known := wordStart(key, i); {
		case !known:
			return s.matchWords(key)
		case start:
			return true
		}
	}
	return e&endBit != 0 // only in whole mode can the walk reach the start
}

// wordStart reports whether a word of key starts at byte i, an ASCII letter
// or digit: at the start, after a separator, at an upper-case letter that
// follows a lower-case letter or a digit ("userPassword"), or at the last
// upper-case letter of a run that a lower-case letter follows ("APIKey").
// known is false when a neighbour is not ASCII.
func wordStart(key string, i int) (start, known bool) {
	if i == 0 {
		return true, true
	}
	p, c := key[i-1], key[i]
	switch {
	case p >= utf8.RuneSelf:
		return false, false
	case isSeparator(p):
		return true, true
	case !isUpper(c):
		return false, true
	case isLower(p) || isDigit(p):
		return true, true
	case !isUpper(p) || i+1 == len(key):
		return false, true
	}
	return isLower(key[i+1]), key[i+1] < utf8.RuneSelf
}

func isUpper(c byte) bool { return 'A' <= c && c <= 'Z' }
func isLower(c byte) bool { return 'a' <= c && c <= 'z' }

// matchWords is match for any key: it splits key into words (Unicode case
// rules), then looks each run of trailing words up in the map.
func (s *keySet) matchWords(key string) bool {
	words := splitWords(key)
	if s.whole {
		_, ok := s.all[strings.Join(words, "")]
		return ok
	}
	for i := range words {
		if _, ok := s.all[strings.Join(words[i:], "")]; ok {
			return true
		}
	}
	return false
}

// splitWords splits key into its normalised words, by the rules of
// wordStart applied to runes.
func splitWords(key string) []string {
	rs := []rune(key)
	var (
		words []string
		cur   []rune
	)
	flush := func() {
		if len(cur) > 0 {
			words = append(words, string(cur))
			cur = cur[:0]
		}
	}
	for i, r := range rs {
		if r < utf8.RuneSelf && isSeparator(byte(r)) || r == utf8.RuneError { // an invalid byte separates too
			flush()
			continue
		}
		if i > 0 && unicode.IsUpper(r) {
			p := rs[i-1]
			if unicode.IsLower(p) || unicode.IsDigit(p) ||
				(unicode.IsUpper(p) && i+1 < len(rs) && unicode.IsLower(rs[i+1])) {
				flush()
			}
		}
		cur = append(cur, unicode.ToLower(unicode.ToUpper(r)))
	}
	flush()
	return words
}

// hasWhole reports whether the whole key, once normalised, is in the set,
// whatever the mode.
//
//go:noinline
func (s *keySet) hasWhole(key string) bool {
	if len(s.all) == 0 {
		return false
	}
	var buf [maxStackKey]byte
	if n, ok := normalizeASCII(buf[:], key); ok {
		_, found := s.all[string(buf[:n])]
		return found
	}
	_, found := s.all[NormalizeKey(key)]
	return found
}
