package provobs_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provobs/provobs"
)

func TestOpCatalogue(t *testing.T) {
	t.Parallel()
	labels := map[string]bool{}
	metrics := map[string]bool{}
	ifaces := map[string]reflect.Type{
		"Provider": reflect.TypeFor[provobs.Provider](),
		"Admin":    reflect.TypeFor[provobs.Admin](),
	}
	methods := map[string]provobs.Op{}
	for _, op := range provobs.Ops() {
		assert.True(t, op.Valid())
		assert.False(t, labels[op.String()], "duplicate label %s", op)
		assert.False(t, metrics[op.MetricName()], "duplicate metric %s", op.MetricName())
		labels[op.String()], metrics[op.MetricName()] = true, true
		assert.True(t, strings.HasPrefix(op.MetricName(), "provider_") && strings.HasSuffix(op.MetricName(), "_duration_ms"), op.MetricName())
		assert.Equal(t, op.EndsLock() || provobs.OpLock(op) == "presents", op.PresentsToken(), "%s: presents a token when it renews or ends a lock", op)
		assert.Equal(t, provobs.OpLock(op) == "issues", op.Polls(), "%s: polls when it issues tokens", op)
		if provobs.OpInterface(op) == "" {
			assert.Empty(t, op.Method(), "%s has no provobs method", op)
			assert.Equal(t, "-", provobs.OpLock(op), "%s has no method to use a lock token", op)
			assert.NotContains(t, provobs.MethodOps(), op)
			continue
		}
		assert.Contains(t, provobs.MethodOps(), op)
		m, ok := ifaces[provobs.OpInterface(op)].MethodByName(op.Method())
		if !assert.True(t, ok, "%s: %q names a method of %s", op, op.Method(), provobs.OpInterface(op)) {
			continue
		}
		methods[op.Method()] = op
		// The lock column matches the method's signature: a method that
		// presents a token takes it after the context, one that issues
		// tokens returns a result with a LockToken.
		presents := m.Type.NumIn() > 1 && m.Type.In(1).Kind() == reflect.String
		assert.Equal(t, op.PresentsToken(), presents && docParam(t, op.Method(), 1) == "lockToken", "%s: lock column against %s's parameters", op, op.Method())
		issues := false
		if out := m.Type.Out(0); out.Kind() == reflect.Pointer && out.Elem().Kind() == reflect.Struct {
			_, issues = out.Elem().FieldByName("LockToken")
		}
		assert.Equal(t, op.Polls(), issues, "%s: lock column against %s's result", op, op.Method())
	}
	for _, iface := range ifaces {
		for m := range iface.Methods() {
			assert.Contains(t, methods, m.Name, "%s.%s has no op in the catalogue (ops.go)", iface, m.Name)
		}
	}

	// The five histogram names of the specification, dots mapped to underscores.
	assert.Equal(t, "provider_fetch_orchestration_item_duration_ms", provobs.OpFetch.MetricName())
	assert.Equal(t, "provider_ack_orchestration_item_duration_ms", provobs.OpAckOrch.MetricName())
	assert.Equal(t, "provider_ack_worker_duration_ms", provobs.OpAckWorker.MetricName())
	assert.Equal(t, "provider_enqueue_orchestrator_duration_ms", provobs.OpEnqueue.MetricName())
	assert.Equal(t, "provider_dequeue_worker_duration_ms", provobs.OpDequeue.MetricName())

	assert.Equal(t, "Op(0)", provobs.Op(0).String())
	assert.Empty(t, provobs.Op(200).MetricName())
	assert.Empty(t, provobs.OpInterface(provobs.Op(200)))
	assert.False(t, provobs.Op(200).PresentsToken() || provobs.Op(200).EndsLock() || provobs.Op(200).Polls())
}

// provider.go documents every method of the catalogue, and its prose says
// what the lock column says: a method that issues tokens returns (nil, nil)
// for no work and locks what it returns, one that presents a token and
// keeps the lock extends it, one that ends the lock releases or deletes
// what the token locked.
func TestOpCatalogueProviderDoc(t *testing.T) {
	t.Parallel()
	docs := interfaceDocs(t)
	for _, op := range provobs.MethodOps() {
		doc, ok := docs[op.Method()]
		if !assert.True(t, ok, "provider.go documents no method %s (%s)", op.Method(), op) {
			continue
		}
		assert.True(t, strings.HasPrefix(doc, op.Method()+" "), "provider.go: %s's doc starts with its name", op.Method())
		switch {
		case op.Polls():
			assert.Contains(t, doc, "(nil, nil)", "provider.go: %s issues a token when there is work", op.Method())
			assert.Contains(t, doc, "lock", "provider.go: %s locks what it returns", op.Method())
		case op.EndsLock():
			assert.Regexp(t, `releases|deletes`, doc, "provider.go: %s ends the lock", op.Method())
		case op.PresentsToken():
			assert.Contains(t, doc, "extends", "provider.go: %s keeps the lock", op.Method())
		}
	}
	known := map[string]bool{}
	for _, op := range provobs.MethodOps() {
		known[op.Method()] = true
	}
	for name := range docs {
		assert.True(t, known[name], "provider.go documents %s, which has no op in the catalogue", name)
	}
}

var providerDoc = sync.OnceValues(func() (*ast.File, error) {
	return parser.ParseFile(token.NewFileSet(), "provider.go", nil, parser.ParseComments)
})

// interfaceDocs returns the doc comment of every method of the interfaces
// declared in provider.go, by method name.
func interfaceDocs(t *testing.T) map[string]string {
	t.Helper()
	f, err := providerDoc()
	require.NoError(t, err)
	docs := map[string]string{}
	ast.Inspect(f, func(n ast.Node) bool {
		it, ok := n.(*ast.InterfaceType)
		if !ok {
			return true
		}
		for _, m := range it.Methods.List {
			for _, name := range m.Names {
				docs[name.Name] = strings.Join(strings.Fields(m.Doc.Text()), " ")
			}
		}
		return false
	})
	return docs
}

// docParam returns the name of method's parameter i as provider.go spells
// it, or "".
func docParam(t *testing.T, method string, i int) string {
	t.Helper()
	f, err := providerDoc()
	require.NoError(t, err)
	name := ""
	ast.Inspect(f, func(n ast.Node) bool {
		m, ok := n.(*ast.Field)
		if !ok || len(m.Names) != 1 || m.Names[0].Name != method {
			return true
		}
		var params []string
		for _, p := range m.Type.(*ast.FuncType).Params.List {
			for _, pn := range p.Names {
				params = append(params, pn.Name)
			}
		}
		if i < len(params) {
			name = params[i]
		}
		return false
	})
	return name
}

// The package documentation's operation table is the catalogue, row by row.
func TestOpCatalogueDocTable(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("doc.go")
	require.NoError(t, err)
	var rows []string
	for line := range strings.Lines(string(src)) {
		if f := strings.Fields(strings.TrimPrefix(line, "//")); len(f) > 0 && strings.HasPrefix(f[0], "Op") && f[0] != "Op" && len(f) >= 5 {
			rows = append(rows, strings.Join(f, " "))
		}
	}
	var want []string
	for _, op := range provobs.Ops() {
		name := map[string]string{"Provider": "", "Admin": " (admin)", "": " (none)"}[provobs.OpInterface(op)]
		method, size := op.Method(), op.SizeKey()
		if method == "" {
			method = "-"
		}
		if size == "" {
			size = "-"
		}
		want = append(want, strings.Join(strings.Fields(fmt.Sprintf("%s%s %s %s %s %s %s", goName(op), name, op, method, op.MetricName(), size, provobs.OpLock(op))), " "))
	}
	assert.Equal(t, want, rows, "doc.go's table, one row per op: Op name, label, method, metric, size key, lock")
}

// goName returns the Go constant name of op, from the source of ops.go.
func goName(op provobs.Op) string {
	return opNames[op]
}

var opNames = func() map[provobs.Op]string {
	src, err := os.ReadFile("ops.go")
	if err != nil {
		panic(err)
	}
	out := map[provobs.Op]string{}
	n := provobs.Op(0)
	for line := range strings.Lines(string(src)) {
		f := strings.Fields(line)
		if len(f) == 0 || !strings.HasPrefix(f[0], "Op") || strings.Contains(line, "(") || strings.Contains(line, ":") {
			continue
		}
		n++
		out[n] = f[0]
	}
	return out
}()

func TestKinds(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "TimerFired", provobs.KindTimerFired.String())
	assert.False(t, provobs.WorkItemKind(0).Valid())
	assert.Equal(t, "WorkItemKind(99)", provobs.WorkItemKind(99).String())
	assert.True(t, provobs.KindContinueAsNew.Valid())
	assert.True(t, provobs.StatusFailed.Terminal())
	assert.False(t, provobs.StatusRunning.Terminal())
}
