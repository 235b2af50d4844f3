package redact_test

import (
	"bytes"
	"errors"
	"log/slog"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/provobs/provobs/redact"
)

type fields map[string]any

type secrets []redact.Secret

// inlineValuer resolves to a group holding an inline group.
type inlineValuer struct{}

func (inlineValuer) LogValue() slog.Value {
	return slog.GroupValue(slog.Int("a", 1), slog.Attr{Key: "", Value: slog.GroupValue(slog.String("pwd", "p"), slog.Int("b", 2))})
}

func TestContainers(t *testing.T) {
	t.Parallel()
	det := []redact.Option{redact.WithBearerTokens(), redact.WithBearerTokens(), redact.WithMode(redact.Mask)}
	tests := []struct {
		name string
		opts []redact.Option
		v    any
		want string
	}{
		{"named map type", nil, fields{"token": "t", "n": 1}, `{"n":1}`},
		{"url.Values", nil, url.Values{"client_secret": {"s"}, "q": {"x"}}, `{"q":["x"]}`},
		{"map with int keys is not searched", nil, map[int]string{1: "password"}, `{"1":"password"}`},
		{"slice of ints is not searched", nil, []int{1, 2}, `[1,2]`},
		{"array of maps", nil, [2]map[string]string{{"cvv": "1"}, {"k": "v"}}, `[{},{"k":"v"}]`},
		{"named slice of Secrets", nil, secrets{redact.NewSecret("a")}, `[]`},
		{"named slice of Secrets masked", []redact.Option{redact.WithMode(redact.Mask)}, secrets{redact.NewSecret("a")}, `["[REDACTED]"]`},
		{"map of maps all dropped", nil, map[string]map[string]string{"x": {"token": "t"}}, `{"x":{}}`},
		{"LogValuer group with inline group in a map", nil, map[string]any{"v": inlineValuer{}}, `{"v":{"a":1,"b":2}}`},
		{"slog.Value in a slice", []redact.Option{redact.WithMode(redact.Mask)}, []any{slog.GroupValue(slog.String("ssn", "1"))}, `[{}]`},
		{"error in a map", det, map[string]any{"e": errors.New("Bearer x")}, `{"e":"Bearer [REDACTED]"}`},
		{"error in a map, no match", det, map[string]any{"e": errors.New("x")}, `{"e":{}}`},
		{"[]byte with a match", det, []byte("Bearer x"), `"Bearer [REDACTED]"`},
		{"[]byte without a match", det, []byte("x"), `"eA=="`},
		{"[]error through reflection", det, []error{errors.New("Bearer x")}, `["Bearer [REDACTED]"]`},
		{"[2]string through reflection", det, [2]string{"Bearer x", "y"}, `["Bearer [REDACTED]","y"]`},
		{"map[string]string value scanned", det, map[string]string{"h": "Bearer x"}, `{"h":"Bearer [REDACTED]"}`},
		{"nil slice", det, []error(nil), `null`},
		{"slog.Attr in a slice", nil, []any{slog.String("pin", "1"), slog.Int("n", 1)}, `[{"Key":"n","Value":{}}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			newLogger(&buf, tt.opts...).Info("m", "v", tt.v)
			assert.Equal(t, `{"level":"INFO","msg":"m","v":`+tt.want+"}\n", buf.String())
		})
	}
}

func TestModeString(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "drop", redact.Drop.String())
	assert.Equal(t, "mask", redact.Mask.String())
}
