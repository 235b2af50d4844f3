package redact_test

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
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
	det := &redact.Options{Detectors: redact.BearerTokens, Mode: redact.Mask}
	tests := []struct {
		name string
		opts *redact.Options
		v    any
		want string
	}{
		{"named map type", nil, fields{"token": "t", "n": 1}, `{"n":1}`},
		{"url.Values", nil, url.Values{"client_secret": {"s"}, "q": {"x"}}, `{"q":["x"]}`},
		{"map with int keys is not searched", nil, map[int]string{1: "password"}, `{"1":"password"}`},
		{"slice of ints is not searched", nil, []int{1, 2}, `[1,2]`},
		{"array of maps", nil, [2]map[string]string{{"cvv": "1"}, {"k": "v"}}, `[{},{"k":"v"}]`},
		{"named slice of Secrets", nil, secrets{redact.NewSecret("a")}, `[]`},
		{"named slice of Secrets masked", &redact.Options{Mode: redact.Mask}, secrets{redact.NewSecret("a")}, `["[REDACTED]"]`},
		{"map of maps all dropped", nil, map[string]map[string]string{"x": {"token": "t"}}, `{"x":{}}`},
		{"LogValuer group with inline group in a map", nil, map[string]any{"v": inlineValuer{}}, `{"v":{"a":1,"b":2}}`},
		{"slog.Value in a slice", &redact.Options{Mode: redact.Mask}, []any{slog.GroupValue(slog.String("ssn", "1"))}, `[{"ssn":"[REDACTED]"}]`},
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
			newLogger(&buf, tt.opts).Info("m", "v", tt.v)
			assert.Equal(t, `{"level":"INFO","msg":"m","v":`+tt.want+"}\n", buf.String())
		})
	}
}

func TestModeString(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "drop", redact.Drop.String())
	assert.Equal(t, "mask", redact.Mask.String())
}

type dbConfig struct {
	Host     string
	Password string
	Key      string `json:"api_key"`
	Port     int    `json:"port,omitempty"`
	Skipped  string `json:"-"`
	internal string
}

type credsInside struct {
	Name  string
	Creds *dbConfig
	Meta  map[string]string
	Note  string
}

type embedded struct {
	dbConfig
	Region string
}

type plain struct {
	ID    string
	Count int
}

type hiddenSecret struct {
	ID       string
	password string
}

type jsonCustom struct{ Password string }

func (jsonCustom) MarshalJSON() ([]byte, error) { return []byte(`"custom"`), nil }

type cyclic struct {
	Name string
	Next *cyclic
	Map  map[string]any
}

func TestStructValues(t *testing.T) {
	t.Parallel()
	cfg := dbConfig{Host: "db", Password: "hunter2", Key: "k-1", Port: 5432, Skipped: "s", internal: "i"}
	loop := &cyclic{Name: "a"}
	loop.Next = loop
	tests := []struct {
		name string
		opts *redact.Options
		v    any
		want string
	}{
		{"by value", nil, cfg, `{"Host":"db","port":5432}`},
		{"by pointer", nil, &cfg, `{"Host":"db","port":5432}`},
		{"masked", &redact.Options{Mode: redact.Mask}, cfg, `{"Host":"db","Password":"[REDACTED]","api_key":"[REDACTED]","port":5432}`},
		{"nested pointer, map and detectors", &redact.Options{Detectors: redact.AllDetectors},
			credsInside{Name: "n", Creds: &cfg, Meta: map[string]string{"token": "t", "k": "v"}, Note: "dsn postgres://u:pw@h"},
			`{"Creds":{"Host":"db","port":5432},"Meta":{"k":"v"},"Name":"n","Note":"dsn postgres://u:[REDACTED]@h"}`},
		{"embedded struct flattened", nil, embedded{dbConfig: cfg, Region: "eu"}, `{"Host":"db","Region":"eu","port":5432}`},
		{"nothing sensitive passes as it is", &redact.Options{Detectors: redact.AllDetectors}, plain{ID: "o-1", Count: 2}, `{"ID":"o-1","Count":2}`},
		{"unexported sensitive field: converted", nil, hiddenSecret{ID: "x", password: "p"}, `{"ID":"x"}`},
		{"json.Marshaler left to its method", nil, jsonCustom{Password: "p"}, `"custom"`},
		{"struct fields off", &redact.Options{NoStructFields: true}, cfg,
			`{"Host":"db","Password":"hunter2","api_key":"k-1","port":5432}`},
		{"nil pointer", nil, (*dbConfig)(nil), `null`},
		{"slice of structs", nil, []dbConfig{cfg}, `[{"Host":"db","port":5432}]`},
		{"map of struct pointers", nil, map[string]*dbConfig{"a": &cfg}, `{"a":{"Host":"db","port":5432}}`},
		{"cycle ends at the depth limit", &redact.Options{Mode: redact.Mask}, loop, ``},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			newLogger(&buf, tt.opts).Info("m", "v", tt.v)
			if tt.want == "" {
				assert.Contains(t, buf.String(), `"Name":"a"`)
				assert.Contains(t, buf.String(), redact.Redacted)
				return
			}
			assert.Equal(t, `{"level":"INFO","msg":"m","v":`+tt.want+"}\n", buf.String())
		})
	}
	assert.Equal(t, "hunter2", cfg.Password, "the caller's struct is not modified")
}

func TestPointerToContainer(t *testing.T) {
	t.Parallel()
	m := map[string]string{"password": "p", "k": "v"}
	ma := map[string]any{"token": "t", "n": 1}
	l := []any{redact.NewSecret("s"), "x"}
	h := http.Header{"Authorization": {"Basic x"}, "Accept": {"json"}}
	var buf bytes.Buffer
	newLogger(&buf, nil).Info("m", "m", &m, "ma", &ma, "l", &l, "h", &h)
	assert.Equal(t, `{"level":"INFO","msg":"m","m":{"k":"v"},"ma":{"n":1},"l":["x"],"h":{"Accept":["json"]}}`+"\n", buf.String())
	assert.Equal(t, "p", m["password"], "not modified")
}
