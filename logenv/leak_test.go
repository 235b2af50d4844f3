package logenv_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
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
// must not reach the output, and the option that turns its part off.
type leak struct {
	name   string
	msg    string
	args   []any
	secret string
	off    redact.Option
}

var leaks = []leak{
	{"compound key db_password", "m", []any{"db_password", "pw-compound-1"}, "pw-compound-1", redact.WithWholeKeys()},
	{"compound key aws_secret_access_key", "m", []any{"aws_secret_access_key", "wJalrXUtnFEMIK7MDENGbPxRfiCY"}, "wJalrXUtnFEMIK7MDENGbPxRfiCY", redact.WithWholeKeys()},
	{"camel-case key userPassword", "m", []any{"userPassword", "pw-camel-2"}, "pw-camel-2", redact.WithWholeKeys()},
	{"struct with a Password field", "m", []any{"db", dbSettings{Host: "db", Password: "pw-struct-3"}}, "pw-struct-3", redact.WithoutStructFields()},
	{"pointer to a struct with an api_key tag", "m", []any{"api", &apiSettings{Endpoint: "e", Key: "ak-struct-4"}}, "ak-struct-4", redact.WithoutStructFields()},
	{"DSN with a password", "m", []any{"dsn", "postgres://bob:pw-dsn-5@db/x"}, "pw-dsn-5", redact.WithoutDetectors(redact.URLCredentials)},
	{"DSN inside an error", "m", []any{"error", fmt.Errorf("open %s: %w", "postgres://bob:pw-dsn-6@db/x", errors.New("refused"))}, "pw-dsn-6", redact.WithoutDetectors(redact.URLCredentials)},
	// A query parameter is also a key=value pair: both detectors catch it.
	{"URL with ?token=", "m", []any{"url", "https://api.example/v1?token=tok-query-7&page=2"}, "tok-query-7", redact.WithoutDetectors(redact.URLCredentials | redact.KeyValuePairs)},
	{"PEM private key block", "m", []any{"tls_key", leakPEM}, "PEMSECRET", redact.WithoutDetectors(redact.PrivateKeys)},
	{"password= inside an error's text", "m", []any{"error", errors.New("login: password=pw-kv-8 rejected")}, "pw-kv-8", redact.WithoutDetectors(redact.KeyValuePairs)},
	{"card number inside an instance id", "m", []any{"instance_id", "order-4111111111111111"}, "4111111111111111", redact.WithoutDetectors(redact.CardNumbers)},
	{"card number inside an error's text", "m", []any{"error", errors.New("charge 5555 5555 5555 4444 declined")}, "5555 5555 5555 4444", redact.WithoutDetectors(redact.CardNumbers)},
	{"bearer token in an error", "m", []any{"error", errors.New("upstream said 401 to Bearer tok-bearer-9")}, "tok-bearer-9", redact.WithoutDetectors(redact.BearerTokens)},
	{"JWT in a value", "m", []any{"note", "got " + leakJWT}, "c2lnbmF0dXJlLWxlYWs", redact.WithoutDetectors(redact.JWTs)},
	{"card number in the message", "paid with 4012888888881881", nil, "4012888888881881", redact.WithoutMessageScan()},
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
	open   func(t *testing.T, opts []redact.Option) (slog.Handler, func() string)
}

func writerSink(f logenv.Format) sink {
	return sink{f, func(t *testing.T, opts []redact.Option) (slog.Handler, func() string) {
		var buf bytes.Buffer
		h, shutdown, err := logenv.New(logenv.Config{Format: f, Writer: &buf, Redact: opts})
		require.NoError(t, err)
		return h, func() string { require.NoError(t, shutdown(context.Background())); return buf.String() }
	}}
}

// otelSink renders every exported record's body and attributes, the
// exception.* attributes the SDK derives from an error included.
var otelSink = sink{logenv.FormatOTel, func(t *testing.T, opts []redact.Option) (slog.Handler, func() string) {
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
				h, output := s.open(t, []redact.Option{l.off})
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
