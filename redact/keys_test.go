package redact_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"unicode"

	"log/slog"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provobs/provobs/redact"
)

func decodeLine(t *testing.T, line []byte) map[string]any {
	t.Helper()
	m := map[string]any{}
	require.NoError(t, json.Unmarshal(line, &m))
	return m
}

func TestNormalizeKey(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"creditCard":         "creditcard",
		"credit_card":        "creditcard",
		"Credit-Card":        "creditcard",
		"CREDITCARD":         "creditcard",
		"credit. card":       "creditcard",
		"X-Api-Key":          "xapikey",
		"":                   "",
		"_-. ":               "",
		"ToKEN":              "token",
		"\u212Aey":           "key",      // Kelvin sign folds to k
		"pa\u017F\u017Fword": "password", // long s folds to s
		"Ünïcode_Kéy":        "ünïcodekéy",
	} {
		assert.Equal(t, want, redact.NormalizeKey(in), in)
	}
}

func TestDefaultKeys(t *testing.T) {
	t.Parallel()
	keys := redact.DefaultKeys()
	require.NotEmpty(t, keys)
	keys[0] = "changed"
	assert.NotEqual(t, "changed", redact.DefaultKeys()[0], "DefaultKeys returns a copy")

	for _, k := range redact.DefaultKeys() {
		t.Run(k, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			newLogger(&buf, nil).Info("m", k, "v", "keep", 1)
			assert.Equal(t, map[string]any{"level": "INFO", "msg": "m", "keep": 1.0}, decodeLine(t, buf.Bytes()))
		})
	}
}

func TestKeyMatchingVariants(t *testing.T) {
	t.Parallel()
	sensitive := []string{
		"password", "Password", "PASSWORD", "pass_word", "userPassword", "accessToken",
		"access-token", "ACCESS_TOKEN", "api.key", "ApiKey", "x-api-key", "Set-Cookie", "SESSION",
		"client_secret", "clientSecret", "privateKey", "card-number", "CVV", "ssn", "\u212Aey_nope",
		"pa\u017F\u017Fword", "_password_", "--token-", ".TOKEN.", " Pin ", "\u017Fecret", "\u212Aey_nope",
		"long_key_" + string(bytes.Repeat([]byte("a"), 100)),
	}
	want := map[string]bool{"\u212Aey_nope": false, "long_key_" + string(bytes.Repeat([]byte("a"), 100)): false}
	for _, k := range sensitive {
		t.Run(k, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			newLogger(&buf, nil).Info("m", k, "v")
			_, kept := decodeLine(t, buf.Bytes())[k]
			expectDropped, listed := want[k]
			if !listed {
				expectDropped = true
			}
			assert.Equal(t, !expectDropped, kept)
		})
	}
}

// TestKeysOfAnyLengthAndScript covers keys that a first/last-byte or
// length filter would have to special-case: non-ASCII keys and keys of 64
// bytes or more after normalisation, added with WithKeys or given to
// WithOnlyKeys, logged in another case and separator style. None shares its
// first and last bytes with a default key.
func TestKeysOfAnyLengthAndScript(t *testing.T) {
	t.Parallel()
	long64 := strings.Repeat("k", 64)
	longQ := "q" + strings.Repeat("_long", 20) + "_z"
	tests := []struct {
		name   string
		opts   *redact.Options
		logged []string // keys logged; each must be dropped
	}{
		{"non-ASCII WithKeys", &redact.Options{Keys: append(redact.DefaultKeys(), "contraseña")}, []string{"contraseña", "CONTRASEÑA", "contra_seña"}},
		{"non-ASCII compound WithKeys", &redact.Options{Keys: append(redact.DefaultKeys(), "geheimnis_schlüssel")}, []string{"geheimnis_schlüssel", "GeheimnisSchlüssel"}},
		{"64 bytes WithKeys", &redact.Options{Keys: append(redact.DefaultKeys(), long64)}, []string{long64, strings.ToUpper(long64), "k_" + long64[1:]}},
		{"long WithOnlyKeys", &redact.Options{Keys: []string{longQ}}, []string{longQ, strings.ToUpper(longQ), strings.ReplaceAll(longQ, "_", "-")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, k := range tt.logged {
				var buf bytes.Buffer
				newLogger(&buf, tt.opts).Info("m", k, "s3cret", "n", 1)
				assert.Equal(t, `{"level":"INFO","msg":"m","n":1}`+"\n", buf.String(), "key %q", k)
			}
		})
	}
}

func TestWithOnlyKeysEmptyDisablesKeys(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	newLogger(&buf, &redact.Options{Keys: []string{}}).Info("m", "password", "p")
	assert.Equal(t, `{"level":"INFO","msg":"m","password":"p"}`+"\n", buf.String())
}

// TestTrailingWords checks the trailing-word rule on the keys of the production-defaults review
// and on provobs's own keys.
func TestTrailingWords(t *testing.T) {
	t.Parallel()
	sensitive := []string{
		"db_password", "aws_secret_access_key", "userPassword", "AWSSecretAccessKey", "x-upstream-token",
		"github.token", "oauth2Token", "HTTPAuthorization", "user_ApiKey", "DBPassword", "session.cookie",
	}
	routing := []string{
		"password_hint", "session_id", "tokens_used", "instance_id", "operation", "duration_ms", "error_type",
		"error", "messages", "events", "items", "sessions_renewed", "sessions_cleaned", "instances", "empty_polls",
		"passwordless", "tokenizer", "keyboard", "cache_key", "author", "spin", "oauth",
	}
	for _, whole := range []bool{false} {
		for _, k := range append(sensitive, routing...) {
			var buf bytes.Buffer
			newLogger(&buf, nil).Info("m", k, "v")
			_, kept := decodeLine(t, buf.Bytes())[k]
			want := whole || slices.Contains(routing, k)
			assert.Equal(t, want, kept, "key %q, whole keys only: %v", k, whole)
		}
	}
}

// trailingWordsRef is the key rule written plainly, to check the handler's
// trie against: split the key into words at separators and case changes,
// then look up every run of trailing words, normalised.
func trailingWordsRef(listed map[string]bool, key string) bool {
	rs := []rune(key)
	var starts []int
	for i, r := range rs {
		if r == '_' || r == '-' || r == '.' || r == ' ' {
			continue
		}
		prev := rune(-1)
		if i > 0 {
			prev = rs[i-1]
		}
		switch {
		case i == 0, prev == '_', prev == '-', prev == '.', prev == ' ':
			starts = append(starts, i)
		case unicode.IsUpper(r) && (unicode.IsLower(prev) || unicode.IsDigit(prev)):
			starts = append(starts, i)
		case unicode.IsUpper(r) && unicode.IsUpper(prev) && i+1 < len(rs) && unicode.IsLower(rs[i+1]):
			starts = append(starts, i)
		}
	}
	for _, st := range starts {
		if listed[redact.NormalizeKey(string(rs[st:]))] {
			return true
		}
	}
	return false
}

// TestKeyMatchingAgreesWithReference checks the key trie against the rule
// it implements (trailingWordsRef) on random keys built from pieces of
// listed keys, case changes, separators and non-ASCII letters that fold to
// ASCII ones.
func TestKeyMatchingAgreesWithReference(t *testing.T) {
	t.Parallel()
	extra := []string{"\u212Aelvin", "clé", "x", "contraseña"}
	listed := map[string]bool{}
	for _, k := range append(redact.DefaultKeys(), extra...) {
		listed[redact.NormalizeKey(k)] = true
	}
	pieces := []string{"a", "e", "k", "K", "p", "s", "S", "t", "T", "y", "_", "-", ".", " ", "\u017F", "\u212A", "é", "É", "1",
		"pass", "word", "Word", "tok", "en", "En", "api", "key", "Key", "cook", "ie", "Kelvin", "cl", "x", "X", "db", "DB",
		"contra", "seña", "Seña", "hint", "ID", "id"}
	rng := rand.New(rand.NewPCG(1, 2))
	checked, hits := 0, 0
	for range 20000 {
		var b strings.Builder
		for range 1 + rng.IntN(6) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		key := b.String()
		var buf bytes.Buffer
		slog.New(redact.NewHandler(slog.NewJSONHandler(&buf, &slog.HandlerOptions{ReplaceAttr: noTime}), &redact.Options{Keys: append(redact.DefaultKeys(), extra...)})).Info("m", key, 1)
		_, kept := decodeLine(t, buf.Bytes())[key]
		dropped := !kept
		want := trailingWordsRef(listed, key)
		if want != dropped {
			t.Errorf("key %q: dropped=%v, want %v", key, dropped, want)
		}
		checked++
		if want {
			hits++
		}
	}
	t.Logf("%d keys checked, %d sensitive", checked, hits)
	assert.Greater(t, hits, 1000)
}

// TestDefaultKeysDocumented keeps the list in DefaultKeys' doc comment in
// step with the list itself.
func TestDefaultKeysDocumented(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("keys.go")
	require.NoError(t, err)
	text := string(src)
	const intro = "The list is:\n//\n"
	start := strings.Index(text, intro)
	require.GreaterOrEqual(t, start, 0)
	var documented []string
	for _, line := range strings.Split(text[start+len(intro):], "\n") {
		if !strings.HasPrefix(line, "//\t") {
			break
		}
		documented = append(documented, strings.Fields(line[3:])...)
	}
	assert.Equal(t, redact.DefaultKeys(), documented)
}

// TestKeyCacheByAddress: the handler remembers key decisions by the key's
// address and length; a key that shares its bytes with another (a
// substring) is decided by its own length, and many keys that share slots,
// logged from many goroutines, each keep their own decision.
func TestKeyCacheByAddress(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	l := newLogger(&buf, &redact.Options{Detectors: redact.NoDetectors})
	long := strings.Clone("password_hint")
	short := long[:len("password")] // same address, shorter
	for range 3 {
		buf.Reset()
		l.Info("m", long, "h", short, "s")
		assert.Equal(t, `{"level":"INFO","msg":"m","password_hint":"h"}`+"\n", buf.String())
	}
	// 2,000 distinct keys, half sensitive, through 256 slots, concurrently.
	keys := make([]string, 2000)
	for i := range keys {
		if i%2 == 0 {
			keys[i] = fmt.Sprintf("k%d_token", i)
		} else {
			keys[i] = fmt.Sprintf("k%d_tokens", i)
		}
	}
	var bad atomic.Int64
	l = slog.New(redact.NewHandler(checkKeys{&bad}, nil)) // one handler, one cache, shared
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for range 5 {
				for i := g; i < len(keys); i += 3 {
					l.Info(keys[i], keys[i], 1) // the message names the key
				}
			}
		})
	}
	wg.Wait()
	assert.Zero(t, bad.Load(), "records whose key was decided wrongly")
}

// checkKeys counts the records whose message, a key, was decided wrongly:
// a key ending in _token must be dropped, one ending in _tokens kept.
type checkKeys struct{ bad *atomic.Int64 }

func (checkKeys) Enabled(context.Context, slog.Level) bool { return true }
func (c checkKeys) Handle(_ context.Context, r slog.Record) error {
	if strings.HasSuffix(r.Message, "_token") == (r.NumAttrs() > 0) {
		c.bad.Add(1)
	}
	return nil
}
func (c checkKeys) WithAttrs([]slog.Attr) slog.Handler { return c }
func (c checkKeys) WithGroup(string) slog.Handler      { return c }
