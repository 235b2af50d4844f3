package redact_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provobs/provobs/redact"
)

type selfValuer struct{}

func (s selfValuer) LogValue() slog.Value { return slog.AnyValue(s) }

type boomValuer struct{}

func (boomValuer) LogValue() slog.Value { panic("boom") }

// endless resolves to a group that holds another endless: a LogValuer
// chain with no end.
type endless struct{ n int }

func (e endless) LogValue() slog.Value {
	return slog.GroupValue(slog.Int("n", e.n), slog.Any("next", endless{e.n + 1}))
}

// TestBadInput: none of these panics, each ends, and the secret in it
// does not pass. A 1 MiB string is scanned once per detector start, so a
// scan that went quadratic would not end within the test timeout.
func TestBadInput(t *testing.T) {
	t.Parallel()
	const mib = 1 << 20
	deep := map[string]any{"password": "pw-deep"}
	for range 200 {
		deep = map[string]any{"d": deep, "password": "pw-deep"}
	}
	cyclic := map[string]any{"token": "pw-cyclic"}
	cyclic["self"] = cyclic
	cyclicSlice := []any{"Bearer pw-cslice", nil}
	cyclicSlice[1] = cyclicSlice
	group := slog.String("password", "pw-group")
	for range 200 {
		group = slog.Group("g", group)
	}
	repeat := func(unit string) string { return strings.Repeat(unit, mib/len(unit)+1)[:mib] }
	tests := []struct {
		name   string
		v      any
		secret string // must not appear in the output; "" when none is planted
	}{
		{"invalid UTF-8", "\xff\xfepassword=pw-utf8 \xc3", "pw-utf8"},
		{"invalid UTF-8 key", map[string]any{"pass\xffword": "x", "\xffpassword": "pw-badkey"}, "pw-badkey"},
		{"1 MiB with a secret at the end", strings.Repeat("a", mib) + " password=pw-long", "pw-long"},
		{"1 MiB of digits", repeat("4"), ""},
		{"1 MiB of digit groups", repeat("1234 "), ""},
		{"1 MiB of ://", repeat("://"), ""},
		{"1 MiB of a:b@", repeat("a:b@"), ""},
		{"1 MiB of mysql @tcp(", repeat("u:p@tcp("), ""},
		{"1 MiB of password=", repeat("password="), ""},
		{"1 MiB of quoted keys", repeat(`"password":`), ""},
		{"1 MiB of ; pairs", repeat("password=a;"), ""},
		{"1 MiB of eyJ", repeat("eyJ."), ""},
		{"1 MiB of Bearer", repeat("Bearer "), ""},
		{"1 MiB of BEGIN", repeat("-----BEGIN "), ""},
		{"1 MiB of BEGIN PRIVATE KEY", repeat("-----BEGIN PRIVATE KEY-----"), ""},
		{"1 MiB of vendor prefixes", repeat("ghp_AKIAxoxb-sk_live_sk-glpat-"), ""},
		{"1 MiB of GitLab dots", "glpat-" + repeat("a."), ""},
		{"1 MiB JSON nesting", strings.Repeat(`{"a":`, mib/10) + "1" + strings.Repeat("}", mib/10), ""},
		{"1 MiB JSON array with a secret", "[" + strings.Repeat(`"x",`, mib/4) + `{"password":"pw-json-big"}]`, "pw-json-big"},
		{"deep JSON with a secret", strings.Repeat(`{"a":`, 100) + `{"password":"pw-json-deep"}` + strings.Repeat("}", 100), "pw-json-deep"},
		{"deeply nested maps", deep, "pw-deep"},
		{"cyclic map", cyclic, "pw-cyclic"},
		{"cyclic slice", cyclicSlice, "pw-cslice"},
		{"deep groups", slog.GroupValue(group), "pw-group"},
		{"LogValuer returning itself", selfValuer{}, ""},
		{"LogValuer that panics", boomValuer{}, ""},
		{"endless LogValuer chain", endless{}, ""},
		{"map with int keys", map[int]string{1: "Bearer pw-intkey", 2: "ok"}, "pw-intkey"},
		{"map with struct keys", map[struct{ A int }]any{{1}: errors.New("password=pw-structkey")}, "pw-structkey"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, mode := range []redact.Mode{redact.Drop, redact.Mask} {
				var jsonOut, textOut bytes.Buffer
				opts := &redact.Options{Mode: mode, ScanMessage: true}
				require.NotPanics(t, func() {
					slog.New(redact.NewHandler(slog.NewJSONHandler(&jsonOut, nil), opts)).Info("m", "v", tt.v)
					slog.New(redact.NewHandler(slog.NewTextHandler(&textOut, nil), opts)).Info("m", "v", tt.v)
				})
				require.NotEmpty(t, jsonOut.String())
				if tt.secret != "" {
					assert.NotContains(t, jsonOut.String(), tt.secret, "json, %s", mode)
					assert.NotContains(t, textOut.String(), tt.secret, "text, %s", mode)
				}
				var m map[string]any
				assert.NoError(t, json.Unmarshal(jsonOut.Bytes(), &m), "the JSON line parses")
			}
		})
	}
}
