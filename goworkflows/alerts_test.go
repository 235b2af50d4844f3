package goworkflows_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/dashboards"
	"github.com/provobs/provobs/goworkflows"
)

// The alert rules shipped in package dashboards watch what PollStats
// exposes for a go-workflows backend: the queue-depth gauges it sets and
// its own poll-error counter, by the names this package defines.
func TestAlertRulesWatchPollStats(t *testing.T) {
	t.Parallel()
	rules := string(dashboards.Alerts)
	for _, name := range []string{goworkflows.MetricStatsPollErrors, provobs.MetricOrchestratorQueueDepth, provobs.MetricWorkerQueueDepth} {
		assert.True(t, strings.Contains(rules, "increase("+name+"[") || strings.Contains(rules, "deriv("+name+"["),
			"dashboards/alerts.yml does not watch %s", name)
	}
}
