package goworkflows_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/cschleiden/go-workflows/backend"
	"github.com/cschleiden/go-workflows/backend/history"
	"github.com/cschleiden/go-workflows/backend/monoprocess"
	"github.com/cschleiden/go-workflows/backend/sqlite"
	"github.com/cschleiden/go-workflows/backend/test"
	"github.com/cschleiden/go-workflows/core"
	"github.com/cschleiden/go-workflows/diag"
	"github.com/cschleiden/go-workflows/workflow"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/goworkflows"
	"github.com/provobs/provobs/slogprov"
)

func TestMain(m *testing.M) {
	if os.Getenv(envSuiteMode) != "" {
		// A suite child runs go-workflows' own cases, whose engine leaves
		// workflow coroutines behind (AutoExpiration, ...): not ours to
		// check.
		os.Exit(m.Run())
	}
	goleak.VerifyTestMain(m,
		goleak.IgnoreAnyFunction("github.com/cschleiden/go-workflows/internal/sync.NewCoroutine.func1"),
		// go-workflows' in-memory SQLite keeps database/sql openers, and
		// its worker leaves timers; neither is ours.
		goleak.IgnoreTopFunction("database/sql.(*DB).connectionOpener"),
		goleak.IgnoreTopFunction("go.opencensus.io/stats/view.(*worker).start"),
		goleak.IgnoreAnyFunction("github.com/jellydator/ttlcache/v3.(*Cache[...]).Start"),
		goleak.IgnoreAnyFunction("time.Sleep"),
	)
}

func quietSQLite() backend.Backend {
	return sqlite.NewInMemoryBackend(sqlite.WithBackendOptions(backend.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))))
}

func TestWrapKeepsCapabilities(t *testing.T) {
	raw := quietSQLite()
	defer raw.Close()
	ic := provobs.Observer(func(context.Context, *provobs.Call, error, time.Duration) {})

	assert.Same(t, raw, goworkflows.Wrap(raw), "no interceptor: b itself")
	w := goworkflows.Wrap(raw, ic)
	_, isDiag := w.(diag.Backend)
	_, isTest := w.(test.TestBackend)
	assert.True(t, isDiag)
	assert.True(t, isTest)
	assert.Same(t, raw.Options(), w.Options())
	assert.Equal(t, raw.FeatureSupported(backend.Feature_Expiration), w.FeatureSupported(backend.Feature_Expiration))
	assert.Same(t, raw, goworkflows.Unwrap(w))
	assert.Same(t, raw, goworkflows.Unwrap(goworkflows.Wrap(w, ic)), "wrapping a wrapper adds to one layer")

	// monoprocess embeds backend.Backend only; it implements diag.Backend
	// but not GetFutureEvents, and the wrapper must say the same.
	mono := monoprocess.NewMonoprocessBackend(raw)
	wm := goworkflows.Wrap(mono, ic)
	_, rawDiag := backend.Backend(mono).(diag.Backend)
	_, wDiag := wm.(diag.Backend)
	_, rawFuture := backend.Backend(mono).(goworkflows.FutureEventer)
	_, wFuture := wm.(goworkflows.FutureEventer)
	assert.Equal(t, rawDiag, wDiag)
	assert.Equal(t, rawFuture, wFuture)
}

// TestWrapReturnsTheBackendsErrors checks that callers get go-workflows'
// errors unchanged while the records carry their provobs type.
func TestWrapReturnsTheBackendsErrors(t *testing.T) {
	var logs syncBuffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	b := goworkflows.Wrap(quietSQLite(), slogprov.Interceptor(logger))
	defer b.Close()
	ctx := context.Background()

	err := b.SignalWorkflow(ctx, "nobody", history.NewPendingEvent(time.Now(), history.EventType_SignalReceived,
		&history.SignalReceivedAttributes{Name: "s"}))
	assert.Same(t, backend.ErrInstanceNotFound, err) //nolint:errorlint // identity is the point

	inst := core.NewWorkflowInstance(uuid.NewString(), uuid.NewString())
	start := func() error {
		return b.CreateWorkflowInstance(ctx, inst, history.NewHistoryEvent(1, time.Now(), history.EventType_WorkflowExecutionStarted,
			&history.ExecutionStartedAttributes{Queue: workflow.QueueDefault}))
	}
	require.NoError(t, start())
	assert.Same(t, backend.ErrInstanceAlreadyExists, start()) //nolint:errorlint

	err = b.ExtendWorkflowTask(ctx, &backend.WorkflowTask{ID: "t", WorkflowInstance: core.NewWorkflowInstance("gone", "e")})
	require.Error(t, err)
	_, typed := err.(*provobs.Error) //nolint:errorlint
	assert.False(t, typed, "the caller gets the backend's own error")

	recs := logs.records(t)
	want := []struct{ method, typ, instance string }{
		{"SignalWorkflow", provobs.TypeInvalidArgument.String(), "nobody"},
		{"CreateWorkflowInstance", "", inst.InstanceID},
		{"CreateWorkflowInstance", provobs.TypeConflict.String(), inst.InstanceID},
		{"ExtendWorkflowTask", provobs.TypeLockLost.String(), "gone"},
	}
	require.Len(t, recs, len(want))
	for i, w := range want {
		assert.Equal(t, w.method, recs[i][provobs.KeyMethod])
		assert.Equal(t, w.instance, recs[i][provobs.KeyInstanceID])
		if w.typ == "" {
			assert.NotContains(t, recs[i], provobs.KeyErrorType)
		} else {
			assert.Equal(t, w.typ, recs[i][provobs.KeyErrorType], "%v", recs[i])
		}
	}
}
