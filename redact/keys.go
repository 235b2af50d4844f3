package redact

import (
	"unicode"
	"unicode/utf8"
)

// defaultKeys is the built-in list of sensitive keys, in normalised or
// readable form (both normalise to the same key). Whole normalised keys are
// matched, so "token" matches "Token" and "TOKEN" but not "tokens_used".
var defaultKeys = [...]string{
	// Passwords and generic secrets.
	"password", "passwd", "pwd", "passphrase",
	"secret", "secret_key", "client_secret", "private_key",
	"credential", "credentials",
	// Tokens and API keys.
	"token", "access_token", "refresh_token", "id_token", "auth_token",
	"bearer", "jwt", "api_key", "x_api_key", "api_secret",
	"signing_key", "encryption_key",
	// HTTP authentication and sessions.
	"authorization", "proxy_authorization", "auth",
	"cookie", "set_cookie", "session",
	// Payment cards and national identifiers.
	"credit_card", "card_number", "cvv", "cvc", "pin", "ssn",
}

// DefaultKeys returns a copy of the built-in sensitive keys that
// [NewHandler] matches unless [WithOnlyKeys] replaces them. The list is:
//
//	password passwd pwd passphrase secret secret_key client_secret
//	private_key credential credentials token access_token refresh_token
//	id_token auth_token bearer jwt api_key x_api_key api_secret signing_key
//	encryption_key authorization proxy_authorization auth cookie set_cookie
//	session credit_card card_number cvv cvc pin ssn
//
// Keys are compared after normalisation (see [NormalizeKey]), so "api_key"
// also covers "apiKey", "API-KEY" and "apikey".
func DefaultKeys() []string {
	out := make([]string, len(defaultKeys))
	copy(out, defaultKeys[:])
	return out
}

// NormalizeKey returns the form in which keys are compared: lower case, with
// every '_', '-', '.' and ' ' removed. "creditCard", "credit_card",
// "Credit-Card" and "CREDITCARD" all normalise to "creditcard".
func NormalizeKey(key string) string {
	var buf [maxStackKey]byte
	if n, ok := normalizeASCII(buf[:], key); ok {
		return string(buf[:n])
	}
	return normalizeSlow(key)
}

// maxStackKey bounds the keys normalised without allocating. A longer key is
// still matched correctly when the key set holds keys that long.
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
		if r < utf8.RuneSelf && isSeparator(byte(r)) {
			continue
		}
		out = append(out, unicode.ToLower(unicode.ToUpper(r)))
	}
	return string(out)
}

// keySet is an immutable set of normalised keys. Besides the map it holds
// a length mask and a Bloom filter, so that most keys that are not in the
// set are rejected in one branch-free pass over the key, without
// normalising it into a buffer or hashing it for the map.
type keySet struct {
	keys   map[string]struct{}
	maxLen int        // longest normalised key in bytes
	long   bool       // some key is longer than 63 bytes
	lens   uint64     // bit n: some ASCII key is n bytes long (n < 64)
	bloom  [16]uint64 // 1024 bits, two per ASCII key
	ends   [64]uint64 // bit endClass(last) of ends[endClass(first)]: some key starts and ends so
}

// endClass folds a byte for the first-and-last-byte filter. Upper and lower
// case letters share a class; other collisions only weaken the filter.
func endClass(c byte) byte { return (c | 0x20) & 63 }

// keyTab drives the one-pass filter. For an ASCII byte that survives
// normalisation the entry is a pseudo-random 32-bit value of its lower-case
// form (high half) plus 1 (the normalised length); a separator is 0; a
// non-ASCII byte counts 1<<16. Summing the entries of a key gives its
// normalised length, whether it is ASCII, and an order-insensitive hash of
// its normalised bytes; anagrams collide and are settled by the map.
var keyTab = func() (t [256]uint64) {
	for i := range t {
		c := byte(i)
		switch {
		case c >= utf8.RuneSelf:
			t[i] = 1 << 16
		case isSeparator(c):
		default:
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			x := uint32(c) * 0x9E3779B9
			x ^= x >> 15
			x *= 0x85EBCA6B
			x ^= x >> 13
			t[i] = uint64(x)<<32 | 1
		}
	}
	return t
}()

// filterSum sums keyTab over key; key must be shorter than 1<<16 bytes.
func filterSum(key string) (h uint32, n int, ascii bool) {
	var sum uint64
	for i := 0; i < len(key); i++ {
		sum += keyTab[key[i]]
	}
	return uint32(sum >> 32), int(sum & 0xFFFF), sum>>16&0xFFFF == 0
}

// bloomBits returns the two filter bits of a key.
func bloomBits(h uint32, n int) (uint32, uint32) {
	x := (h ^ uint32(n)*0xC2B2AE35) * 0x27D4EB2F
	x ^= x >> 15
	return x & 1023, x >> 16 & 1023
}

func newKeySet(keys map[string]struct{}) keySet {
	s := keySet{keys: keys}
	for k := range keys {
		s.maxLen = max(s.maxLen, len(k))
		h, n, ascii := filterSum(k)
		switch {
		case !ascii:
			continue // reached only through normalizeSlow
		case n >= 64:
			s.long = true
			continue
		}
		s.lens |= 1 << n
		s.ends[endClass(k[0])] |= 1 << endClass(k[len(k)-1])
		b1, b2 := bloomBits(h, n)
		s.bloom[b1>>6] |= 1 << (b1 & 63)
		s.bloom[b2>>6] |= 1 << (b2 & 63)
	}
	return s
}

// has reports whether key, once normalised, is in the set. It does not
// allocate for ASCII keys.
func (s *keySet) has(key string) bool {
	if len(s.keys) == 0 || key == "" {
		return false
	}
	// First filter: the first and last bytes that survive normalisation.
	// When both are ASCII they are the first and last bytes of the
	// normalised key, whatever lies between.
	i, j := 0, len(key)-1
	for i <= j && isSeparator(key[i]) {
		i++
	}
	if i > j {
		return false // only separators: normalises to ""
	}
	for isSeparator(key[j]) {
		j--
	}
	if f, l := key[i], key[j]; f < utf8.RuneSelf && l < utf8.RuneSelf &&
		s.ends[endClass(f)]&(1<<endClass(l)) == 0 {
		return false
	}
	if len(key) >= 1<<16 {
		_, found := s.keys[NormalizeKey(key)]
		return found
	}
	// Second filter: normalised length and a Bloom filter.
	h, n, ascii := filterSum(key)
	switch {
	case !ascii:
		_, found := s.keys[normalizeSlow(key)]
		return found
	case n >= 64:
		if !s.long {
			return false
		}
		_, found := s.keys[NormalizeKey(key)]
		return found
	}
	b1, b2 := bloomBits(h, n)
	if s.lens&(1<<n) == 0 || s.bloom[b1>>6]&(1<<(b1&63)) == 0 || s.bloom[b2>>6]&(1<<(b2&63)) == 0 {
		return false
	}
	var buf [64]byte
	m, _ := normalizeASCII(buf[:], key)
	_, found := s.keys[string(buf[:m])]
	return found
}
