// Package spancheck checks a real span of the tracing interceptor against
// the attribute table of the tracing package documentation, so the table
// and the spans cannot drift apart. Tests of tracing and of goworkflows use
// it.
package spancheck

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/tracing"
)

// SizeRow is the table's row for the op's result size.
const SizeRow = "<op.SizeKey()>"

// Table returns the attribute table of tracing/doc.go: each key (SizeRow
// for the size) with its type ("string" or "int").
func Table() (map[string]string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return nil, errors.New("spancheck: no source location")
	}
	doc, err := os.ReadFile(filepath.Join(filepath.Dir(file), "..", "..", "tracing", "doc.go"))
	if err != nil {
		return nil, err
	}
	rows := map[string]string{}
	in := false
	for line := range strings.Lines(string(doc)) {
		line = strings.TrimRight(line, "\n")
		switch {
		case line == "// # Attributes":
			in = true
			continue
		case !in:
			continue
		case strings.HasPrefix(line, "//\t"):
			f := strings.Fields(strings.TrimPrefix(line, "//\t"))
			if len(f) < 3 || f[0] == "attribute" {
				continue
			}
			rows[f[0]] = f[1]
		case len(rows) > 0:
			return rows, nil // the table ended
		}
	}
	if len(rows) == 0 {
		return nil, errors.New("spancheck: no attribute table in tracing/doc.go")
	}
	return rows, nil
}

// Want is what a span must say beyond the store: the storage method of the
// call, and whether it failed or was cancelled.
type Want struct {
	Method   string
	Failed   bool // an error of the store: status Error and error.type
	Canceled bool // the caller's cancellation: error.type canceled, status unset
}

// Check checks every attribute of s, a span of the tracing interceptor
// bound to the store info describes, against the table and against the
// values the store and w dictate; it returns the span's operation.
func Check(t testing.TB, s sdktrace.ReadOnlySpan, info provobs.StoreInfo, w Want) provobs.Op {
	t.Helper()
	table, err := Table()
	if err != nil {
		t.Fatal(err)
	}
	a := map[attribute.Key]attribute.Value{}
	for _, kv := range s.Attributes() {
		a[kv.Key] = kv.Value
	}
	var op provobs.Op
	for _, o := range provobs.Ops() {
		if o.String() == a[provobs.KeyOperation].AsString() {
			op = o
		}
	}
	if !assert.True(t, op.Valid(), "span %q has no known operation", s.Name()) {
		return op
	}
	ctx := fmt.Sprintf("span %q (%s)", s.Name(), op)

	// Every attribute is a row of the table, of its type.
	for k, v := range a {
		row := string(k)
		if row == op.SizeKey() {
			row = SizeRow
		}
		typ, ok := table[row]
		if !assert.True(t, ok, "%s: attribute %s is not in tracing's table", ctx, k) {
			continue
		}
		want := attribute.STRING
		if typ == "int" {
			want = attribute.INT64
		}
		assert.Equal(t, want, v.Type(), "%s: type of %s", ctx, k)
	}

	// The values the store and the call dictate.
	str := func(k attribute.Key) (string, bool) { v, ok := a[k]; return v.AsString(), ok }
	sys, _ := str(semconv.DBSystemNameKey)
	assert.Equal(t, info.System, sys, "%s: db.system.name", ctx)
	m, ok := str(semconv.DBOperationNameKey)
	assert.Equal(t, w.Method != "", ok, "%s: db.operation.name present", ctx)
	assert.Equal(t, w.Method, m, "%s: db.operation.name", ctx)
	ns, ok := str(semconv.DBNamespaceKey)
	assert.Equal(t, info.Namespace != "", ok, "%s: db.namespace present", ctx)
	assert.Equal(t, info.Namespace, ns, "%s: db.namespace", ctx)
	addr, ok := str(semconv.ServerAddressKey)
	assert.Equal(t, info.ServerAddress != "", ok, "%s: server.address present", ctx)
	assert.Equal(t, info.ServerAddress, addr, "%s: server.address", ctx)
	port, ok := a[semconv.ServerPortKey]
	assert.Equal(t, info.ServerAddress != "" && info.ServerPort > 0, ok, "%s: server.port present", ctx)
	assert.Equal(t, int64(info.ServerPort), port.AsInt64(), "%s: server.port", ctx)
	et, hasET := str(semconv.ErrorTypeKey)
	_, hasSize := a[attribute.Key(op.SizeKey())]
	switch {
	case w.Canceled:
		assert.Equal(t, provobs.TypeCanceled.String(), et, "%s: error.type", ctx)
		assert.Equal(t, codes.Unset, s.Status().Code, "%s: a cancellation leaves the status unset", ctx)
		assert.Empty(t, s.Events(), "%s: no exception event for a cancellation", ctx)
	case w.Failed:
		assert.True(t, hasET, "%s: error.type on failure", ctx)
		assert.NotEqual(t, provobs.TypeCanceled.String(), et, "%s", ctx)
		assert.Equal(t, codes.Error, s.Status().Code, "%s: status", ctx)
		assert.False(t, hasSize, "%s: no size on failure", ctx)
	default:
		assert.False(t, hasET, "%s: error.type on success", ctx)
		assert.Equal(t, codes.Unset, s.Status().Code, "%s: status", ctx)
		assert.Equal(t, op.SizeKey() != "", hasSize, "%s: size present", ctx)
	}
	assert.Equal(t, tracing.SpanName(info, w.Method), s.Name(), "%s: name", ctx)
	assert.Equal(t, tracing.SpanKind(info), s.SpanKind(), "%s: kind", ctx)
	return op
}
