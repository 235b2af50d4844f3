package provobs_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/provobs/provobs"
)

func TestOpCatalogue(t *testing.T) {
	t.Parallel()
	labels := map[string]bool{}
	metrics := map[string]bool{}
	provider := reflect.TypeFor[provobs.Provider]()
	admin := reflect.TypeFor[provobs.Admin]()
	for _, op := range provobs.Ops() {
		assert.True(t, op.Valid())
		assert.False(t, labels[op.String()], "duplicate label %s", op)
		assert.False(t, metrics[op.MetricName()], "duplicate metric %s", op.MetricName())
		labels[op.String()], metrics[op.MetricName()] = true, true
		assert.True(t, strings.HasPrefix(op.MetricName(), "provider_") && strings.HasSuffix(op.MetricName(), "_duration_ms"), op.MetricName())
		iface := provider
		if op.Admin() {
			iface = admin
		}
		_, ok := iface.MethodByName(op.Method())
		assert.True(t, ok, "%s names a method of %s", op.Method(), iface)
	}
	assert.Equal(t, provider.NumMethod()+admin.NumMethod(), len(provobs.Ops()), "one op per method")

	// The seed's five histogram names, dots mapped to underscores.
	assert.Equal(t, "provider_fetch_orchestration_item_duration_ms", provobs.OpFetch.MetricName())
	assert.Equal(t, "provider_ack_orchestration_item_duration_ms", provobs.OpAckOrch.MetricName())
	assert.Equal(t, "provider_ack_worker_duration_ms", provobs.OpAckWorker.MetricName())
	assert.Equal(t, "provider_enqueue_orchestrator_duration_ms", provobs.OpEnqueue.MetricName())
	assert.Equal(t, "provider_dequeue_worker_duration_ms", provobs.OpDequeue.MetricName())

	assert.Equal(t, "Op(0)", provobs.Op(0).String())
	assert.Empty(t, provobs.Op(200).MetricName())
}

func TestKinds(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "TimerFired", provobs.KindTimerFired.String())
	assert.False(t, provobs.WorkItemKind(0).Valid())
	assert.Equal(t, "WorkItemKind(99)", provobs.WorkItemKind(99).String())
	assert.True(t, provobs.KindContinueAsNew.Valid())
	assert.True(t, provobs.StatusFailed.Terminal())
	assert.False(t, provobs.StatusRunning.Terminal())
}
