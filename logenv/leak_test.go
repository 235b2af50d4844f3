package logenv_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	sdklog "go.opentelemetry.io/otel/sdk/log"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/logenv"
	"github.com/provobs/provobs/obstest"
	"github.com/provobs/provobs/redact"
)

type dbSettings struct {
	Host     string
	Password string
}

type apiSettings struct {
	Endpoint string
	Key      string `json:"api_key"`
}

const leakPEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEAzzPEMSECRETzz\nqq\n-----END RSA PRIVATE KEY-----"

const leakJWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJqd3QtbGVhayJ9.c2lnbmF0dXJlLWxlYWs"

// leak is one way a secret reached production logs through logenv's
// defaults before they were made safe: the record that carries it, the text that
// must not reach the output, and how to turn its part off (on
// RedactDefaults()).
type leak struct {
	name   string
	msg    string
	args   []any
	secret string
	off    func(o *redact.Options)
}

func noKeys(o *redact.Options)    { o.Keys = []string{} }
func noStructs(o *redact.Options) { o.NoStructFields = true }
func noMessage(o *redact.Options) { o.ScanMessage = false }

func without(d redact.Detector) func(o *redact.Options) {
	return func(o *redact.Options) { o.Detectors = redact.AllDetectors &^ d }
}

// ghToken returns a GitHub token with body random (30 bytes) and its
// checksum: CRC32 (IEEE) of random, base62, six bytes.
func ghToken(prefix, random string) string {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	n := crc32.ChecksumIEEE([]byte(random))
	sum := make([]byte, 6)
	for i := 5; i >= 0; i-- {
		sum[i] = alphabet[n%62]
		n /= 62
	}
	return prefix + random + string(sum)
}

// taggedSettings hides sensitive Go names behind innocuous json names, in
// an embedded struct and behind a pointer too.
type taggedSettings struct {
	embeddedCreds
	Password string      `json:"pw"`
	Upstream *upstreamSt `json:"up"`
}

type embeddedCreds struct {
	APIKey string `json:"k"`
}

type upstreamSt struct {
	Token string `json:"t"`
}

var (
	leakGitHub = ghToken("ghp_", "LEAKgh0000000000000000000000xy")
	leakGoogle = "AIzaLEAKgoogle" + strings.Repeat("x", 35-len("LEAKgoogle"))
	leakNPM    = "npm_LEAKnpm" + strings.Repeat("0", 36-len("LEAKnpm"))
	leakOpenAI = "sk-proj-LEAKopenai1" + strings.Repeat("a", 40)
)

var leaks = []leak{
	{"compound key db_password", "m", []any{"db_password", "pw-compound-1"}, "pw-compound-1", noKeys},
	{"compound key aws_secret_access_key", "m", []any{"aws_secret_access_key", "wJalrXUtnFEMIK7MDENGbPxRfiCY"}, "wJalrXUtnFEMIK7MDENGbPxRfiCY", noKeys},
	{"camel-case key userPassword", "m", []any{"userPassword", "pw-camel-2"}, "pw-camel-2", noKeys},
	{"struct with a Password field", "m", []any{"db", dbSettings{Host: "db", Password: "pw-struct-3"}}, "pw-struct-3", noStructs},
	{"pointer to a struct with an api_key tag", "m", []any{"api", &apiSettings{Endpoint: "e", Key: "ak-struct-4"}}, "ak-struct-4", noStructs},
	{"Password field tagged json:pw", "m", []any{"cfg", taggedSettings{Password: "pw-tagged-18"}}, "pw-tagged-18", noStructs},
	{"embedded APIKey field tagged json:k", "m", []any{"cfg", taggedSettings{embeddedCreds: embeddedCreds{APIKey: "ak-embedded-19"}}}, "ak-embedded-19", noStructs},
	{"pointer to a struct with a Password field tagged json:pw", "m", []any{"cfg", &taggedSettings{Password: "pw-pointer-20"}}, "pw-pointer-20", noStructs},
	{"DSN with a password", "m", []any{"dsn", "postgres://bob:pw-dsn-5@db/x"}, "pw-dsn-5", without(redact.DSNs)},
	{"DSN inside an error", "m", []any{"error", fmt.Errorf("open %s: %w", "postgres://bob:pw-dsn-6@db/x", errors.New("refused"))}, "pw-dsn-6", without(redact.DSNs)},
	// A query parameter is also a key=value pair: both detectors catch it.
	{"URL with ?token=", "m", []any{"url", "https://api.example/v1?token=tok-query-7&page=2"}, "tok-query-7", without(redact.DSNs | redact.KeyValuePairs)},
	{"PEM private key block", "m", []any{"tls_key", leakPEM}, "PEMSECRET", without(redact.PrivateKeys)},
	{"password= inside an error's text", "m", []any{"error", errors.New("login: password=pw-kv-8 rejected")}, "pw-kv-8", without(redact.KeyValuePairs)},
	{"card number inside an instance id", "m", []any{"instance_id", "order-4111111111111111"}, "4111111111111111", without(redact.CardNumbers)},
	{"card number inside an error's text", "m", []any{"error", errors.New("charge 5555 5555 5555 4444 declined")}, "5555 5555 5555 4444", without(redact.CardNumbers)},
	{"bearer token in an error", "m", []any{"error", errors.New("upstream said 401 to Bearer tok-bearer-9")}, "tok-bearer-9", without(redact.BearerTokens)},
	{"JWT in a value", "m", []any{"note", "got " + leakJWT}, "c2lnbmF0dXJlLWxlYWs", without(redact.JWTs)},
	{"card number in the message", "paid with 4012888888881881", nil, "4012888888881881", noMessage},
	// Issue 21: vendor credentials in free text.
	{"AWS access key id in an error", "m", []any{"error", errors.New("sts: AKIALEAKAWS12345XYZ0 is not authorized")}, "AKIALEAKAWS12345XYZ0", without(redact.VendorTokens)},
	{"GitHub token in the message", "cloning with " + leakGitHub, nil, leakGitHub, without(redact.VendorTokens)},
	{"GitLab token", "m", []any{"cmd", "git clone https://oauth2:glpat-LEAKgitlab0123456789@gitlab.example/x.git"}, "glpat-LEAKgitlab0123456789", without(redact.VendorTokens | redact.DSNs)},
	{"Slack bot token", "m", []any{"note", "bot xoxb-1234567890-1234567890123-LEAKslackAbCdEfGhIjKlMn"}, "LEAKslack", without(redact.VendorTokens)},
	{"Stripe secret key", "m", []any{"note", "charge with sk_live_LEAKstripe4eC39HqLyjWDarjtT1zdp7dc"}, "LEAKstripe", without(redact.VendorTokens)},
	{"Stripe restricted key", "m", []any{"note", "rk_test_LEAKrestricted51H8cT2eZvKYlo2C"}, "LEAKrestricted", without(redact.VendorTokens)},
	{"Google API key", "m", []any{"url", "maps?key=x " + leakGoogle}, leakGoogle, without(redact.VendorTokens)},
	{"npm token", "m", []any{"npmrc", "//registry.npmjs.org/:_authToken " + leakNPM}, leakNPM, without(redact.VendorTokens)},
	{"OpenAI-style key", "m", []any{"note", "using " + leakOpenAI}, leakOpenAI, without(redact.VendorTokens)},
	// Issue 21: DSNs of other dialects.
	{"go-sql-driver/mysql DSN", "m", []any{"error", errors.New("open bob:pw-mysql-10@tcp(db:3306)/app?parseTime=true: refused")}, "pw-mysql-10", without(redact.DSNs)},
	{"mysql DSN without a protocol", "m", []any{"dsn", "bob:pw-mysql-21@/app"}, "pw-mysql-21", without(redact.DSNs)},
	{"JDBC ;password=", "m", []any{"url", "jdbc:sqlserver://db:1433;user=bob;password=pw-jdbc-11;databaseName=app"}, "pw-jdbc-11", without(redact.KeyValuePairs)},
	{"ADO.NET Password=…;", "m", []any{"conn", "Server=db;Database=app;User Id=bob;Password=pw-ado-12;"}, "pw-ado-12", without(redact.KeyValuePairs)},
	{"amqp:// URL", "m", []any{"broker", "amqp://guest:pw-amqp-13@mq:5672/"}, "pw-amqp-13", without(redact.DSNs)},
	{"mongodb+srv:// URL", "m", []any{"mongo", "mongodb+srv://app:pw-mongo-22@cluster0.example.net/db?retryWrites=true"}, "pw-mongo-22", without(redact.DSNs)},
	{"redis:// URL with an empty user", "m", []any{"cache", "redis://:pw-redis-23@cache:6379/0"}, "pw-redis-23", without(redact.DSNs)},
	{"percent-encoded password", "m", []any{"dsn", "postgres://bob:p%40ss-pct-14@db/x"}, "p%40ss-pct-14", without(redact.DSNs)},
	// Issue 21: bodies inside values.
	{"JSON body in a string", "m", []any{"body", `{"user":"bob","password":"pw-json-15","n":1}`}, "pw-json-15", without(redact.KeyValuePairs)},
	{"JSON body with a sensitive object member", "m", []any{"body", `{"credentials":{"key":"pw-json-16"},"n":[1,2]}`}, "pw-json-16", without(redact.KeyValuePairs)},
	{"form-encoded body", "m", []any{"body", "grant_type=client_credentials&client_secret=pw-form-17&scope=read"}, "pw-form-17", without(redact.KeyValuePairs | redact.DSNs)},
}

// routing are attributes that must reach the output unchanged: routing
// keys, a DSN without credentials and every key of provobs's vocabulary.
var routing = []any{"session_id", "sess-routing", "instance_id", "inst-routing", "tokens_used", 12345, "password_hint", "hint-routing",
	"dsn", "postgres://db.routing/x",
	provobs.KeyOperation, "v-operation", provobs.KeyMethod, "v-method", provobs.KeyDurationMS, "v-duration",
	provobs.KeyErrorType, "v-error-type", provobs.KeyEmptyPolls, "v-empty-polls", provobs.KeyTraceID, "v-trace",
	provobs.KeySpanID, "v-span", provobs.SizeMessages, "v-messages", provobs.SizeEvents, "v-events", provobs.SizeItems, "v-items",
	provobs.SizeSessionsRenewed, "v-renewed", provobs.SizeSessionsCleaned, "v-cleaned", provobs.SizeInstances, "v-instances"}

var routingText = []string{"sess-routing", "inst-routing", "12345", "hint-routing", "postgres://db.routing/x",
	"v-operation", "v-method", "v-duration", "v-error-type", "v-empty-polls", "v-trace", "v-span", "v-messages", "v-events",
	"v-items", "v-renewed", "v-cleaned", "v-instances"}

// sink is one format under test: it builds a handler with the given redact
// options and returns what was written once logging is over.
type sink struct {
	format logenv.Format
	open   func(t *testing.T, opts *redact.Options) (slog.Handler, func() string)
}

func writerSink(f logenv.Format) sink {
	return sink{f, func(t *testing.T, opts *redact.Options) (slog.Handler, func() string) {
		var buf bytes.Buffer
		h, shutdown, err := logenv.New(logenv.Config{Format: f, Writer: &buf, Redact: opts})
		require.NoError(t, err)
		return h, func() string { require.NoError(t, shutdown(context.Background())); return buf.String() }
	}}
}

// otelSink renders every exported record's body and attributes, the
// exception.* attributes the SDK derives from an error included.
var otelSink = sink{logenv.FormatOTel, func(t *testing.T, opts *redact.Options) (slog.Handler, func() string) {
	exp := &obstest.LogExporter{}
	lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(sdklog.NewSimpleProcessor(exp)))
	t.Cleanup(func() { _ = lp.Shutdown(context.Background()) })
	h, _, err := logenv.New(logenv.Config{Format: logenv.FormatOTel, LoggerProvider: lp, Redact: opts})
	require.NoError(t, err)
	return h, func() string {
		var b strings.Builder
		for _, r := range exp.Records() {
			fmt.Fprintf(&b, "body=%s", r.Body().String())
			r.WalkAttributes(func(kv attribute.KeyValue) bool {
				fmt.Fprintf(&b, " %s=%s", kv.Key, kv.Value.Emit())
				return true
			})
			b.WriteString("\n")
		}
		return b.String()
	}
}}

// TestDefaultsCloseEveryLeak logs each known leak through logenv.New
// with the default options: none reaches the output while the routing keys
// do; with its part turned off, each leak is back, which shows the test
// can fail.
func TestDefaultsCloseEveryLeak(t *testing.T) {
	t.Parallel()
	for _, s := range []sink{writerSink(logenv.FormatJSON), otelSink, writerSink(logenv.FormatText), writerSink(logenv.FormatTint)} {
		t.Run(string(s.format), func(t *testing.T) {
			t.Parallel()
			h, output := s.open(t, nil)
			logger := slog.New(h)
			for _, l := range leaks {
				logger.Info(l.msg, l.args...)
			}
			logger.Info("routing", routing...)
			out := output()
			require.NotEmpty(t, out)
			for _, l := range leaks {
				assert.NotContains(t, out, l.secret, l.name)
			}
			for _, r := range routingText {
				assert.Contains(t, out, r, "routing value")
			}
			for _, l := range leaks {
				o := logenv.RedactDefaults()
				l.off(&o)
				h, output := s.open(t, &o)
				slog.New(h).Info(l.msg, l.args...)
				assert.Contains(t, output(), l.secret, "%s: present again with its part off", l.name)
			}
		})
	}
}

// TestOTelErrorBecomesException pins what the package documentation says
// of errors on the otel path: the bridge moves an error attribute to
// exception.message and exception.type; an error a detector masked stays
// under its key as a string.
func TestOTelErrorBecomesException(t *testing.T) {
	t.Parallel()
	exp := &obstest.LogExporter{}
	lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(sdklog.NewSimpleProcessor(exp)))
	t.Cleanup(func() { _ = lp.Shutdown(context.Background()) })
	h, _, err := logenv.New(logenv.Config{Format: logenv.FormatOTel, LoggerProvider: lp})
	require.NoError(t, err)
	slog.New(h).Info("plain", "error", errors.New("boom"))
	slog.New(h).Info("masked", "error", errors.New("login: password=pw"))
	recs := exp.Records()
	require.Len(t, recs, 2)
	attrs := func(r sdklog.Record) map[string]string {
		m := map[string]string{}
		r.WalkAttributes(func(kv attribute.KeyValue) bool { m[string(kv.Key)] = kv.Value.Emit(); return true })
		return m
	}
	assert.Equal(t, map[string]string{"exception.message": "boom", "exception.type": "*errors.errorString"}, attrs(recs[0]))
	assert.Equal(t, map[string]string{"error": "login: password=[REDACTED]"}, attrs(recs[1]))
}

// TestBodiesStillParse: through logenv.New's JSON format a JSON body in a
// json.RawMessage stays embedded JSON and one in a string stays a string
// that parses, each with its sensitive members masked and the rest kept.
func TestBodiesStillParse(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	h, _, err := logenv.New(logenv.Config{Format: logenv.FormatJSON, Writer: &buf})
	require.NoError(t, err)
	const body = `{"user":"bob","password":"pw-body-1","items":[{"sku":"a-1","api_key":{"k":"pw-body-2"}}]}`
	slog.New(h).Info("request", "raw", json.RawMessage(body), "str", body, "bytes", []byte(body))
	require.NotContains(t, buf.String(), "pw-body")
	var line map[string]any
	require.NoError(t, json.Unmarshal(buf.Bytes(), &line))
	want := map[string]any{"user": "bob", "password": redact.Redacted,
		"items": []any{map[string]any{"sku": "a-1", "api_key": redact.Redacted}}}
	assert.Equal(t, want, line["raw"])
	for _, k := range []string{"str", "bytes"} {
		var got map[string]any
		require.NoError(t, json.Unmarshal([]byte(line[k].(string)), &got), k)
		assert.Equal(t, want, got, k)
	}
}
