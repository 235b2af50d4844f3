package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/dashboards"
)

// alertRulesConfig writes dashboards/alerts.yml into dir and returns the
// lines of TestRealServers's Prometheus configuration that load it and
// evaluate it every second.
func alertRulesConfig(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "alerts.yml")
	require.NoError(t, os.WriteFile(path, dashboards.Alerts, 0o644))
	return fmt.Sprintf("  evaluation_interval: 1s\nrule_files: [%q]", path)
}

// ruleName matches the name of each rule of alerts.yml.
var ruleName = regexp.MustCompile(`(?m)^\s*- (record|alert): (\S+)$`)

// checkAlertRules checks, through Prometheus's HTTP API, that every rule of
// dashboards/alerts.yml is loaded and has been evaluated, after the
// workload, with health ok and no error; and that the recorded calls per
// second and p99 latency of fetch have values for both runs (job ms reads
// the _ms histograms, job seconds the _seconds ones).
func checkAlertRules(t *testing.T, client *http.Client, promURL string) {
	t.Helper()
	want := map[string]int{}
	for _, m := range ruleName.FindAllStringSubmatch(string(dashboards.Alerts), -1) {
		want[m[1]+" "+m[2]]++
	}
	require.NotEmpty(t, want)

	type rule struct {
		Name           string    `json:"name"`
		Type           string    `json:"type"`
		Health         string    `json:"health"`
		LastError      string    `json:"lastError"`
		LastEvaluation time.Time `json:"lastEvaluation"`
	}
	since := time.Now()
	deadline := since.Add(30 * time.Second)
	for {
		var r struct {
			Status string `json:"status"`
			Data   struct {
				Groups []struct {
					Name  string `json:"name"`
					Rules []rule `json:"rules"`
				} `json:"groups"`
			} `json:"data"`
		}
		resp, err := client.Get(promURL + "/api/v1/rules")
		require.NoError(t, err)
		err = json.NewDecoder(resp.Body).Decode(&r)
		_ = resp.Body.Close()
		require.NoError(t, err)
		require.Equal(t, "success", r.Status)

		got := map[string]int{}
		var pending []rule
		for _, g := range r.Data.Groups {
			for _, ru := range g.Rules {
				typ := map[string]string{"recording": "record", "alerting": "alert"}[ru.Type]
				got[typ+" "+ru.Name]++
				if ru.Health != "ok" || ru.LastEvaluation.Before(since) {
					pending = append(pending, ru)
				}
			}
		}
		require.Equal(t, want, got, "the rules Prometheus loaded vs dashboards/alerts.yml")
		if len(pending) == 0 {
			break
		}
		if time.Now().After(deadline) {
			for _, ru := range pending {
				t.Errorf("rule %s %s: health %q, last evaluated %v, error %q", ru.Type, ru.Name, ru.Health, ru.LastEvaluation, ru.LastError)
			}
			return
		}
		time.Sleep(250 * time.Millisecond)
	}

	for _, job := range []string{"ms", "seconds"} {
		for _, rec := range []string{"operation:provider_calls:rate5m", "operation:provider_duration_ms:p99_rate5m"} {
			q := fmt.Sprintf("%s{job=%q,%s=%q}", rec, job, provobs.LabelOperation, provobs.OpFetch.String())
			got := querySeries(t, client, promURL, q)
			require.Len(t, got, 1, "%s", q)
			for k, v := range got {
				assert.Positive(t, v, "%s: %s", q, k)
				if rec == "operation:provider_duration_ms:p99_rate5m" {
					// In milliseconds whatever the naming: a fetch of
					// the workload takes well under 10 s (the last bucket).
					assert.LessOrEqual(t, v, 10000.0, "%s: %s", q, k)
				}
			}
		}
	}
}
