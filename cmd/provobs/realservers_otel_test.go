package main

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/semconv/v1.43.0/dbconv"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/sqlite"
)

// otelJob is the Prometheus job that scrapes the -metrics otel run of
// TestRealServers.
const otelJob = "otel"

// checkOTelRun checks the -metrics otel run of TestRealServers, which the
// real Prometheus at promURL scrapes as job otelJob from addr while it
// lingers:
//
//   - Prometheus holds, for every series of db.client.operation.duration
//     and of the provobs.provider.* instruments, the value the run's
//     /metrics (the OpenTelemetry Prometheus exporter) shows at the end;
//   - the histogram's _count per operation equals the calls the summary
//     printed;
//   - every histogram series carries the store's db.system.name (that of a
//     SQLite provider) and its storage method as db.operation.name;
//   - no infrastructure error is a cancellation, though the run stopped
//     its pollers and dispatchers by cancelling them;
//   - a rate and a p99 by operation evaluate in Prometheus and return data.
func checkOTelRun(t *testing.T, client *http.Client, promURL, addr string, r *cmdRun, start time.Time) {
	histogram := promFamily(dbconv.ClientOperationDuration{}.Name(), "_seconds")
	fams := scrapeFamilies(t, client, "http://"+addr+"/metrics")
	want := otelSeries(fams, histogram)
	require.Contains(t, want, seriesKeyOf(fams, histogram+"_count", provobs.OpFetch), "the run's /metrics has fetch latencies")

	got := eventually(t, func() map[string]float64 {
		return querySeries(t, client, promURL, fmt.Sprintf(`{__name__=~"%s_.+|provobs_provider_.+",job=%q}`, histogram, otelJob))
	}, want, 0)
	assert.Equal(t, want, got, "Prometheus's last values vs the -metrics otel run's /metrics")

	printed := summaryCalls(t, r.stdout.String())
	for _, op := range []provobs.Op{provobs.OpFetch, provobs.OpAckOrch, provobs.OpEnqueue, provobs.OpDequeue, provobs.OpAckWorker} {
		require.Positive(t, printed[op], "the summary prints %s calls", op)
	}
	counts := map[provobs.Op]uint64{}
	system := provobs.DescribeStore(openSQLite(t)).System
	for _, m := range fams[histogram].GetMetric() {
		labels := labelMap(m)
		op, ok := provobs.ParseOp(labels[provobs.KeyOperation])
		require.True(t, ok, "operation label of %v", labels)
		counts[op] += m.GetHistogram().GetSampleCount()
		assert.Equal(t, system, labels["db_system_name"], "%v", labels)
		assert.Equal(t, op.Method(), labels["db_operation_name"], "%v", labels)
	}
	for op, n := range printed {
		assert.Equal(t, n, counts[op], "%s: summary vs the exporter's histogram", op)
	}

	for _, m := range fams[promFamily(provobs.OTelMetricInfrastructureErrors, "_total")].GetMetric() {
		assert.NotEqual(t, provobs.TypeCanceled.String(), labelMap(m)["error_type"], "a cancellation counted as an infrastructure error: %v", labelMap(m))
	}

	end := time.Now()
	for _, q := range []string{
		fmt.Sprintf(`sum by (operation) (rate(%s_count{job=%q}[4s]))`, histogram, otelJob),
		fmt.Sprintf(`histogram_quantile(0.99, sum by (le, operation) (rate(%s_bucket{job=%q}[4s])))`, histogram, otelJob),
	} {
		values, err := queryRange(client, promURL, q, start, end)
		require.NoError(t, err, q)
		assert.True(t, hasPositive(values), "%s: never positive", q)
	}
}

// openSQLite opens a SQLite provider in a temporary directory, as the run
// does, to learn how it describes itself.
func openSQLite(t *testing.T) provobs.Provider {
	t.Helper()
	p, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "describe.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = p.Close() })
	return p
}

// scrapeFamilies parses what GET url serves.
func scrapeFamilies(t *testing.T, client *http.Client, url string) map[string]*dto.MetricFamily {
	t.Helper()
	text := get(t, client, url)
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(text))
	require.NoError(t, err)
	return fams
}

// labelMap returns m's labels; an empty one is dropped, as Prometheus
// drops it (the exporter writes otel_scope_version="").
func labelMap(m *dto.Metric) map[string]string {
	out := map[string]string{}
	for _, l := range m.GetLabel() {
		if l.GetValue() != "" {
			out[l.GetName()] = l.GetValue()
		}
	}
	return out
}

// seriesKeyOf is the seriesKey of family's series for op, or "".
func seriesKeyOf(fams map[string]*dto.MetricFamily, name string, op provobs.Op) string {
	for _, m := range fams[strings.TrimSuffix(name, "_count")].GetMetric() {
		if l := labelMap(m); l[provobs.KeyOperation] == op.String() {
			return seriesKey(name, l)
		}
	}
	return ""
}

// otelSeries lists the series of the histogram family and of every
// provobs_provider_* family with their values, keyed as seriesKey does
// (histograms as their _bucket, _sum and _count series).
func otelSeries(fams map[string]*dto.MetricFamily, histogram string) map[string]float64 {
	out := map[string]float64{}
	for name, f := range fams {
		if name != histogram && !strings.HasPrefix(name, "provobs_provider_") {
			continue
		}
		for _, m := range f.GetMetric() {
			labels := labelMap(m)
			switch f.GetType() {
			case dto.MetricType_HISTOGRAM:
				h := m.GetHistogram()
				out[seriesKey(name+"_count", labels)] = float64(h.GetSampleCount())
				out[seriesKey(name+"_sum", labels)] = h.GetSampleSum()
				inf := false
				for _, b := range h.GetBucket() {
					inf = inf || math.IsInf(b.GetUpperBound(), 1)
					out[seriesKey(name+"_bucket", withLE(labels, b.GetUpperBound()))] = float64(b.GetCumulativeCount())
				}
				if !inf {
					out[seriesKey(name+"_bucket", withLE(labels, math.Inf(1)))] = float64(h.GetSampleCount())
				}
			case dto.MetricType_COUNTER:
				out[seriesKey(name, labels)] = m.GetCounter().GetValue()
			case dto.MetricType_GAUGE:
				out[seriesKey(name, labels)] = m.GetGauge().GetValue()
			}
		}
	}
	return out
}

func withLE(labels map[string]string, le float64) map[string]string {
	out := make(map[string]string, len(labels)+1)
	for k, v := range labels {
		out[k] = v
	}
	out["le"] = strconv.FormatFloat(le, 'g', -1, 64)
	return out
}
