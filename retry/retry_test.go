package retry_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/retry"
	"github.com/provobs/provobs/sqlite/sqlitetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// injector fails calls of op with the errors in errs, in order, then lets
// calls through; with repeat set the last error repeats forever. It counts
// the calls of op that reach it.
type injector struct {
	op     provobs.Op
	errs   []error
	repeat bool
	calls  atomic.Int64
}

func (in *injector) middleware() provobs.Middleware {
	return provobs.Intercept(provobs.InterceptorFunc(func(ctx context.Context, c *provobs.Call) error {
		if c.Op() != in.op {
			return c.Invoke(ctx)
		}
		n := int(in.calls.Add(1))
		switch {
		case n <= len(in.errs):
			return in.errs[n-1]
		case in.repeat:
			return in.errs[len(in.errs)-1]
		}
		return c.Invoke(ctx)
	}))
}

// retries records OnRetry calls.
type retries struct {
	mu       sync.Mutex
	attempts []int
	errs     []error
}

func (r *retries) hook(_ context.Context, _ provobs.Op, attempt int, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.attempts = append(r.attempts, attempt)
	r.errs = append(r.errs, err)
}

func busy(op provobs.Op) error {
	return provobs.NewError(op, provobs.TypeLockTimeout, errors.New("busy"))
}

// fastConfig keeps the backoff short so the tests stay quick.
func fastConfig(r *retries) retry.Config {
	return retry.Config{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond, OnRetry: r.hook}
}

// lockedItem enqueues a start message and fetches it, so an ack has a
// real lock to commit.
func lockedItem(t *testing.T, p provobs.Provider) *provobs.OrchestrationItem {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, p.EnqueueOrchestrator(ctx, provobs.WorkItem{Kind: provobs.KindStartOrchestration, InstanceID: "i-1"}, 0))
	item, err := p.FetchOrchestrationItem(ctx, provobs.FetchOptions{})
	require.NoError(t, err)
	require.NotNil(t, item)
	return item
}

func ack(ctx context.Context, p provobs.Provider, item *provobs.OrchestrationItem) error {
	return p.AckOrchestrationItem(ctx, item.LockToken, provobs.OrchestrationAck{
		ExecutionID:  1,
		HistoryDelta: []provobs.Event{{ID: 1, Kind: provobs.EventOrchestrationStarted}},
	})
}

func TestRetryOutcomes(t *testing.T) {
	t.Parallel()
	conflict := provobs.NewError(provobs.OpAckOrch, provobs.TypeConflict, errors.New("duplicate event"))
	tests := []struct {
		name        string
		inject      *injector
		wantRetries []int // attempt numbers reported to OnRetry
		wantCalls   int64
		wantErr     provobs.ErrorType
	}{
		{"fail twice then succeed", &injector{op: provobs.OpAckOrch, errs: []error{busy(provobs.OpAckOrch), busy(provobs.OpAckOrch)}}, []int{2, 3}, 3, 0},
		{"always fail", &injector{op: provobs.OpAckOrch, errs: []error{busy(provobs.OpAckOrch)}, repeat: true}, []int{2, 3, 4}, 4, provobs.TypeLockTimeout},
		{"permanent error", &injector{op: provobs.OpAckOrch, errs: []error{conflict}}, nil, 1, provobs.TypeConflict},
		{"plain error", &injector{op: provobs.OpAckOrch, errs: []error{errors.New("plain")}}, nil, 1, provobs.TypeUnknown},
		{"retryable then permanent", &injector{op: provobs.OpAckOrch, errs: []error{busy(provobs.OpAckOrch), conflict}}, []int{2}, 2, provobs.TypeConflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var r retries
			st := sqlitetest.New(t)
			p := provobs.Chain(st, retry.Middleware(fastConfig(&r)), tt.inject.middleware())
			item := lockedItem(t, p)

			err := ack(context.Background(), p, item)
			assert.Equal(t, tt.wantErr, provobs.TypeOf(err))
			assert.Equal(t, tt.wantRetries, r.attempts)
			assert.Equal(t, tt.wantCalls, tt.inject.calls.Load())
			for _, e := range r.errs {
				assert.True(t, provobs.IsRetryable(e), "OnRetry gets the retryable error that caused the retry")
			}

			history, herr := st.ReadHistory(context.Background(), "i-1", 0)
			require.NoError(t, herr)
			if tt.wantErr == 0 {
				assert.Len(t, history, 1, "the retried ack committed the turn")
			} else {
				assert.Empty(t, history, "a failed ack commits nothing")
				// The lock is still held: the caller can abandon the item.
				assert.NoError(t, p.AbandonOrchestrationItem(context.Background(), item.LockToken, provobs.AbandonOptions{}))
			}
		})
	}
}

func TestRetryOnlyConfiguredOps(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("default ops leave fetch alone", func(t *testing.T) {
		t.Parallel()
		var r retries
		in := &injector{op: provobs.OpFetch, errs: []error{busy(provobs.OpFetch)}}
		p := provobs.Chain(sqlitetest.New(t), retry.Middleware(fastConfig(&r)), in.middleware())
		_, err := p.FetchOrchestrationItem(ctx, provobs.FetchOptions{})
		assert.Equal(t, provobs.TypeLockTimeout, provobs.TypeOf(err))
		assert.Equal(t, int64(1), in.calls.Load())
		assert.Empty(t, r.attempts)
	})
	t.Run("fetch when configured", func(t *testing.T) {
		t.Parallel()
		var r retries
		cfg := fastConfig(&r)
		cfg.Ops = []provobs.Op{provobs.OpFetch, provobs.OpDequeue}
		in := &injector{op: provobs.OpFetch, errs: []error{busy(provobs.OpFetch)}}
		st := sqlitetest.New(t)
		require.NoError(t, st.EnqueueOrchestrator(ctx, provobs.WorkItem{Kind: provobs.KindStartOrchestration, InstanceID: "i-1"}, 0))
		p := provobs.Chain(st, retry.Middleware(cfg), in.middleware())
		item, err := p.FetchOrchestrationItem(ctx, provobs.FetchOptions{})
		require.NoError(t, err)
		require.NotNil(t, item, "the retried fetch returns the batch")
		assert.Equal(t, "i-1", item.InstanceID)
		assert.Equal(t, []int{2}, r.attempts)
	})
	t.Run("ack_worker by default", func(t *testing.T) {
		t.Parallel()
		var r retries
		in := &injector{op: provobs.OpAckWorker, errs: []error{busy(provobs.OpAckWorker)}}
		st := sqlitetest.New(t)
		p := provobs.Chain(st, retry.Middleware(fastConfig(&r)), in.middleware())
		require.NoError(t, p.EnqueueWorker(ctx, provobs.WorkItem{Kind: provobs.KindActivityExecute, InstanceID: "i-1", ExecutionID: 1, CorrelationID: 1}))
		w, err := p.DequeueWorker(ctx, provobs.FetchOptions{}, nil)
		require.NoError(t, err)
		require.NotNil(t, w)
		require.NoError(t, p.AckWorker(ctx, w.LockToken, nil))
		assert.Equal(t, []int{2}, r.attempts)
		d, err := st.QueueDepths(ctx)
		require.NoError(t, err)
		assert.Zero(t, d.Worker, "the retried ack deleted the item")
	})
}

func TestRetryHonoursTheContext(t *testing.T) {
	t.Parallel()

	t.Run("cancelled during backoff", func(t *testing.T) {
		t.Parallel()
		var r retries
		in := &injector{op: provobs.OpAckOrch, errs: []error{busy(provobs.OpAckOrch)}, repeat: true}
		p := provobs.Chain(sqlitetest.New(t), retry.Middleware(retry.Config{BaseDelay: time.Hour, OnRetry: r.hook}), in.middleware())
		item := lockedItem(t, p)

		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(20*time.Millisecond, cancel)
		start := time.Now()
		err := ack(ctx, p, item)
		assert.Less(t, time.Since(start), 2*time.Second, "returns promptly")
		assert.Equal(t, provobs.TypeCanceled, provobs.TypeOf(err))
		assert.False(t, provobs.IsRetryable(err))
		assert.ErrorIs(t, err, context.Canceled)
		assert.ErrorIs(t, err, provobs.ErrLockTimeout, "the last attempt's error is kept")
		var pe *provobs.Error
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, provobs.OpAckOrch, pe.Op)
		assert.Empty(t, r.attempts, "no retry happened")
		assert.Equal(t, int64(1), in.calls.Load())
	})

	t.Run("deadline passes during backoff", func(t *testing.T) {
		t.Parallel()
		var r retries
		in := &injector{op: provobs.OpAckOrch, errs: []error{busy(provobs.OpAckOrch)}, repeat: true}
		p := provobs.Chain(sqlitetest.New(t), retry.Middleware(retry.Config{BaseDelay: time.Hour, OnRetry: r.hook}), in.middleware())
		item := lockedItem(t, p)

		// A context whose deadline passes while the retry waits, with no
		// Deadline for the retry to see coming.
		ctx := &expiring{Context: context.Background(), done: make(chan struct{})}
		time.AfterFunc(20*time.Millisecond, func() { close(ctx.done) })
		err := ack(ctx, p, item)
		assert.Equal(t, provobs.TypeDeadlineExceeded, provobs.TypeOf(err), "provobs.ContextError of the context's end")
		assert.False(t, provobs.IsRetryable(err))
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.ErrorIs(t, err, provobs.ErrLockTimeout, "the last attempt's error is kept")
		assert.Equal(t, provobs.OutcomeFailed, provobs.OutcomeOf(ctx, err))
		assert.Empty(t, r.attempts)
	})

	t.Run("deadline before the next attempt", func(t *testing.T) {
		t.Parallel()
		var r retries
		in := &injector{op: provobs.OpAckOrch, errs: []error{busy(provobs.OpAckOrch)}, repeat: true}
		p := provobs.Chain(sqlitetest.New(t), retry.Middleware(retry.Config{BaseDelay: time.Hour, OnRetry: r.hook}), in.middleware())
		item := lockedItem(t, p)

		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		start := time.Now()
		err := ack(ctx, p, item)
		assert.Less(t, time.Since(start), 2*time.Second, "does not sleep towards a deadline it cannot beat")
		assert.Equal(t, provobs.TypeLockTimeout, provobs.TypeOf(err), "the last attempt's error")
		assert.Empty(t, r.attempts)
	})
}

func TestRetryDefaults(t *testing.T) {
	t.Parallel()
	var r retries
	in := &injector{op: provobs.OpAckOrch, errs: []error{busy(provobs.OpAckOrch)}, repeat: true}
	p := provobs.Chain(sqlitetest.New(t), retry.Middleware(retry.Config{OnRetry: r.hook}), in.middleware())
	item := lockedItem(t, p)

	start := time.Now()
	err := ack(context.Background(), p, item)
	elapsed := time.Since(start)
	assert.Equal(t, provobs.TypeLockTimeout, provobs.TypeOf(err))
	assert.Equal(t, []int{2, 3, 4}, r.attempts, "DefaultMaxAttempts is 4")
	// Equal jitter: at least 5+10+20 ms with the default 10 ms base.
	assert.GreaterOrEqual(t, elapsed, 35*time.Millisecond)
}

func TestRetryKeepsTheAdminCapability(t *testing.T) {
	t.Parallel()
	p := provobs.Chain(sqlitetest.New(t), retry.Middleware(retry.Config{}))
	a, ok := p.(provobs.Admin)
	require.True(t, ok)
	_, err := a.QueueDepths(context.Background())
	assert.NoError(t, err)
}

// expiring is a context whose deadline passes when done is closed, and
// which hides that deadline from Deadline.
type expiring struct {
	context.Context
	done chan struct{}
}

func (c *expiring) Done() <-chan struct{} { return c.done }

func (c *expiring) Err() error {
	select {
	case <-c.done:
		return context.DeadlineExceeded
	default:
		return nil
	}
}
