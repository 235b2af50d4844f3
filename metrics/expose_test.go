package metrics_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	vm "github.com/VictoriaMetrics/metrics"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/metrics"
)

func TestHandlerServesValidPrometheusText(t *testing.T) {
	t.Parallel()
	m := metrics.New()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()

	fams, resp := scrapeHTTP(t, srv.URL+"/metrics")
	assert.Equal(t, metrics.ContentType, resp.Header.Get("Content-Type"))
	for _, op := range provobs.Ops() {
		checkHistogram(t, fams, op.MetricName(), metrics.DefaultBuckets())
	}

	calls := exercise(t, provobs.Chain(newStore(t), m.Middleware()))
	fams, _ = scrapeHTTP(t, srv.URL+"/metrics")
	histograms := 0
	for name, mf := range fams {
		if mf.GetType() == dto.MetricType_HISTOGRAM {
			histograms++
			checkHistogram(t, fams, name, metrics.DefaultBuckets())
		}
		assert.NotEmpty(t, mf.GetHelp(), name)
	}
	assert.Equal(t, len(provobs.Ops()), histograms)
	for op, n := range calls {
		assert.Equal(t, uint64(n), histogram(t, fams, op.MetricName()).GetSampleCount(), op.String())
	}
}

func TestWritePrometheusTypesEachFamilyOnce(t *testing.T) {
	// Not parallel: it switches the library's global metadata setting, which
	// must not duplicate our HELP and TYPE lines.
	for _, expose := range []bool{false, true} {
		vm.ExposeMetadata(expose)
		m := metrics.New()
		var buf bytes.Buffer
		m.WritePrometheus(&buf)
		text := buf.String()
		for _, op := range provobs.Ops() {
			assert.Equal(t, 1, strings.Count(text, "# TYPE "+op.MetricName()+" histogram\n"), "expose=%v %s", expose, op)
		}
		assert.Equal(t, 1, strings.Count(text, "# TYPE "+provobs.MetricInfrastructureErrors+" counter\n"))
		assert.Equal(t, 1, strings.Count(text, "# TYPE "+provobs.MetricWorkerQueueDepth+" gauge\n"))
		_ = parse(t, &buf) // a second TYPE line would fail the parse
	}
	vm.ExposeMetadata(false)
}

func TestWritePrometheusKeepsTheCallersSeries(t *testing.T) {
	t.Parallel()
	m := metrics.New()
	m.Set().NewCounter(`app_things_total{kind="x"}`).Add(3)
	fams := scrape(t, m)
	require.NotNil(t, fams["app_things_total"])
	assert.Equal(t, 3.0, fams["app_things_total"].GetMetric()[0].GetUntyped().GetValue())
	checkHistogram(t, fams, provobs.OpFetch.MetricName(), metrics.DefaultBuckets())
}

// pushSink is a stand-in VictoriaMetrics import endpoint: it keeps the
// decoded body of every push.
type pushSink struct {
	mu     sync.Mutex
	bodies [][]byte
	path   string
	labels string
}

func (s *pushSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		body = zr
	}
	b, err := io.ReadAll(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.bodies = append(s.bodies, b)
	s.path = r.URL.Path
	s.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (s *pushSink) last() ([]byte, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.bodies) == 0 {
		return nil, ""
	}
	return s.bodies[len(s.bodies)-1], s.path
}

func TestPushSendsTheExposition(t *testing.T) {
	t.Parallel()
	sink := &pushSink{}
	srv := httptest.NewServer(sink)
	defer srv.Close()

	m := metrics.New()
	require.NoError(t, provobs.Chain(newStore(t), m.Middleware()).EnqueueWorker(context.Background(),
		provobs.WorkItem{Kind: provobs.KindActivityExecute, InstanceID: "i", ExecutionID: 1, CorrelationID: 1}))

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	require.NoError(t, m.Push(ctx, srv.URL+"/api/v1/import/prometheus", 20*time.Millisecond,
		&vm.PushOptions{ExtraLabels: `job="provobs"`, WaitGroup: &wg}))
	require.Eventually(t, func() bool { b, _ := sink.last(); return b != nil }, 5*time.Second, 10*time.Millisecond)
	cancel()
	wg.Wait()

	body, path := sink.last()
	assert.Equal(t, "/api/v1/import/prometheus", path)
	fams := parse(t, bytes.NewReader(body))
	h := histogram(t, fams, provobs.OpEnqueueWorker.MetricName())
	assert.Equal(t, uint64(1), h.GetSampleCount())
	assert.Equal(t, map[string]string{"job": "provobs"}, labels(fams[provobs.OpEnqueueWorker.MetricName()].GetMetric()[0]))

	require.Error(t, m.Push(context.Background(), "ftp://nowhere", time.Second, nil), "invalid URL")
}

func TestPushNow(t *testing.T) {
	t.Parallel()
	sink := &pushSink{}
	srv := httptest.NewServer(sink)
	defer srv.Close()

	m := metrics.New()
	m.RecordRetry(provobs.OpAckOrch)
	require.NoError(t, m.PushNow(context.Background(), srv.URL+"/api/v1/import/prometheus", nil))
	body, _ := sink.last()
	fams := parse(t, bytes.NewReader(body))
	assert.Equal(t, 1.0, value(t, fams, provobs.MetricAckOrchestrationRetries, map[string]string{}))
}
