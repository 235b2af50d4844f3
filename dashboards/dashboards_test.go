package dashboards_test

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provobs/provobs/dashboards"
	"github.com/provobs/provobs/metrics"
)

var metricName = regexp.MustCompile(`\bprovider_[a-z_]+\b`)

// Every metric the dashboard queries is one that metrics.New exposes, so
// the dashboard never shows an empty panel for a misspelt name.
func TestDashboardQueriesExposedMetrics(t *testing.T) {
	t.Parallel()
	var dash struct {
		Title  string
		Panels []struct {
			Title   string
			Targets []struct{ Expr string }
		}
	}
	require.NoError(t, json.Unmarshal(dashboards.Provider, &dash))
	require.NotEmpty(t, dash.Panels)

	var buf bytes.Buffer
	metrics.New().WritePrometheus(&buf)
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(&buf)
	require.NoError(t, err)

	queried := 0
	for _, p := range dash.Panels {
		require.NotEmpty(t, p.Targets, p.Title)
		for _, tg := range p.Targets {
			names := metricName.FindAllString(tg.Expr, -1)
			require.NotEmpty(t, names, "panel %q queries no provider metric: %s", p.Title, tg.Expr)
			for _, n := range names {
				queried++
				family := n
				for _, suffix := range []string{"_bucket", "_count", "_sum"} {
					if f := strings.TrimSuffix(n, suffix); f != n && fams[f] != nil {
						family = f
					}
				}
				assert.Contains(t, fams, family, "panel %q queries %s", p.Title, n)
			}
		}
	}
	assert.Greater(t, queried, 20)
}
