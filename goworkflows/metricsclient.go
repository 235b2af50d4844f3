package goworkflows

import (
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	vm "github.com/VictoriaMetrics/metrics"
	gwmetrics "github.com/cschleiden/go-workflows/backend/metrics"
)

// MetricsClient is a go-workflows metrics.Client that records the engine's
// own metrics (workflows.workflow.created, workflows.activity.task.
// time_in_queue, ...) as VictoriaMetrics series in a *metrics.Set, so that
// they are exposed beside the provobs series of the same Set:
//
//	m := metrics.New()
//	b := sqlite.NewSqliteBackend("wf.db", sqlite.WithBackendOptions(
//		backend.WithMetrics(goworkflows.NewMetricsClient(m.Set()))))
//
// Names are sanitized for Prometheus (every character outside
// [a-zA-Z0-9_:] becomes '_': workflows.workflow.created is
// workflows_workflow_created) and tags become labels, sorted by name:
//
//	go-workflows call   series                                      type
//	Counter             <name>_total{<tags>}                        counter, adds value
//	Gauge               <name>{<tags>}                              gauge, set to value
//	Distribution        <name>_bucket{<tags>,vmrange="..."}, _sum,  VictoriaMetrics histogram of value
//	                    _count
//	Timing              as Distribution, of the duration in ms
//
// A sample whose series name is already taken in the Set by a metric of
// another type is dropped. A MetricsClient is safe for concurrent use.
type MetricsClient struct {
	set  *vm.Set
	tags map[string]string // applied to every sample
	// cache maps a series name to its metric, shared by every client
	// derived by WithTags.
	cache *sync.Map
}

var _ gwmetrics.Client = (*MetricsClient)(nil)

// NewMetricsClient returns a client that records into set (a new Set when
// set is nil; see Set).
func NewMetricsClient(set *vm.Set) *MetricsClient {
	if set == nil {
		set = vm.NewSet()
	}
	return &MetricsClient{set: set, cache: &sync.Map{}}
}

// Set returns the Set the client records into.
func (c *MetricsClient) Set() *vm.Set { return c.set }

// Counter adds value to the counter <name>_total{tags}; a negative value is
// dropped (a counter never decreases).
func (c *MetricsClient) Counter(name string, tags gwmetrics.Tags, value int64) {
	if value < 0 {
		return
	}
	if m, ok := c.metric(kindCounter, name, tags).(*vm.Counter); ok {
		m.AddInt64(value)
	}
}

// Gauge sets the gauge <name>{tags} to value.
func (c *MetricsClient) Gauge(name string, tags gwmetrics.Tags, value int64) {
	if m, ok := c.metric(kindGauge, name, tags).(*vm.Gauge); ok {
		m.Set(float64(value))
	}
}

// Distribution adds value to the histogram <name>{tags}.
func (c *MetricsClient) Distribution(name string, tags gwmetrics.Tags, value float64) {
	if m, ok := c.metric(kindHistogram, name, tags).(*vm.Histogram); ok {
		m.Update(value)
	}
}

// Timing adds duration, in milliseconds, to the histogram <name>{tags}.
func (c *MetricsClient) Timing(name string, tags gwmetrics.Tags, duration time.Duration) {
	c.Distribution(name, tags, float64(duration)/float64(time.Millisecond))
}

// WithTags returns a client that adds tags to every sample (a tag given to a
// call wins over one given here); it records into the same Set.
func (c *MetricsClient) WithTags(tags gwmetrics.Tags) gwmetrics.Client {
	merged := make(map[string]string, len(c.tags)+len(tags))
	maps.Copy(merged, c.tags)
	maps.Copy(merged, tags)
	return &MetricsClient{set: c.set, tags: merged, cache: c.cache}
}

type kind uint8

const (
	kindCounter kind = iota + 1
	kindGauge
	kindHistogram
)

// metric returns the metric of the series, created on first use; nil when
// the name is taken by a metric of another type.
func (c *MetricsClient) metric(k kind, name string, tags gwmetrics.Tags) any {
	series := c.series(k, name, tags)
	if m, ok := c.cache.Load(series); ok {
		return m
	}
	m := c.create(k, series)
	if m == nil {
		return nil
	}
	actual, _ := c.cache.LoadOrStore(series, m)
	return actual
}

// create registers the series in the Set. The library panics when the
// name exists with another type; that sample is dropped instead.
func (c *MetricsClient) create(k kind, series string) (m any) {
	defer func() {
		if recover() != nil {
			m = nil
		}
	}()
	switch k {
	case kindCounter:
		return c.set.GetOrCreateCounter(series)
	case kindGauge:
		return c.set.GetOrCreateGauge(series, nil)
	default:
		return c.set.GetOrCreateHistogram(series)
	}
}

// series renders name{k="v",...} with the client's and the call's tags.
func (c *MetricsClient) series(k kind, name string, tags gwmetrics.Tags) string {
	var b strings.Builder
	writeName(&b, name)
	if k == kindCounter {
		b.WriteString("_total")
	}
	all := c.tags
	if len(tags) > 0 {
		all = make(map[string]string, len(c.tags)+len(tags))
		maps.Copy(all, c.tags)
		maps.Copy(all, tags)
	}
	if len(all) == 0 {
		return b.String()
	}
	b.WriteByte('{')
	for i, key := range slices.Sorted(maps.Keys(all)) {
		if i > 0 {
			b.WriteByte(',')
		}
		writeLabelName(&b, key)
		b.WriteString(`="`)
		writeLabelValue(&b, all[key])
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String()
}

// writeName writes a metric name: [a-zA-Z_:][a-zA-Z0-9_:]*, anything else
// replaced by '_'.
func writeName(b *strings.Builder, s string) {
	if s == "" {
		b.WriteByte('_')
		return
	}
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch >= 'a' && ch <= 'z', ch >= 'A' && ch <= 'Z', ch == '_', ch == ':':
			b.WriteByte(ch)
		case ch >= '0' && ch <= '9' && i > 0:
			b.WriteByte(ch)
		default:
			b.WriteByte('_')
		}
	}
}

// writeLabelName writes a label name: [a-zA-Z_][a-zA-Z0-9_]*.
func writeLabelName(b *strings.Builder, s string) {
	if s == "" {
		b.WriteByte('_')
		return
	}
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch >= 'a' && ch <= 'z', ch >= 'A' && ch <= 'Z', ch == '_':
			b.WriteByte(ch)
		case ch >= '0' && ch <= '9' && i > 0:
			b.WriteByte(ch)
		default:
			b.WriteByte('_')
		}
	}
}

// writeLabelValue writes a label value escaped as the exposition format
// requires: backslash, double quote and newline.
func writeLabelValue(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		switch ch := s[i]; ch {
		case '\\':
			b.WriteString(`\\`)
		case '"':
			b.WriteString(`\"`)
		case '\n':
			b.WriteString(`\n`)
		default:
			b.WriteByte(ch)
		}
	}
}
