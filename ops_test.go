package provobs_test

import (
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provobs/provobs"
)

func TestOpCatalogue(t *testing.T) {
	t.Parallel()
	labels := map[string]bool{}
	metrics := map[string]bool{}
	ifaces := map[provobs.Interface]reflect.Type{
		provobs.InterfaceProvider: reflect.TypeFor[provobs.Provider](),
		provobs.InterfaceAdmin:    reflect.TypeFor[provobs.Admin](),
	}
	methods := map[string]provobs.Op{}
	for _, op := range provobs.Ops() {
		assert.True(t, op.Valid())
		assert.False(t, labels[op.String()], "duplicate label %s", op)
		assert.False(t, metrics[op.MetricName()], "duplicate metric %s", op.MetricName())
		labels[op.String()], metrics[op.MetricName()] = true, true
		assert.True(t, strings.HasPrefix(op.MetricName(), "provider_") && strings.HasSuffix(op.MetricName(), "_duration_ms"), op.MetricName())
		if op.Interface() == provobs.InterfaceNone {
			assert.Empty(t, op.Method(), "%s has no provobs method", op)
			continue
		}
		_, ok := ifaces[op.Interface()].MethodByName(op.Method())
		assert.True(t, ok, "%s: %q names a method of %s", op, op.Method(), ifaces[op.Interface()])
		methods[op.Method()] = op
		assert.Equal(t, op.Interface() == provobs.InterfaceAdmin, op.Admin())
	}
	for _, iface := range ifaces {
		for m := range iface.Methods() {
			assert.Contains(t, methods, m.Name, "%s.%s has no op in the catalogue", iface, m.Name)
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
	assert.Equal(t, provobs.InterfaceNone, provobs.Op(200).Interface())
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
		name := map[provobs.Interface]string{provobs.InterfaceProvider: "", provobs.InterfaceAdmin: " (admin)", provobs.InterfaceNone: " (none)"}[op.Interface()]
		method, size := op.Method(), op.SizeKey()
		if method == "" {
			method = "-"
		}
		if size == "" {
			size = "-"
		}
		want = append(want, strings.Join(strings.Fields(fmt.Sprintf("%s%s %s %s %s %s", goName(op), name, op, method, op.MetricName(), size)), " "))
	}
	assert.Equal(t, want, rows, "doc.go's table, one row per op: Op name, label, method, metric, size key")
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
