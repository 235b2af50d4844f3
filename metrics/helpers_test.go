package metrics_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/metrics"
)

type families = map[string]*dto.MetricFamily

// parse parses a Prometheus text exposition.
func parse(t *testing.T, r io.Reader) families {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(r)
	require.NoError(t, err)
	return fams
}

// scrape parses m's exposition as written by WritePrometheus.
func scrape(t *testing.T, m *metrics.Metrics) families {
	t.Helper()
	var buf bytes.Buffer
	m.WritePrometheus(&buf)
	return parse(t, &buf)
}

// scrapeHTTP fetches and parses url over HTTP.
func scrapeHTTP(t *testing.T, url string) (families, *http.Response) {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	return parse(t, resp.Body), resp
}

// labels renders a metric's labels as a map.
func labels(m *dto.Metric) map[string]string {
	out := map[string]string{}
	for _, lp := range m.GetLabel() {
		out[lp.GetName()] = lp.GetValue()
	}
	return out
}

// value returns the counter or gauge value of the series of name whose
// labels are exactly lbls; it fails the test if there is none.
func value(t *testing.T, fams families, name string, lbls map[string]string) float64 {
	t.Helper()
	mf := fams[name]
	require.NotNil(t, mf, "family %s", name)
	for _, m := range mf.GetMetric() {
		if assert.ObjectsAreEqual(lbls, labels(m)) {
			switch mf.GetType() {
			case dto.MetricType_COUNTER:
				return m.GetCounter().GetValue()
			case dto.MetricType_GAUGE:
				return m.GetGauge().GetValue()
			}
			t.Fatalf("%s is %v, not a counter or gauge", name, mf.GetType())
		}
	}
	t.Fatalf("no series %s%v", name, lbls)
	return 0
}

// histogram returns the single histogram of family name.
func histogram(t *testing.T, fams families, name string) *dto.Histogram {
	t.Helper()
	mf := fams[name]
	require.NotNil(t, mf, "family %s", name)
	require.Equal(t, dto.MetricType_HISTOGRAM, mf.GetType(), name)
	require.Len(t, mf.GetMetric(), 1, name)
	return mf.GetMetric()[0].GetHistogram()
}

// checkHistogram asserts that family name is a well-formed histogram with
// the given `le` bounds (+Inf implied): bounds increasing, cumulative
// counts non-decreasing, +Inf bucket equal to the count, sum present.
func checkHistogram(t *testing.T, fams families, name string, bounds []float64) {
	t.Helper()
	h := histogram(t, fams, name)
	require.NotNil(t, h.SampleSum, "%s_sum", name)
	require.NotNil(t, h.SampleCount, "%s_count", name)
	b := h.GetBucket()
	require.Len(t, b, len(bounds)+1, name)
	for i, bk := range b {
		if i < len(bounds) {
			assert.Equal(t, bounds[i], bk.GetUpperBound(), "%s bucket %d", name, i)
		}
		if i > 0 {
			assert.LessOrEqual(t, b[i-1].GetCumulativeCount(), bk.GetCumulativeCount(), "%s: buckets not cumulative", name)
		}
	}
	last := b[len(b)-1]
	assert.True(t, math.IsInf(last.GetUpperBound(), +1), "%s: last bucket is not +Inf", name)
	assert.Equal(t, h.GetSampleCount(), last.GetCumulativeCount(), "%s: +Inf bucket != count", name)
}

// errLabels labels one provider_infrastructure_errors_total series.
func errLabels(op provobs.Op, et provobs.ErrorType) map[string]string {
	return map[string]string{provobs.LabelOperation: op.String(), provobs.LabelErrorType: et.String()}
}

// injectFailure fails every call of op with a *provobs.Error of type et,
// without calling the provider.
func injectFailure(op provobs.Op, et provobs.ErrorType) provobs.Middleware {
	return provobs.Intercept(provobs.InterceptorFunc(func(ctx context.Context, c *provobs.Call) error {
		if c.Op() == op {
			return provobs.NewError(op, et, errors.New("injected"))
		}
		return c.Invoke(ctx)
	}))
}

// flaky fails the first n calls of op with a retryable lock_timeout error,
// then lets calls through; n < 0 fails every call.
func flaky(op provobs.Op, n int) provobs.Middleware {
	var calls atomic.Int64
	return provobs.Intercept(provobs.InterceptorFunc(func(ctx context.Context, c *provobs.Call) error {
		if c.Op() == op && (n < 0 || calls.Add(1) <= int64(n)) {
			return provobs.NewError(op, provobs.TypeLockTimeout, errors.New("injected busy"))
		}
		return c.Invoke(ctx)
	}))
}

// exercise runs every Provider and Admin operation through p once or more,
// all succeeding, and returns how many times it called each.
func exercise(t *testing.T, p provobs.Provider) map[provobs.Op]int {
	t.Helper()
	ctx := context.Background()
	calls := map[provobs.Op]int{}
	do := func(op provobs.Op, err error) {
		t.Helper()
		calls[op]++
		require.NoError(t, err, op.String())
	}
	const inst = "inst-1"
	do(provobs.OpEnqueue, p.EnqueueOrchestrator(ctx, provobs.WorkItem{Kind: provobs.KindStartOrchestration, InstanceID: inst}, 0))
	orch, err := p.FetchOrchestrationItem(ctx, provobs.FetchOptions{})
	do(provobs.OpFetch, err)
	require.NotNil(t, orch)
	do(provobs.OpRenewOrch, p.RenewOrchestrationItemLock(ctx, orch.LockToken, time.Minute))
	do(provobs.OpAckOrch, p.AckOrchestrationItem(ctx, orch.LockToken, provobs.OrchestrationAck{
		ExecutionID:  1,
		HistoryDelta: []provobs.Event{{ID: 1, Kind: provobs.EventOrchestrationStarted}, {ID: 2, Kind: provobs.EventActivityScheduled}},
		WorkerItems:  []provobs.WorkItem{{Kind: provobs.KindActivityExecute, InstanceID: inst, ExecutionID: 1, CorrelationID: 2, SessionID: "s-1"}},
		Metadata:     provobs.InstanceMetadata{Name: "demo", Status: provobs.StatusRunning},
	}))
	do(provobs.OpEnqueueWorker, p.EnqueueWorker(ctx, provobs.WorkItem{Kind: provobs.KindActivityExecute, InstanceID: inst, ExecutionID: 1, CorrelationID: 3}))

	session := &provobs.SessionConfig{OwnerID: "owner-1", LockTimeout: time.Minute}
	w, err := p.DequeueWorker(ctx, provobs.FetchOptions{}, session)
	do(provobs.OpDequeue, err)
	require.NotNil(t, w)
	do(provobs.OpRenewWorker, p.RenewWorkerLock(ctx, w.LockToken, time.Minute))
	do(provobs.OpAckWorker, p.AckWorker(ctx, w.LockToken, &provobs.WorkItem{
		Kind: provobs.KindActivityCompleted, InstanceID: inst, ExecutionID: 1, CorrelationID: w.Item.CorrelationID}))
	w, err = p.DequeueWorker(ctx, provobs.FetchOptions{}, session)
	do(provobs.OpDequeue, err)
	require.NotNil(t, w)
	do(provobs.OpAbandonWorker, p.AbandonWorker(ctx, w.LockToken, provobs.AbandonOptions{}))

	orch, err = p.FetchOrchestrationItem(ctx, provobs.FetchOptions{})
	do(provobs.OpFetch, err)
	require.NotNil(t, orch)
	do(provobs.OpAbandonOrch, p.AbandonOrchestrationItem(ctx, orch.LockToken, provobs.AbandonOptions{}))

	_, err = p.RenewSessionLock(ctx, []string{"owner-1"}, time.Minute, time.Minute)
	do(provobs.OpRenewSessionLock, err)
	_, err = p.CleanupOrphanedSessions(ctx, time.Minute)
	do(provobs.OpCleanupOrphanedSessions, err)
	_, err = p.ReadHistory(ctx, inst, 0)
	do(provobs.OpReadHistory, err)

	a, ok := p.(provobs.Admin)
	require.True(t, ok, "chained provider lost the Admin capability")
	_, err = a.QueueDepths(ctx)
	do(provobs.OpQueueDepths, err)
	_, err = a.ListInstances(ctx, provobs.ListOptions{})
	do(provobs.OpListInstances, err)
	_, err = a.InstanceInfo(ctx, inst)
	do(provobs.OpInstanceInfo, err)
	return calls
}
