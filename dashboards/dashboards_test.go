package dashboards_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/dashboards"
	"github.com/provobs/provobs/metrics"
	"github.com/provobs/provobs/metrics/metricstest"
)

// seriesName matches the series names a query can contain: ours, and the
// runtime's, should a panel ever show them.
var seriesName = regexp.MustCompile(`\b(?:provider|go|process)_[a-z_]+\b`)

// Every series a panel queries is one that metrics.New exposes, with each
// naming of the histograms; and every provider series is queried by some
// panel, so the dashboard shows every metric.
func TestDashboardQueriesExposedSeries(t *testing.T) {
	t.Parallel()
	for _, unit := range dashboards.Units {
		t.Run(unit, func(t *testing.T) {
			var opts []metrics.Option
			if unit == "seconds" {
				opts = append(opts, metrics.WithBaseUnits())
			}
			snap := metricstest.Snapshot(t, metrics.New(opts...))
			queries, err := dashboards.Queries(unit, "1m")
			require.NoError(t, err)
			require.NotEmpty(t, queries)

			queried := map[string]bool{}
			for _, q := range queries {
				assert.NotContains(t, q.Expr, "$", "panel %q: a variable left in %s", q.Panel, q.Expr)
				names := seriesName.FindAllString(q.Expr, -1)
				require.NotEmpty(t, names, "panel %q queries no series: %s", q.Panel, q.Expr)
				for _, n := range names {
					queried[n] = true
					assert.True(t, snap.HasSeries(n), "panel %q queries %s, which the exposition lacks", q.Panel, n)
				}
			}
			for _, n := range snap.SeriesNames() {
				if strings.HasSuffix(n, "_bucket") || strings.HasSuffix(n, "_sum") {
					continue // a histogram is shown through its _count and _bucket
				}
				assert.True(t, queried[n], "no panel queries %s", n)
			}
			for _, op := range provobs.Ops() {
				var name string
				if unit == "seconds" {
					name = metrics.BaseUnitMetricName(op)
				} else {
					name = op.MetricName()
				}
				assert.True(t, queried[name+"_bucket"], "no latency panel for %s", op)
			}
		})
	}
	_, err := dashboards.Queries("minutes", "1m")
	assert.Error(t, err)
}

// The dashboard imports as is: no __inputs to fill, a datasource variable
// that every panel and target uses, the unit variable, unique panel ids and
// per-panel refIds, and a panel for each metric of the specification.
func TestDashboardImportsAsIs(t *testing.T) {
	t.Parallel()
	var dash map[string]any
	require.NoError(t, json.Unmarshal(dashboards.Provider, &dash))
	assert.NotContains(t, dash, "__inputs", "an import must not ask for anything")
	assert.NotEmpty(t, dash["uid"])
	assert.NotEmpty(t, dash["title"])

	var d struct {
		Templating struct {
			List []struct {
				Name, Type, Query string
				Current           struct{ Value string }
			}
		}
		Panels []struct {
			ID         int
			Title      string
			Datasource struct{ Type, UID string }
			Targets    []struct {
				RefID      string
				Datasource struct{ Type, UID string }
			}
		}
	}
	require.NoError(t, json.Unmarshal(dashboards.Provider, &d))
	vars := map[string]string{}
	for _, v := range d.Templating.List {
		vars[v.Name] = v.Type
		if v.Name == "unit" {
			assert.Equal(t, strings.Join(dashboards.Units, ","), v.Query)
			assert.Equal(t, "ms", v.Current.Value, "the default naming is the default")
		}
		if v.Name == "datasource" {
			assert.Equal(t, "prometheus", v.Query)
		}
	}
	assert.Equal(t, map[string]string{"datasource": "datasource", "unit": "custom"}, vars)

	ids := map[int]bool{}
	titles := map[string]bool{}
	for _, p := range d.Panels {
		assert.False(t, ids[p.ID], "panel id %d twice", p.ID)
		ids[p.ID] = true
		titles[p.Title] = true
		assert.Equal(t, "${datasource}", p.Datasource.UID, p.Title)
		assert.Equal(t, "prometheus", p.Datasource.Type, p.Title)
		refs := map[string]bool{}
		for _, tg := range p.Targets {
			assert.Equal(t, "${datasource}", tg.Datasource.UID, p.Title)
			assert.False(t, refs[tg.RefID], "%s: refId %s twice", p.Title, tg.RefID)
			refs[tg.RefID] = true
		}
	}
	for _, op := range []provobs.Op{provobs.OpFetch, provobs.OpAckOrch, provobs.OpEnqueue, provobs.OpDequeue, provobs.OpAckWorker} {
		assert.True(t, titles[op.Method()+" latency ($unit)"], "a panel for the seed histogram of %s", op)
	}
	for _, title := range []string{"Infrastructure errors by operation and type", "Retries", "Sessions", "Queue depths"} {
		assert.True(t, titles[title], title)
	}
}
