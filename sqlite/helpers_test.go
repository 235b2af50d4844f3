package sqlite

import (
	"context"
	"flag"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/internal/clock"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// TestMain checks for leaked goroutines. Unless -parallel is given, it
// runs 4 parallel tests: the conformance cases mostly wait on short lock
// timeouts, not the CPU, so a little more than GOMAXPROCS on a small
// machine halves the run without loading it.
func TestMain(m *testing.M) {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set && runtime.GOMAXPROCS(0) < 4 {
		_ = flag.Set("test.parallel", "4")
	}
	goleak.VerifyTestMain(m)
}

// newFakeClock returns a manual clock for WithClock, at a fixed instant.
func newFakeClock() *clock.Manual {
	return clock.NewManual(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))
}

// openMem opens an in-memory provider closed at the end of the test.
func openMem(t testing.TB, opts ...Option) *Provider {
	t.Helper()
	p, err := Open(context.Background(), MemoryPath, opts...)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, p.Close()) })
	return p
}

// openFile opens a file provider in a fresh temp dir.
func openFile(t testing.TB, opts ...Option) *Provider {
	t.Helper()
	p, err := Open(context.Background(), filepath.Join(t.TempDir(), "store.db"), opts...)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, p.Close()) })
	return p
}

// stores runs f against an in-memory and a file store.
func stores(t *testing.T, f func(t *testing.T, open func(opts ...Option) *Provider)) {
	t.Run("memory", func(t *testing.T) {
		t.Parallel()
		f(t, func(opts ...Option) *Provider { return openMem(t, opts...) })
	})
	t.Run("file", func(t *testing.T) {
		t.Parallel()
		f(t, func(opts ...Option) *Provider { return openFile(t, opts...) })
	})
}

func start(id string) provobs.WorkItem {
	return provobs.WorkItem{Kind: provobs.KindStartOrchestration, InstanceID: id, Payload: []byte("in:" + id)}
}

func activity(id string, corr uint64, session string) provobs.WorkItem {
	return provobs.WorkItem{Kind: provobs.KindActivityExecute, InstanceID: id, ExecutionID: 1, CorrelationID: corr, SessionID: session, Payload: []byte("act")}
}

func ev(id uint64, kind provobs.EventKind) provobs.Event {
	return provobs.Event{ID: id, Kind: kind, Payload: []byte(string(kind))}
}

// mustFetch fetches and requires an item.
func mustFetch(t testing.TB, p *Provider, opts ...provobs.FetchOptions) *provobs.OrchestrationItem {
	t.Helper()
	var o provobs.FetchOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	it, err := p.FetchOrchestrationItem(context.Background(), o)
	require.NoError(t, err)
	require.NotNil(t, it)
	return it
}

func requireType(t testing.TB, want provobs.ErrorType, err error) {
	t.Helper()
	require.Error(t, err)
	require.Equal(t, want, provobs.TypeOf(err), "error: %v", err)
}
