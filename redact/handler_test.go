package redact_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/slogtest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provobs/provobs/redact"
)

// noTime removes the time so that JSON lines can be compared exactly.
func noTime(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}

// newLogger returns a logger writing JSON lines without time through a
// redacting handler.
func newLogger(buf *bytes.Buffer, opts *redact.Options) *slog.Logger {
	next := slog.NewJSONHandler(buf, &slog.HandlerOptions{ReplaceAttr: noTime})
	return slog.New(redact.NewHandler(next, opts))
}

func TestSlogtest(t *testing.T) {
	t.Parallel()
	for name, opts := range map[string]*redact.Options{
		"defaults": nil,
		"mask-and-message-scan": {
			Mode: redact.Mask, ScanMessage: true, Audit: func(string, redact.Reason) {},
		},
		"no-detectors": {Detectors: redact.NoDetectors},
	} {
		t.Run(name+"/Run", func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			bufs := map[*testing.T]*bytes.Buffer{}
			slogtest.Run(t, func(t *testing.T) slog.Handler {
				buf := &bytes.Buffer{}
				mu.Lock()
				bufs[t] = buf
				mu.Unlock()
				return redact.NewHandler(slog.NewJSONHandler(buf, nil), opts)
			}, func(t *testing.T) map[string]any {
				mu.Lock()
				buf := bufs[t]
				mu.Unlock()
				m := map[string]any{}
				require.NoError(t, json.Unmarshal(buf.Bytes(), &m))
				return m
			})
		})
		t.Run(name+"/TestHandler", func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			h := redact.NewHandler(slog.NewJSONHandler(&buf, nil), opts)
			results := func() []map[string]any {
				var ms []map[string]any
				for _, line := range bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n")) {
					m := map[string]any{}
					require.NoError(t, json.Unmarshal(line, &m))
					ms = append(ms, m)
				}
				return ms
			}
			require.NoError(t, slogtest.TestHandler(h, results))
		})
	}
}

// user is a LogValuer that exposes a password field in its log value; the
// handler must drop it after resolution.
type user struct{ name, password string }

func (u user) LogValue() slog.Value {
	return slog.GroupValue(slog.String("name", u.name), slog.String("password", u.password))
}

// countingValuer counts its LogValue calls.
type countingValuer struct{ n *atomic.Int32 }

func (c countingValuer) LogValue() slog.Value {
	c.n.Add(1)
	return slog.StringValue("resolved")
}

// panicValuer must never be resolved: it sits under a sensitive key.
type panicValuer struct{}

func (panicValuer) LogValue() slog.Value { panic("LogValue called under a sensitive key") }

// tokenHolder is a struct whose fmt and JSON renderings would show the
// token; as a LogValuer it hides it.
type tokenHolder struct{ Token, ID string }

func (h tokenHolder) LogValue() slog.Value { return slog.StringValue("holder " + h.ID) }

const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sgn-_x"

func TestPaths(t *testing.T) {
	t.Parallel()
	det := &redact.Options{Detectors: redact.CardNumbers | redact.BearerTokens | redact.JWTs}
	tests := []struct {
		name string
		opts *redact.Options
		log  func(l *slog.Logger)
		want string
	}{
		{
			name: "record attr dropped",
			log:  func(l *slog.Logger) { l.Info("m", "user", "bob", "password", "hunter2", "n", 1) },
			want: `{"level":"INFO","msg":"m","user":"bob","n":1}`,
		},
		{
			name: "record attr masked",
			opts: &redact.Options{Mode: redact.Mask},
			log:  func(l *slog.Logger) { l.Info("m", "user", "bob", "password", "hunter2") },
			want: `{"level":"INFO","msg":"m","user":"bob","password":"[REDACTED]"}`,
		},
		{
			name: "case and separator variants",
			log: func(l *slog.Logger) {
				l.Info("m", "creditCard", 1, "credit_card", 2, "Credit-Card", 3, "CREDITCARD", 4,
					"credit card", 5, "credit.card", 6, "APIKey", 7, "Set-Cookie", 8, "ok", 9)
			},
			want: `{"level":"INFO","msg":"m","ok":9}`,
		},
		{
			name: "whole key only: provobs middleware keys and look-alikes pass",
			log: func(l *slog.Logger) {
				l.Info("m", "operation", "fetch", "instance_id", "i1", "duration_ms", 3, "error_type", "lock_lost",
					"error", "boom", "messages", 2, "sessions_renewed", 1, "sessions_cleaned", 0, "events", 4,
					"tokens_used", 10, "session_id", "s1", "password_hint", "h")
			},
			want: `{"level":"INFO","msg":"m","operation":"fetch","instance_id":"i1","duration_ms":3,` +
				`"error_type":"lock_lost","error":"boom","messages":2,"sessions_renewed":1,"sessions_cleaned":0,` +
				`"events":4,"tokens_used":10,"session_id":"s1","password_hint":"h"}`,
		},
		{
			name: "With attrs",
			log:  func(l *slog.Logger) { l.With("api_key", "k1", "env", "prod").Info("m", "n", 1) },
			want: `{"level":"INFO","msg":"m","env":"prod","n":1}`,
		},
		{
			name: "With attrs all dropped",
			log:  func(l *slog.Logger) { l.With("api_key", "k1").Info("m") },
			want: `{"level":"INFO","msg":"m"}`,
		},
		{
			name: "WithGroup",
			log: func(l *slog.Logger) {
				l.WithGroup("req").Info("m", "authorization", "Basic x", "path", "/")
			},
			want: `{"level":"INFO","msg":"m","req":{"path":"/"}}`,
		},
		{
			name: "WithGroup name is not matched",
			log:  func(l *slog.Logger) { l.WithGroup("auth").Info("m", "method", "oidc") },
			want: `{"level":"INFO","msg":"m","auth":{"method":"oidc"}}`,
		},
		{
			name: "WithGroup emptied by dropping is omitted",
			log:  func(l *slog.Logger) { l.WithGroup("req").Info("m", "password", "x") },
			want: `{"level":"INFO","msg":"m"}`,
		},
		{
			name: "With inside WithGroup",
			log: func(l *slog.Logger) {
				l.WithGroup("a").With("token", "t", "k", 1).WithGroup("b").Info("m", "cookie", "c", "v", 2)
			},
			want: `{"level":"INFO","msg":"m","a":{"k":1,"b":{"v":2}}}`,
		},
		{
			name: "nested groups",
			log: func(l *slog.Logger) {
				l.Info("m", slog.Group("a", slog.Group("b", slog.Group("c",
					slog.String("secret", "s"), slog.Int("n", 1)), slog.String("cvv", "123")), slog.Int("x", 2)))
			},
			want: `{"level":"INFO","msg":"m","a":{"b":{"c":{"n":1}},"x":2}}`,
		},
		{
			name: "groups emptied by dropping are omitted",
			log: func(l *slog.Logger) {
				l.Info("m", slog.Group("a", slog.Group("b", slog.String("token", "t"))), slog.Int("x", 1))
			},
			want: `{"level":"INFO","msg":"m","x":1}`,
		},
		{
			name: "inline group",
			log: func(l *slog.Logger) {
				l.Info("m", slog.Group("", slog.String("password", "p"), slog.Int("n", 1)))
			},
			want: `{"level":"INFO","msg":"m","n":1}`,
		},
		{
			name: "group under a sensitive key dropped whole",
			log: func(l *slog.Logger) {
				l.Info("m", slog.Group("credentials", slog.String("user", "u"), slog.String("pw", "p")))
			},
			want: `{"level":"INFO","msg":"m"}`,
		},
		{
			name: "group under a sensitive key masked whole",
			opts: &redact.Options{Mode: redact.Mask},
			log: func(l *slog.Logger) {
				l.Info("m", slog.Group("credentials", slog.String("user", "u")))
			},
			want: `{"level":"INFO","msg":"m","credentials":"[REDACTED]"}`,
		},
		{
			name: "LogValuer resolved then redacted",
			log:  func(l *slog.Logger) { l.Info("m", "user", user{"bob", "hunter2"}) },
			want: `{"level":"INFO","msg":"m","user":{"name":"bob"}}`,
		},
		{
			name: "LogValuer in a group",
			opts: &redact.Options{Mode: redact.Mask},
			log:  func(l *slog.Logger) { l.Info("m", slog.Group("g", slog.Any("user", user{"bob", "hunter2"}))) },
			want: `{"level":"INFO","msg":"m","g":{"user":{"name":"bob","password":"[REDACTED]"}}}`,
		},
		{
			name: "LogValuer under a sensitive key is never resolved",
			log:  func(l *slog.Logger) { l.Info("m", "token", panicValuer{}, "n", 1) },
			want: `{"level":"INFO","msg":"m","n":1}`,
		},
		{
			name: "LogValuer without anything to redact",
			log:  func(l *slog.Logger) { l.Info("m", "h", tokenHolder{Token: "t0k", ID: "7"}) },
			want: `{"level":"INFO","msg":"m","h":"holder 7"}`,
		},
		{
			name: "error under a sensitive key",
			log:  func(l *slog.Logger) { l.Info("m", "secret", errors.New("s3cr3t"), "n", 1) },
			want: `{"level":"INFO","msg":"m","n":1}`,
		},
		{
			name: "error text scanned by detectors",
			opts: det,
			log: func(l *slog.Logger) {
				l.Info("m", "error", fmt.Errorf("call: %w", errors.New("401 for Authorization: Bearer abc.def-1")))
			},
			want: `{"level":"INFO","msg":"m","error":"call: 401 for Authorization: Bearer [REDACTED]"}`,
		},
		{
			name: "error without a match is left as an error",
			opts: det,
			log:  func(l *slog.Logger) { l.Info("m", "error", errors.New("no route")) },
			want: `{"level":"INFO","msg":"m","error":"no route"}`,
		},
		{
			name: "map[string]string",
			log: func(l *slog.Logger) {
				l.Info("m", "headers", map[string]string{"Authorization": "Basic x", "Accept": "json"})
			},
			want: `{"level":"INFO","msg":"m","headers":{"Accept":"json"}}`,
		},
		{
			name: "map[string]string masked",
			opts: &redact.Options{Mode: redact.Mask},
			log: func(l *slog.Logger) {
				l.Info("m", "headers", map[string]string{"Authorization": "Basic x", "Accept": "json"})
			},
			want: `{"level":"INFO","msg":"m","headers":{"Accept":"json","Authorization":"[REDACTED]"}}`,
		},
		{
			name: "nested map[string]any with Secret and LogValuer",
			log: func(l *slog.Logger) {
				l.Info("m", "req", map[string]any{
					"body":  map[string]any{"password": "p", "name": "n"},
					"key":   redact.NewSecret("k"),
					"user":  user{"bob", "pw"},
					"count": 2,
				})
			},
			want: `{"level":"INFO","msg":"m","req":{"body":{"name":"n"},"count":2,"user":{"name":"bob"}}}`,
		},
		{
			name: "http.Header through reflection",
			log: func(l *slog.Logger) {
				l.Info("m", "headers", http.Header{"Cookie": {"c=1"}, "Accept": {"json"}})
			},
			want: `{"level":"INFO","msg":"m","headers":{"Accept":["json"]}}`,
		},
		{
			name: "[]any of maps, Attrs and Secrets",
			opts: &redact.Options{Mode: redact.Mask},
			log: func(l *slog.Logger) {
				l.Info("m", "items", []any{map[string]any{"token": "t", "id": 1}, redact.NewSecret("s"), "plain", 3})
			},
			want: `{"level":"INFO","msg":"m","items":[{"id":1,"token":"[REDACTED]"},"[REDACTED]","plain",3]}`,
		},
		{
			name: "[]any elements dropped",
			log: func(l *slog.Logger) {
				l.Info("m", "items", []any{redact.NewSecret("s"), "plain"})
			},
			want: `{"level":"INFO","msg":"m","items":["plain"]}`,
		},
		{
			name: "[]map[string]any through reflection",
			log: func(l *slog.Logger) {
				l.Info("m", "rows", []map[string]any{{"ssn": "1", "id": 1}, {"id": 2}})
			},
			want: `{"level":"INFO","msg":"m","rows":[{"id":1},{"id":2}]}`,
		},
		{
			name: "[]slog.Attr becomes a group",
			log: func(l *slog.Logger) {
				l.Info("m", "attrs", []slog.Attr{slog.String("pwd", "p"), slog.Int("n", 1)})
			},
			want: `{"level":"INFO","msg":"m","attrs":{"n":1}}`,
		},
		{
			name: "Secret dropped",
			log:  func(l *slog.Logger) { l.Info("m", "dsn", redact.NewSecret("postgres://u:p@h"), "n", 1) },
			want: `{"level":"INFO","msg":"m","n":1}`,
		},
		{
			name: "Secret masked",
			opts: &redact.Options{Mode: redact.Mask},
			log:  func(l *slog.Logger) { l.Info("m", "dsn", redact.NewSecret("postgres://u:p@h")) },
			want: `{"level":"INFO","msg":"m","dsn":"[REDACTED]"}`,
		},
		{
			name: "Secret pointer dropped",
			log: func(l *slog.Logger) {
				s := redact.NewSecret("x")
				l.Info("m", "dsn", &s, "n", 1)
			},
			want: `{"level":"INFO","msg":"m","n":1}`,
		},
		{
			name: "detectors: card, bearer, JWT in strings",
			opts: det,
			log: func(l *slog.Logger) {
				l.Info("m", "note", "card 4111 1111 1111 1111 exp", "hdr", "bearer abc~+/==",
					"link", "https://x/?t="+jwt+"&a=1", "order", "4111111111111112")
			},
			want: `{"level":"INFO","msg":"m","note":"card [REDACTED] exp","hdr":"bearer [REDACTED]",` +
				`"link":"https://x/?t=[REDACTED]&a=1","order":"4111111111111112"}`,
		},
		{
			name: "detectors on by default",
			log:  func(l *slog.Logger) { l.Info("m", "note", "4111111111111111 Bearer x "+jwt) },
			want: `{"level":"INFO","msg":"m","note":"[REDACTED] Bearer [REDACTED] [REDACTED]"}`,
		},
		{
			name: "NoDetectors turns them off",
			opts: &redact.Options{Detectors: redact.NoDetectors},
			log:  func(l *slog.Logger) { l.Info("m", "note", "4111111111111111 Bearer x "+jwt) },
			want: `{"level":"INFO","msg":"m","note":"4111111111111111 Bearer x ` + jwt + `"}`,
		},
		{
			name: "caller pattern",
			opts: &redact.Options{Patterns: []*regexp.Regexp{regexp.MustCompile(`sk_live_[0-9a-z]+`)}},
			log:  func(l *slog.Logger) { l.Info("m", "s", "key=sk_live_abc123;", "t", []string{"a", "sk_live_z"}) },
			want: `{"level":"INFO","msg":"m","s":"key=[REDACTED];","t":["a","[REDACTED]"]}`,
		},
		{
			name: "message scan",
			opts: &redact.Options{Detectors: det.Detectors, ScanMessage: true},
			log:  func(l *slog.Logger) { l.Info("paid with 5555-5555-5555-4444", "n", 1) },
			want: `{"level":"INFO","msg":"paid with [REDACTED]","n":1}`,
		},
		{
			name: "message not scanned by default",
			opts: det,
			log:  func(l *slog.Logger) { l.Info("paid with 5555-5555-5555-4444") },
			want: `{"level":"INFO","msg":"paid with 5555-5555-5555-4444"}`,
		},
		{
			name: "WithKeys adds",
			opts: &redact.Options{Keys: append(redact.DefaultKeys(), "tenant-id")},
			log:  func(l *slog.Logger) { l.Info("m", "TenantID", "t", "password", "p", "n", 1) },
			want: `{"level":"INFO","msg":"m","n":1}`,
		},
		{
			name: "WithOnlyKeys replaces",
			opts: &redact.Options{Keys: []string{"tenant"}},
			log:  func(l *slog.Logger) { l.Info("m", "tenant", "t", "password", "p") },
			want: `{"level":"INFO","msg":"m","password":"p"}`,
		},
		{
			name: "WithAllowedKeys lets a key pass and skips its detectors",
			opts: &redact.Options{Detectors: det.Detectors, AllowKeys: []string{"Session", "order_ref"}},
			log: func(l *slog.Logger) {
				l.Info("m", "session", "s1", "order_ref", "4111111111111111", "other", "4111111111111111")
			},
			want: `{"level":"INFO","msg":"m","session":"s1","order_ref":"4111111111111111","other":"[REDACTED]"}`,
		},
		{
			name: "allowed key still redacts a Secret and nested keys",
			opts: &redact.Options{AllowKeys: []string{"auth"}},
			log: func(l *slog.Logger) {
				l.Info("m", slog.Group("auth", slog.String("token", "t"), slog.String("method", "oidc")),
					"auth", redact.NewSecret("s"))
			},
			want: `{"level":"INFO","msg":"m","auth":{"method":"oidc"}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			tt.log(newLogger(&buf, tt.opts))
			assert.Equal(t, tt.want+"\n", buf.String())
		})
	}
}

func TestAudit(t *testing.T) {
	t.Parallel()
	type event struct {
		path   string
		reason redact.Reason
	}
	var (
		mu     sync.Mutex
		events []event
	)
	audit := func(path string, reason redact.Reason) {
		mu.Lock()
		events = append(events, event{path, reason})
		mu.Unlock()
	}
	var buf bytes.Buffer
	l := newLogger(&buf, &redact.Options{Audit: audit, Detectors: redact.BearerTokens, ScanMessage: true})
	wl := l.WithGroup("req").With("api_key", "k")
	mu.Lock()
	assert.Equal(t, []event{{"req.api_key", redact.ReasonKey}}, events, "With attrs are audited once, at With time")
	events = nil
	mu.Unlock()

	wl.Info("got Bearer abc",
		slog.Group("user", slog.String("password", "p"), slog.Any("dsn", redact.NewSecret("d"))),
		slog.Group("", slog.String("hdr", "Bearer xyz")),
		slog.Any("h", map[string]any{"cookie": "c"}),
		slog.Any("l", []any{map[string]string{"token": "t"}}))
	wl.Info("nothing here", "n", 1)

	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []event{
		{"msg", redact.ReasonValue},
		{"req.user.password", redact.ReasonKey},
		{"req.user.dsn", redact.ReasonSecret},
		{"req.hdr", redact.ReasonValue},
		{"req.h.cookie", redact.ReasonKey},
		{"req.l.token", redact.ReasonKey},
	}, events)
	for _, e := range events {
		for _, v := range []string{"abc", "xyz", `"p"`, `"d"`, `"c"`, `"t"`} {
			assert.NotContains(t, e.path, v)
		}
	}
}

func TestWithAttrsResolvesOnce(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	var buf bytes.Buffer
	l := newLogger(&buf, nil).With("v", countingValuer{&n})
	for range 3 {
		l.Info("m")
	}
	assert.Equal(t, int32(1), n.Load())
	assert.Equal(t, strings.Repeat(`{"level":"INFO","msg":"m","v":"resolved"}`+"\n", 3), buf.String())
}

func TestRecordLogValuerResolvedOnce(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	var buf bytes.Buffer
	newLogger(&buf, nil).Info("m", "v", countingValuer{&n})
	assert.Equal(t, int32(1), n.Load())
	assert.Equal(t, `{"level":"INFO","msg":"m","v":"resolved"}`+"\n", buf.String())
}

func TestNeverMutatesCaller(t *testing.T) {
	t.Parallel()
	group := []slog.Attr{slog.String("password", "p"), slog.Int("n", 1)}
	groupCopy := append([]slog.Attr(nil), group...)
	m := map[string]any{"token": "t", "inner": map[string]string{"secret": "s", "k": "v"}}
	list := []any{redact.NewSecret("s"), "x"}
	with := []slog.Attr{slog.String("cookie", "c"), slog.String("k", "v")}
	withCopy := append([]slog.Attr(nil), with...)

	var buf bytes.Buffer
	h := redact.NewHandler(slog.NewJSONHandler(&buf, &slog.HandlerOptions{ReplaceAttr: noTime}), &redact.Options{Mode: redact.Mask})
	l := slog.New(h.WithAttrs(with))
	with[1] = slog.String("k", "changed") // the handler must not alias with
	l.Info("m", slog.Attr{Key: "g", Value: slog.GroupValue(group...)}, "m", m, "list", list)

	assert.Equal(t, groupCopy, group)
	assert.Equal(t, map[string]any{"token": "t", "inner": map[string]string{"secret": "s", "k": "v"}}, m)
	assert.Len(t, list, 2)
	assert.Equal(t, "x", list[1])
	assert.Equal(t, "s", list[0].(redact.Secret).Reveal())
	assert.Equal(t, withCopy[0], with[0])
	assert.Equal(t, `{"level":"INFO","msg":"m","cookie":"[REDACTED]","k":"v",`+
		`"g":{"password":"[REDACTED]","n":1},"m":{"inner":{"k":"v","secret":"[REDACTED]"},"token":"[REDACTED]"},`+
		`"list":["[REDACTED]","x"]}`+"\n", buf.String())
}

func TestEnabledForwarded(t *testing.T) {
	t.Parallel()
	next := slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelWarn})
	h := redact.NewHandler(next, nil)
	ctx := context.Background()
	assert.False(t, h.Enabled(ctx, slog.LevelInfo))
	assert.True(t, h.Enabled(ctx, slog.LevelWarn))
	assert.False(t, h.WithGroup("g").WithAttrs([]slog.Attr{slog.Int("a", 1)}).Enabled(ctx, slog.LevelInfo))
}

func TestWithGroupEmptyNameAndNoAttrs(t *testing.T) {
	t.Parallel()
	h := redact.NewHandler(slog.NewJSONHandler(io.Discard, nil), nil)
	assert.Same(t, h, h.WithGroup(""))
	assert.Same(t, h, h.WithAttrs(nil))
	assert.NotSame(t, h, h.WithGroup("g"))
	assert.Panics(t, func() { redact.NewHandler(nil, nil) })
}

// TestNoAllocsWhenNothingRedacted holds the hot-path promise: a record that
// needs no change costs no allocation beyond the bare handler's.
func TestNoAllocsWhenNothingRedacted(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector changes allocation counts")
	}
	bare := slog.NewJSONHandler(io.Discard, nil)
	withStruct := benchRecord()
	withStruct.AddAttrs(slog.Any("order", order{ID: "o-1", Amount: 3, Items: []string{"a", "b"}}),
		slog.Any("ptr", &order{ID: "o-2"}))
	for name, h := range map[string]slog.Handler{
		"defaults":  redact.NewHandler(bare, nil),
		"detectors": redact.NewHandler(bare, &redact.Options{Detectors: redact.CardNumbers | redact.BearerTokens | redact.JWTs, ScanMessage: true}),
		"logenv":    redact.NewHandler(bare, preset()),
	} {
		for rname, r := range map[string]slog.Record{"plain": benchRecord(), "struct values": withStruct} {
			ctx := context.Background()
			want := testing.AllocsPerRun(100, func() { _ = bare.Handle(ctx, r) })
			got := testing.AllocsPerRun(100, func() { _ = h.Handle(ctx, r) })
			assert.Equal(t, want, got, "%s, %s record", name, rname)
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	var n atomic.Int64
	h := redact.NewHandler(slog.NewJSONHandler(io.Discard, nil), &redact.Options{Audit: func(string, redact.Reason) { n.Add(1) }, Detectors: redact.BearerTokens})
	l := slog.New(h).WithGroup("g")
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			wl := l.With("token", i)
			for range 100 {
				wl.Info("m", "password", "p", "h", "Bearer x", "ok", 1)
			}
		})
	}
	wg.Wait()
	assert.Equal(t, int64(8+8*100*2), n.Load())
}

func TestRebuiltRecordKeepsTimeLevelAndSource(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	l := slog.New(redact.NewHandler(slog.NewJSONHandler(&buf, &slog.HandlerOptions{AddSource: true}), nil))
	l.Warn("m", "password", "p")
	m := decodeLine(t, buf.Bytes())
	require.Contains(t, m, "source")
	assert.Equal(t, "TestRebuiltRecordKeepsTimeLevelAndSource", m["source"].(map[string]any)["function"].(string)[len("github.com/provobs/provobs/redact_test."):])
	assert.Equal(t, "WARN", m["level"])
	assert.NotEmpty(t, m["time"])
	assert.NotContains(t, m, "password")
}
