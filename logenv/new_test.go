package logenv_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/logenv"
	"github.com/provobs/provobs/obstest"
	"github.com/provobs/provobs/redact"
	"github.com/provobs/provobs/slogprov"
	"github.com/provobs/provobs/sqlite/sqlitetest"
	"github.com/provobs/provobs/tracing"
)

// drive runs every operation and one failure through slogprov on h, and
// logs one record with a secret.
func drive(t *testing.T, h slog.Handler, mws ...provobs.Middleware) {
	t.Helper()
	logger := slog.New(h)
	p := provobs.Chain(sqlitetest.New(t), append(mws, slogprov.Middleware(logger))...)
	ctx := context.Background()
	require.NoError(t, obstest.Exercise(ctx, p))
	require.Error(t, p.AckWorker(provobs.WithInstance(ctx, "inst-9"), "bad-token", nil))
	logger.Info("login", "user", "ann", "password", "hunter2")
}

// records is the number of records drive writes at DEBUG.
var records = len(provobs.MethodOps()) + 2 + 1 + 1

func jsonLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var ms []map[string]any
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &m), sc.Text())
		ms = append(ms, m)
	}
	return ms
}

func TestNewJSON(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	h, shutdown, err := logenv.New(logenv.Config{Format: logenv.FormatJSON, Writer: &buf, Level: slog.LevelDebug})
	require.NoError(t, err)
	drive(t, h)
	require.NoError(t, shutdown(context.Background()))

	ms := jsonLines(t, buf.String())
	require.Len(t, ms, records)
	keys := map[string]bool{}
	for _, m := range ms {
		for k := range m {
			keys[k] = true
		}
	}
	for _, k := range []string{
		provobs.KeyOperation, provobs.KeyInstanceID, provobs.KeyDurationMS, provobs.KeyErrorType, provobs.KeyError,
		provobs.SizeMessages, provobs.SizeEvents, provobs.SizeItems, provobs.SizeSessionsRenewed, provobs.SizeSessionsCleaned, provobs.SizeInstances,
	} {
		assert.True(t, keys[k], "redaction must keep %q", k)
	}
	assert.NotContains(t, buf.String(), "hunter2", "redacted by default")
	assert.Contains(t, buf.String(), `"user":"ann"`)
}

func TestNewTintAndText(t *testing.T) {
	t.Parallel()
	for _, f := range []logenv.Format{logenv.FormatTint, logenv.FormatText} {
		t.Run(string(f), func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			h, _, err := logenv.New(logenv.Config{Format: f, Writer: &buf, Level: slog.LevelDebug})
			require.NoError(t, err)
			drive(t, h)
			out := buf.String()
			assert.Len(t, strings.Split(strings.TrimSpace(out), "\n"), records)
			assert.NotContains(t, out, "\x1b[", "no colour off a terminal")
			assert.NotContains(t, out, "hunter2")
			assert.Contains(t, out, "operation=ack_worker error_type=lock_lost")
		})
	}
}

func TestNewDefaults(t *testing.T) {
	t.Parallel()
	// A file is not a terminal: JSON, at INFO.
	f, err := os.Create(filepath.Join(t.TempDir(), "log"))
	require.NoError(t, err)
	defer f.Close()
	h, _, err := logenv.New(logenv.Config{Writer: f})
	require.NoError(t, err)
	drive(t, h)
	out, err := os.ReadFile(f.Name())
	require.NoError(t, err)
	ms := jsonLines(t, string(out))
	require.Len(t, ms, 2, "INFO: the failed ack and the login, no DEBUG")
	assert.Equal(t, "ERROR", ms[0][slog.LevelKey])
	assert.Equal(t, "lock_lost", ms[0][provobs.KeyErrorType])
}

func TestNewNoRedactAndOptions(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	h, _, err := logenv.New(logenv.Config{Format: logenv.FormatJSON, Writer: &buf, NoRedact: true})
	require.NoError(t, err)
	slog.New(h).Info("login", "password", "hunter2")
	assert.Contains(t, buf.String(), "hunter2")

	buf.Reset()
	h, _, err = logenv.New(logenv.Config{Format: logenv.FormatJSON, Writer: &buf, Redact: &redact.Options{Keys: append(redact.DefaultKeys(), "user")}})
	require.NoError(t, err)
	slog.New(h).Info("login", "user", "ann")
	assert.NotContains(t, buf.String(), "ann")
}

func TestNewUnknownFormat(t *testing.T) {
	t.Parallel()
	_, _, err := logenv.New(logenv.Config{Format: "xml"})
	require.Error(t, err)
	assert.ErrorContains(t, err, "tint, json, text or otel")
}

// TestNewOTel sends the records through otelslog to a LoggerProvider the
// test owns, under the tracing middleware.
func TestNewOTel(t *testing.T) {
	t.Parallel()
	exp := &obstest.LogExporter{}
	lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(sdklog.NewSimpleProcessor(exp)))
	spans := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	t.Cleanup(func() {
		_ = lp.Shutdown(context.Background())
		_ = tp.Shutdown(context.Background())
	})
	h, shutdown, err := logenv.New(logenv.Config{Format: logenv.FormatOTel, LoggerProvider: lp, Level: slog.LevelDebug})
	require.NoError(t, err)
	drive(t, h, tracing.Middleware(tp))
	slog.New(h).With(provobs.KeyErrorType, "conflict").Debug("with")
	require.NoError(t, shutdown(context.Background()), "no-op for a caller's provider")

	recs := exp.Records()
	require.Len(t, recs, records+1)
	spanIDs := map[string]bool{}
	for _, s := range spans.GetSpans() {
		spanIDs[s.SpanContext.SpanID().String()] = true
	}
	var failed, with, login int
	for _, r := range recs {
		a := map[string]attribute.Value{}
		r.WalkAttributes(func(kv attribute.KeyValue) bool { a[string(kv.Key)] = kv.Value; return true })
		_, old := a[provobs.KeyErrorType]
		assert.False(t, old, "error_type is renamed")
		assert.NotContains(t, a, "password")
		switch body := r.Body().AsString(); body {
		case provobs.MessageFailed:
			failed++
			assert.Equal(t, "lock_lost", a[provobs.KeyOTelErrorType].AsString())
			assert.True(t, spanIDs[r.SpanID().String()])
		case provobs.MessageOK:
			assert.True(t, spanIDs[r.SpanID().String()], "correlated with its span")
		case "with":
			with++
			assert.Equal(t, "conflict", a[provobs.KeyOTelErrorType].AsString())
		case "login":
			login++
		default:
			t.Errorf("unexpected record %q", body)
		}
	}
	assert.Equal(t, []int{1, 1, 1}, []int{failed, with, login})
}

func TestNewOTelLevel(t *testing.T) {
	t.Parallel()
	exp := &obstest.LogExporter{}
	lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(sdklog.NewSimpleProcessor(exp)))
	t.Cleanup(func() { _ = lp.Shutdown(context.Background()) })
	h, _, err := logenv.New(logenv.Config{Format: logenv.FormatOTel, LoggerProvider: lp})
	require.NoError(t, err)
	drive(t, h)
	assert.Len(t, exp.Records(), 2, "INFO: the failed ack and the login")
}

// TestNewOTelStdout uses the LoggerProvider New builds: OpenTelemetry JSON on
// the writer once shutdown has flushed it.
func TestNewOTelStdout(t *testing.T) {
	t.Parallel()
	var buf obstest.Buffer
	h, shutdown, err := logenv.New(logenv.Config{Format: logenv.FormatOTel, Writer: &buf, Level: slog.LevelDebug, ServiceName: "provobs-test"})
	require.NoError(t, err)
	drive(t, h)
	require.NoError(t, shutdown(context.Background()))

	out := buf.String()
	ms := jsonLines(t, out)
	require.Len(t, ms, records)
	assert.Contains(t, out, `"provobs-test"`)
	assert.Contains(t, out, `"error.type"`)
	assert.NotContains(t, out, `"error_type"`)
	assert.NotContains(t, out, "hunter2")
}
