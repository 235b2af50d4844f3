package dashboards_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/dashboards"
	"github.com/provobs/provobs/metrics"
	"github.com/provobs/provobs/metrics/metricstest"
	"github.com/provobs/provobs/obstest"
)

// ruleFile is the part of a Prometheus rule file the tests read.
type ruleFile struct {
	Groups []struct {
		Name  string
		Rules []struct {
			Record, Alert, Expr, For string
			Labels                   map[string]string
			Annotations              map[string]string
		}
	}
}

// unitTests is the part of a promtool unit-test file the tests read.
type unitTests struct {
	RuleFiles []string `yaml:"rule_files"`
	Tests     []struct {
		Name        string
		InputSeries []struct {
			Series string
		} `yaml:"input_series"`
		AlertRuleTest []struct {
			EvalTime  string `yaml:"eval_time"`
			Alertname string
			ExpAlerts []map[string]any `yaml:"exp_alerts"`
		} `yaml:"alert_rule_test"`
	}
}

func loadRules(t *testing.T) ruleFile {
	t.Helper()
	var f ruleFile
	require.NoError(t, yaml.Unmarshal(dashboards.Alerts, &f))
	require.NotEmpty(t, f.Groups)
	return f
}

func loadUnitTests(t *testing.T) unitTests {
	t.Helper()
	raw, err := os.ReadFile("alerts_test.yml")
	require.NoError(t, err)
	var u unitTests
	require.NoError(t, yaml.Unmarshal(raw, &u))
	require.Equal(t, []string{"alerts.yml"}, u.RuleFiles)
	return u
}

var (
	recordedName = regexp.MustCompile(`\b[a-z_]+:[a-z0-9_:]+\b`)
	providerName = regexp.MustCompile(`\bprovider_[a-z_]+\b`)
)

// Every alerting rule has a for duration, a severity, a summary and a
// description, and is documented in the package doc; every series a rule
// reads is one metrics.New exposes (in either naming) or one the file
// records; every operation's histogram is read in both namings.
func TestAlertRules(t *testing.T) {
	t.Parallel()
	f := loadRules(t)
	ms := metricstest.Snapshot(t, metrics.New())
	sec := metricstest.Snapshot(t, metrics.New(metrics.WithBaseUnits()))
	doc, err := os.ReadFile("dashboards.go")
	require.NoError(t, err)

	recorded := map[string]bool{}
	for _, g := range f.Groups {
		for _, r := range g.Rules {
			if r.Record != "" {
				recorded[r.Record] = true
			}
		}
	}
	read := map[string]bool{}
	alerts := 0
	for _, g := range f.Groups {
		for _, r := range g.Rules {
			name := r.Record + r.Alert
			require.NotEmpty(t, name, "a rule of group %s has neither record nor alert", g.Name)
			require.NotEmpty(t, strings.TrimSpace(r.Expr), name)
			for _, n := range recordedName.FindAllString(r.Expr, -1) {
				assert.True(t, recorded[n], "%s reads %s, which no rule records", name, n)
			}
			for _, n := range providerName.FindAllString(recordedName.ReplaceAllString(r.Expr, ""), -1) {
				read[n] = true
				assert.True(t, ms.HasSeries(n) || sec.HasSeries(n), "%s reads %s, which metrics.New exposes in neither naming", name, n)
			}
			if r.Alert == "" {
				assert.Empty(t, r.For, name)
				assert.NotEmpty(t, r.Labels[provobs.LabelOperation], "recording rule %s: the operation label", name)
				continue
			}
			alerts++
			assert.NotEmpty(t, r.For, "%s: a for duration", name)
			assert.Contains(t, []string{"warning", "critical"}, r.Labels["severity"], "%s: severity", name)
			assert.NotEmpty(t, r.Annotations["summary"], "%s: summary", name)
			assert.NotEmpty(t, r.Annotations["description"], "%s: description", name)
			assert.True(t, strings.Contains(string(doc), r.Alert), "the package doc describes %s", name)
		}
	}
	assert.Positive(t, alerts)
	for _, op := range provobs.Ops() {
		for _, n := range []string{op.MetricName(), metrics.BaseUnitMetricName(op)} {
			assert.True(t, read[n+"_bucket"], "no rule reads %s_bucket", n)
			assert.True(t, read[n+"_count"], "no rule reads %s_count", n)
		}
	}
	for _, n := range []string{provobs.MetricInfrastructureErrors, provobs.MetricOrchestratorQueueDepth, provobs.MetricWorkerQueueDepth, provobs.MetricQueueDepthPollErrors} {
		assert.True(t, read[n], "no rule reads %s", n)
	}
}

// The promtool unit tests show each alert firing and not firing, and the
// deploy test (a burst of cancellations) checks that no alert fires.
func TestAlertUnitTestsCoverEveryAlert(t *testing.T) {
	t.Parallel()
	f := loadRules(t)
	u := loadUnitTests(t)
	fires, quiet := map[string]bool{}, map[string]bool{}
	var deployQuiet map[string]bool
	deployCancels := false
	for _, tc := range u.Tests {
		tested := map[string]bool{}
		for _, a := range tc.AlertRuleTest {
			if len(a.ExpAlerts) > 0 {
				fires[a.Alertname] = true
			} else {
				quiet[a.Alertname] = true
				tested[a.Alertname] = true
			}
		}
		if tc.Name == "deploy" {
			deployQuiet = tested
			for _, s := range tc.InputSeries {
				deployCancels = deployCancels || strings.HasPrefix(s.Series, metricCanceled+"{")
			}
		}
	}
	require.NotNil(t, deployQuiet, "a test named deploy")
	assert.True(t, deployCancels, "the deploy test feeds %s", metricCanceled)
	for _, g := range f.Groups {
		for _, r := range g.Rules {
			if r.Alert == "" {
				continue
			}
			assert.True(t, fires[r.Alert], "no promtool test makes %s fire", r.Alert)
			assert.True(t, quiet[r.Alert], "no promtool test checks that %s stays quiet", r.Alert)
			assert.True(t, deployQuiet[r.Alert], "the deploy test does not check %s", r.Alert)
		}
	}
}

// promtool check rules accepts alerts.yml and finds no duplicate rule.
func TestPromtoolCheckRules(t *testing.T) {
	t.Parallel()
	promtool := obstest.Binary(t, "promtool", "PROVOBS_PROMTOOL")
	out, err := exec.Command(promtool, "check", "rules", "alerts.yml").CombinedOutput()
	require.NoError(t, err, "promtool check rules alerts.yml:\n%s", out)
	assert.Contains(t, string(out), "SUCCESS")
	assert.NotContains(t, strings.ToLower(string(out)), "duplicate", "%s", out)
}

// promtool test rules passes alerts_test.yml: the deploy fires nothing,
// the outage fires the error-rate alert, and every alert fires on its case.
func TestPromtoolTestRules(t *testing.T) {
	t.Parallel()
	promtool := obstest.Binary(t, "promtool", "PROVOBS_PROMTOOL")
	out, err := exec.Command(promtool, "test", "rules", "alerts_test.yml").CombinedOutput()
	require.NoError(t, err, "promtool test rules alerts_test.yml:\n%s", out)
	assert.Contains(t, string(out), "SUCCESS")
}

// The promtool unit tests fail on each planted bug in the rules: the test
// named fails, so each bug is caught by the case meant for it.
func TestPromtoolTestRulesCatchMutants(t *testing.T) {
	t.Parallel()
	promtool := obstest.Binary(t, "promtool", "PROVOBS_PROMTOOL")
	unit, err := os.ReadFile("alerts_test.yml")
	require.NoError(t, err)
	for _, m := range []struct {
		name, old, new, failing string
	}{
		{"cancellations counted as errors", `error_type!~"canceled|lock_lost"`, `error_type!~"lock_lost"`, "deploy"},
		{"lost locks counted as errors", `error_type!~"canceled|lock_lost"`, `error_type!~"canceled"`, "lost locks"},
		{"the error rate fires at once", "for: 5m", "for: 0s", "outage"},
		{"error ratio threshold too high", `) > 0.05`, `) > 0.5`, "outage"},
		{"long polls not left out", `{operation!~"fetch|dequeue"} > 1000`, ` > 1000`, "latency"},
		{"seconds not converted to ms", `1000 * histogram_quantile`, `histogram_quantile`, "latency"},
		{"a steady queue counts as growing", `deriv(provider_orchestrator_queue_depth[15m]) > 0`, `deriv(provider_orchestrator_queue_depth[15m]) >= 0`, "queue depth growing"},
		{"poll errors misnamed", `increase(provider_queue_depth_poll_errors_total[5m])`, `increase(provider_queue_depth_poll_errors[5m])`, "queue depth poll failing"},
		{"go-workflows poll errors misnamed", `increase(workflows_stats_poll_errors_total[5m])`, `increase(workflows_stats_poll_errors[5m])`, "go-workflows stats poll failing"},
		{"lost locks read as lock timeouts", `{error_type="lock_lost"}[10m]`, `{error_type="lock_timeout"}[10m]`, "lost locks"},
	} {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			require.Contains(t, string(dashboards.Alerts), m.old, "the mutation's target is gone from alerts.yml")
			dir := t.TempDir()
			mutant := strings.ReplaceAll(string(dashboards.Alerts), m.old, m.new)
			require.NoError(t, os.WriteFile(filepath.Join(dir, "alerts.yml"), []byte(mutant), 0o644))
			require.NoError(t, os.WriteFile(filepath.Join(dir, "alerts_test.yml"), unit, 0o644))
			cmd := exec.Command(promtool, "test", "rules", "alerts_test.yml")
			cmd.Dir = dir
			out, err := cmd.CombinedOutput()
			require.Error(t, err, "promtool test rules passes with the bug planted:\n%s", out)
			assert.Contains(t, string(out), "name: "+m.failing+",", "the %q test catches it:\n%s", m.failing, out)
		})
	}
}
