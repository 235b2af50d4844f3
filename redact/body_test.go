package redact_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provobs/provobs/redact"
)

// TestJSONBodies: a JSON document held in a string, []byte or
// json.RawMessage has its sensitive members masked whatever their type,
// the detectors run on its other strings, the rest is kept, and the result
// still parses.
func TestJSONBodies(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"string member", `{"user":"bob","password":"pw1","n":1}`, `{"user":"bob","password":"[REDACTED]","n":1}`},
		{"number member", `{"pin": 1234, "n": 1}`, `{"pin": "[REDACTED]", "n": 1}`},
		{"object member", `{"credentials":{"key":"k","id":7},"ok":true}`, `{"credentials":"[REDACTED]","ok":true}`},
		{"array member and nesting", `[{"a":[{"api_key":["k1","k2"]}]},null]`, `[{"a":[{"api_key":"[REDACTED]"}]},null]`},
		{"literal member", `{"token":null,"secret":false}`, `{"token":"[REDACTED]","secret":"[REDACTED]"}`},
		{"escaped name", `{"pass\u0077ord":"pw2"}`, `{"pass\u0077ord":"[REDACTED]"}`},
		{"detector inside a string member", `{"note":"dsn postgres://u:pw3@h/db","n":"` + ghToken + `"}`, `{"note":"dsn postgres://u:[REDACTED]@h/db","n":"[REDACTED]"}`},
		{"escaped quote in a value", `{"msg":"login password=a\"b rejected"}`, ``},
		{"nothing sensitive", `{"user":"bob","tokens_used":3}`, `{"user":"bob","tokens_used":3}`},
		{"not JSON: masked as text", `{"password": "pw4", oops}`, `{"password": "[REDACTED]", oops}`},
	}
	for _, tt := range tests {
		for _, wrap := range []struct {
			name string
			v    func(string) any
		}{
			{"string", func(s string) any { return s }},
			{"bytes", func(s string) any { return []byte(s) }},
			{"raw", func(s string) any { return json.RawMessage(s) }},
		} {
			t.Run(tt.name+"/"+wrap.name, func(t *testing.T) {
				t.Parallel()
				var buf bytes.Buffer
				newLogger(&buf, nil).Info("m", "body", wrap.v(tt.in))
				line := decodeLine(t, buf.Bytes())
				got := line["body"]
				if raw, ok := got.(map[string]any); ok || wrap.name == "raw" && json.Valid([]byte(tt.in)) {
					// A json.RawMessage stays raw JSON: the sink embeds it.
					b, err := json.Marshal(got)
					require.NoError(t, err)
					_ = raw
					got = string(b)
				}
				s, _ := got.(string)
				assert.NotContains(t, s, "pw1")
				assert.NotContains(t, s, "pw2")
				assert.NotContains(t, s, "pw3")
				assert.NotContains(t, s, "pw4")
				assert.NotContains(t, s, "1234")
				assert.NotContains(t, s, `k1`)
				if json.Valid([]byte(tt.in)) && !(wrap.name == "bytes" && tt.want == tt.in) { // unchanged bytes: base64
					assert.True(t, json.Valid([]byte(s)), "the body still parses: %s", s)
				}
				if tt.want != "" && wrap.name != "raw" && !(wrap.name == "bytes" && tt.want == tt.in) {
					assert.Equal(t, tt.want, s)
				}
			})
		}
	}
}

// TestJSONBodyStaysRaw: a json.RawMessage that changes is still embedded
// as JSON by the JSON sink, not quoted as a string.
func TestJSONBodyStaysRaw(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	newLogger(&buf, nil).Info("m", "body", json.RawMessage(`{"user":"bob","password":"pw"}`))
	assert.Equal(t, `{"level":"INFO","msg":"m","body":{"user":"bob","password":"[REDACTED]"}}`+"\n", buf.String())
}

// TestBodiesNeedKeyValuePairs: bodies are the KeyValuePairs detector's;
// without it a JSON body with a sensitive number passes.
func TestBodiesNeedKeyValuePairs(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	newLogger(&buf, &redact.Options{Detectors: redact.AllDetectors &^ redact.KeyValuePairs}).Info("m", "body", `{"pin":1234}`)
	assert.Contains(t, buf.String(), "1234")
}
