package metrics_test

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/metrics"
	"github.com/provobs/provobs/sqlite"
)

// TestSessionCountersAreDistinct renews three sessions and cleans up four,
// so a middleware that adds RenewSessionLock's result to the cleaned
// counter (or the other way round) shows the wrong number in each. Only
// exported API: a real store and the exposition text of m.Set().
func TestSessionCountersAreDistinct(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var now atomic.Int64
	now.Store(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	store, err := sqlite.Open(ctx, sqlite.MemoryPath, sqlite.WithClock(func() time.Time { return time.Unix(0, now.Load()) }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	m := metrics.New()
	p := provobs.Chain(store, m.Middleware())

	claim := func(owner, session string) {
		t.Helper()
		item := provobs.WorkItem{Kind: provobs.KindActivityExecute, InstanceID: "i", ExecutionID: 1, CorrelationID: 1, SessionID: session}
		if err := p.EnqueueWorker(ctx, item); err != nil {
			t.Fatal(err)
		}
		w, err := p.DequeueWorker(ctx, provobs.FetchOptions{}, &provobs.SessionConfig{OwnerID: owner, LockTimeout: time.Minute})
		if err != nil || w == nil {
			t.Fatalf("dequeue for %s: %v, %v", owner, w, err)
		}
		if err := p.AckWorker(ctx, w.LockToken, nil); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 3 {
		claim("A", fmt.Sprintf("a%d", i))
	}
	claim("B", "b0")
	if n, err := p.RenewSessionLock(ctx, []string{"A"}, time.Minute, 0); err != nil || n != 3 {
		t.Fatalf("RenewSessionLock: %d, %v, want 3", n, err)
	}
	now.Add(int64(time.Hour)) // every lease expires
	if n, err := p.CleanupOrphanedSessions(ctx, 0); err != nil || n != 4 {
		t.Fatalf("CleanupOrphanedSessions: %d, %v, want 4", n, err)
	}

	var b bytes.Buffer
	m.Set().WritePrometheus(&b)
	for name, want := range map[string]float64{
		"provider_sessions_renewed_total": 3,
		"provider_sessions_cleaned_total": 4,
	} {
		if got := sample(t, b.String(), name); got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
}

// sample returns the value of the unlabelled series name in an exposition.
func sample(t *testing.T, text, name string) float64 {
	t.Helper()
	for line := range strings.SplitSeq(text, "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			return f
		}
	}
	t.Fatalf("no series %s in:\n%s", name, text)
	return 0
}
