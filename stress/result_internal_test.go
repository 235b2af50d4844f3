package stress

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestSummarizeNearestRank(t *testing.T) {
	t.Parallel()
	var s []time.Duration
	for i := 100; i >= 1; i-- { // unsorted on purpose
		s = append(s, time.Duration(i)*time.Millisecond)
	}
	l := summarize(s)
	assert.Equal(t, 100, l.Count)
	assert.Equal(t, 50*time.Millisecond, l.P50)
	assert.Equal(t, 95*time.Millisecond, l.P95)
	assert.Equal(t, 99*time.Millisecond, l.P99)
	assert.Equal(t, 100*time.Millisecond, l.Max)
	assert.Equal(t, 50500*time.Microsecond, l.Mean)
	assert.Equal(t, Latency{}, summarize(nil))
	one := summarize([]time.Duration{7})
	assert.Equal(t, time.Duration(7), one.P99)
}

func TestConfigDefaults(t *testing.T) {
	t.Parallel()
	c := Config{}.withDefaults()
	assert.Equal(t, 20, c.MaxConcurrent)
	assert.Equal(t, 10*time.Second, c.Duration)
	assert.Equal(t, 5, c.TasksPerInstance)
	assert.Equal(t, 10*time.Millisecond, c.ActivityDelay)
	assert.Equal(t, 2, c.OrchestrationDispatchers)
	assert.Equal(t, 2, c.WorkerDispatchers)
	assert.Zero(t, Config{NoActivityDelay: true}.withDefaults().ActivityDelay)
}
