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
		if r < utf8.RuneSelf && isSeparator(byte(r)) {
			continue
		}
		out = append(out, unicode.ToLower(unicode.ToUpper(r)))
	}
	return string(out)
}

// keySet is an immutable set of normalised keys.
type keySet map[string]struct{}

// has reports whether key, once normalised, is in the set. It does not
// allocate for ASCII keys of up to 64 bytes.
func (s keySet) has(key string) bool {
	if len(s) == 0 {
		return false
	}
	var buf [maxStackKey]byte
	if n, ok := normalizeASCII(buf[:], key); ok {
		_, found := s[string(buf[:n])]
		return found
	}
	_, found := s[normalizeSlow(key)]
	return found
}
