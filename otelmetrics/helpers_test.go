package otelmetrics_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/obstest"
	"github.com/provobs/provobs/otelmetrics"
)

// describedStub is an obstest.Stub that describes itself as a store.
type describedStub struct {
	*obstest.Stub
	info provobs.StoreInfo
}

func (s describedStub) StoreInfo() provobs.StoreInfo { return s.info }

var _ provobs.Describer = describedStub{}

// networkStore is the description the tests give a network store.
var networkStore = provobs.StoreInfo{
	System:        provobs.SystemPostgreSQL,
	Namespace:     "provobs",
	ServerAddress: "db.example",
	ServerPort:    5432,
}

// newMetrics returns Metrics on a MeterProvider with a ManualReader, and
// the reader.
func newMetrics(t *testing.T, opts ...otelmetrics.Option) (*otelmetrics.Metrics, *sdkmetric.ManualReader) {
	t.Helper()
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	t.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
	m, err := otelmetrics.New(mp, opts...)
	require.NoError(t, err)
	return m, reader
}

// collected is one collection, by instrument name.
type collected map[string]metricdata.Metrics

func collect(t *testing.T, r *sdkmetric.ManualReader) collected {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, r.Collect(context.Background(), &rm))
	out := collected{}
	for _, sm := range rm.ScopeMetrics {
		require.Equal(t, otelmetrics.ScopeName, sm.Scope.Name)
		for _, m := range sm.Metrics {
			out[m.Name] = m
		}
	}
	return out
}

// attrs renders an attribute set as a map, for comparisons.
func attrs(s attribute.Set) map[string]any {
	out := map[string]any{}
	for it := s.Iter(); it.Next(); {
		kv := it.Attribute()
		out[string(kv.Key)] = kv.Value.AsInterface()
	}
	return out
}

// histogram returns the points of the duration histogram, keyed by their
// attributes rendered with attrKey.
func (c collected) histogram(t *testing.T) []metricdata.HistogramDataPoint[float64] {
	t.Helper()
	m, ok := c["db.client.operation.duration"]
	if !ok {
		return nil
	}
	h, ok := m.Data.(metricdata.Histogram[float64])
	require.True(t, ok, "db.client.operation.duration is a %T", m.Data)
	return h.DataPoints
}

// sums returns the points of the counter name as attribute maps with
// their values; nil when the counter has no point.
func (c collected) sums(t *testing.T, name string) []point {
	t.Helper()
	m, ok := c[name]
	if !ok {
		return nil
	}
	s, ok := m.Data.(metricdata.Sum[int64])
	require.True(t, ok, "%s is a %T", name, m.Data)
	require.True(t, s.IsMonotonic, "%s is monotonic", name)
	out := make([]point, 0, len(s.DataPoints))
	for _, dp := range s.DataPoints {
		out = append(out, point{attrs(dp.Attributes), dp.Value})
	}
	return out
}

// gauge returns the points of the queue-depth gauge.
func (c collected) gauge(t *testing.T) []point {
	t.Helper()
	m, ok := c[provobs.OTelMetricQueueDepth]
	if !ok {
		return nil
	}
	g, ok := m.Data.(metricdata.Gauge[int64])
	require.True(t, ok, "%s is a %T", m.Name, m.Data)
	out := make([]point, 0, len(g.DataPoints))
	for _, dp := range g.DataPoints {
		out = append(out, point{attrs(dp.Attributes), dp.Value})
	}
	return out
}

type point struct {
	Attrs map[string]any
	Value int64
}
