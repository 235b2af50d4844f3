package otelmetrics_test

import (
	"context"
	"io"
	"os"
	"regexp"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/obstest"
	"github.com/provobs/provobs/otelmetrics"
)

// docTables reads the two tables of the package documentation: instrument
// -> "kind unit", and instrument -> Prometheus family.
func docTables(t *testing.T) (instruments, families map[string]string) {
	t.Helper()
	src, err := os.ReadFile("doc.go")
	require.NoError(t, err)
	instruments, families = map[string]string{}, map[string]string{}
	row := regexp.MustCompile(`(?m)^//\t((?:db|provobs)\.[a-z_.]+)[ \t]+(\S+)(?:[ \t]+(\S+))?`)
	for _, m := range row.FindAllStringSubmatch(string(src), -1) {
		if m[3] == "" {
			families[m[1]] = m[2]
		} else {
			instruments[m[1]] = m[2] + " " + m[3]
		}
	}
	require.Len(t, instruments, 8, "rows of the instrument table")
	require.Len(t, families, 8, "rows of the Prometheus table")
	return instruments, families
}

// exerciseAll makes every instrument record at least once.
func exerciseAll(t *testing.T, m *otelmetrics.Metrics) {
	t.Helper()
	ctx := context.Background()
	stub := &obstest.Stub{Sessions: 2}
	p := provobs.Chain(stub, m.Middleware())
	_, err := p.RenewSessionLock(ctx, []string{"a"}, time.Minute, time.Minute)
	require.NoError(t, err)
	_, err = p.CleanupOrphanedSessions(ctx, time.Minute)
	require.NoError(t, err)
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	require.Error(t, provobs.Chain(&obstest.Stub{Err: context.Canceled}, m.Middleware()).AckWorker(canceled, "t", nil))
	require.Error(t, provobs.Chain(&obstest.Stub{Err: io.EOF}, m.Middleware()).AckWorker(ctx, "t", nil))
	m.RecordRetry(ctx, provobs.OpAckOrch)
	admin := failingAdmin{Stub: &obstest.Stub{Err: io.EOF}, calls: make(chan struct{}, 1)}
	pctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); m.PollQueueDepths(pctx, admin, time.Millisecond, nil) }()
	<-admin.calls
	<-admin.calls
	stop()
	<-done
	m.SetQueueDepths(provobs.QueueDepths{Orchestrator: 1})
}

func TestDocInstrumentTable(t *testing.T) {
	t.Parallel()
	want, _ := docTables(t)
	m, reader := newMetrics(t)
	exerciseAll(t, m)
	got := map[string]string{}
	for name, def := range collect(t, reader) {
		var kind string
		switch d := def.Data.(type) {
		case metricdata.Histogram[float64]:
			kind = "Float64Histogram"
		case metricdata.Sum[int64]:
			if d.IsMonotonic {
				kind = "Int64Counter"
			}
		case metricdata.Gauge[int64]:
			kind = "Int64ObservableGauge"
		}
		got[name] = kind + " " + def.Unit
	}
	assert.Equal(t, want, got)
}

func TestDocPrometheusTable(t *testing.T) {
	t.Parallel()
	_, want := docTables(t)
	reg := prometheus.NewRegistry()
	exp, err := otelprom.New(otelprom.WithRegisterer(reg))
	require.NoError(t, err)
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exp))
	t.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
	m, err := otelmetrics.New(mp)
	require.NoError(t, err)
	exerciseAll(t, m)

	fams, err := reg.Gather()
	require.NoError(t, err)
	byName := map[string]*dto.MetricFamily{}
	for _, f := range fams {
		byName[f.GetName()] = f
	}
	for instrument, family := range want {
		f, ok := byName[family]
		if !assert.True(t, ok, "%s: the exporter has no family %s", instrument, family) {
			continue
		}
		wantType := dto.MetricType_COUNTER
		switch instrument {
		case "db.client.operation.duration":
			wantType = dto.MetricType_HISTOGRAM
		case provobs.OTelMetricQueueDepth:
			wantType = dto.MetricType_GAUGE
		}
		assert.Equal(t, wantType, f.GetType(), family)
	}
}
