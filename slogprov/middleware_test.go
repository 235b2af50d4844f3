package slogprov_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/lmittmann/tint"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/contrib/bridges/otelslog"
	"go.opentelemetry.io/otel/attribute"
	sdklog "go.opentelemetry.io/otel/sdk/log"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/obstest"
	"github.com/provobs/provobs/slogprov"
	"github.com/provobs/provobs/sqlite/sqlitetest"
)

// opCase says what a record of an operation driven by obstest.Exercise must
// carry: whether it knows its instance and the size it reports (-1: any).
var opCases = []struct {
	op       provobs.Op
	instance bool
	size     int
}{
	{provobs.OpFetch, true, 1},
	{provobs.OpAckOrch, true, 3},
	{provobs.OpAbandonOrch, true, 0},
	{provobs.OpRenewOrch, true, 0},
	{provobs.OpEnqueue, true, 0},
	{provobs.OpEnqueueWorker, true, 0},
	{provobs.OpDequeue, true, 1},
	{provobs.OpAckWorker, true, 0},
	{provobs.OpAbandonWorker, true, 0},
	{provobs.OpRenewWorker, true, 0},
	{provobs.OpRenewSessionLock, false, 1},
	{provobs.OpCleanupOrphanedSessions, false, -1},
	{provobs.OpReadHistory, true, 3},
	{provobs.OpQueueDepths, false, -1},
	{provobs.OpListInstances, false, 1},
	{provobs.OpInstanceInfo, true, 1},
}

func TestMiddlewareEveryOperation(t *testing.T) {
	t.Parallel()
	require.Len(t, opCases, len(provobs.MethodOps()))
	h := obstest.NewHandler(nil)
	var calls obstest.Calls
	p := provobs.Chain(sqlitetest.New(t), calls.Middleware(), slogprov.Middleware(slog.New(h)))
	require.Implements(t, (*provobs.Admin)(nil), p)
	require.NoError(t, obstest.Exercise(context.Background(), p))

	for _, tc := range opCases {
		t.Run(tc.op.String(), func(t *testing.T) {
			recs := h.WithAttr(provobs.KeyOperation, tc.op.String())
			require.NotZero(t, calls.Count(tc.op), "Exercise must call every operation")
			require.Len(t, recs, calls.Count(tc.op), "one record per call")
			for _, r := range recs {
				assert.Equal(t, slog.LevelDebug, r.Level)
				assert.Equal(t, provobs.MessageOK, r.Message)
				assert.Zero(t, r.PC)
				d, ok := r.Attr(provobs.KeyDurationMS)
				if assert.True(t, ok) && assert.Equal(t, slog.KindFloat64, d.Kind()) {
					assert.GreaterOrEqual(t, d.Float64(), 0.0)
				}
				id, ok := r.Attr(provobs.KeyInstanceID)
				assert.Equal(t, tc.instance, ok)
				if tc.instance {
					assert.Equal(t, obstest.ExerciseInstance, id.String())
				}
				size, ok := r.Attr(tc.op.SizeKey())
				assert.Equal(t, tc.op.SizeKey() != "", ok, "size key %q", tc.op.SizeKey())
				if ok && tc.size >= 0 {
					assert.Equal(t, int64(tc.size), size.Int64())
				}
				for _, k := range []string{provobs.KeyErrorType, provobs.KeyError, provobs.KeyEmptyPolls} {
					_, ok := r.Attr(k)
					assert.False(t, ok, k)
				}
			}
		})
	}
	assert.Equal(t, h.Len(), len(h.ByMessage(provobs.MessageOK)), "no other records")
}

func TestMiddlewareFailure(t *testing.T) {
	t.Parallel()
	ctx := provobs.WithInstance(context.Background(), "inst-9")
	lockTimeout := provobs.Intercept(provobs.InterceptorFunc(func(_ context.Context, c *provobs.Call) error {
		return provobs.NewError(c.Op(), provobs.TypeLockTimeout, errors.New("database is locked"))
	}))
	tests := []struct {
		name  string
		inner []provobs.Middleware
		level slog.Level
		typ   provobs.ErrorType
	}{
		{"lock_lost=error", nil, slog.LevelError, provobs.TypeLockLost},
		{"lock_timeout=warn", []provobs.Middleware{lockTimeout}, slog.LevelWarn, provobs.TypeLockTimeout},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := obstest.NewHandler(nil)
			mws := append([]provobs.Middleware{slogprov.Middleware(slog.New(h))}, tc.inner...)
			p := provobs.Chain(sqlitetest.New(t), mws...)

			err := p.AckWorker(ctx, "no-such-token", nil)
			require.Error(t, err)
			require.Equal(t, tc.typ, provobs.TypeOf(err))

			recs := h.Records()
			require.Len(t, recs, 1)
			r := recs[0]
			assert.Equal(t, tc.level, r.Level)
			assert.Equal(t, provobs.MessageFailed, r.Message)
			want := map[string]any{
				provobs.KeyOperation:  "ack_worker",
				provobs.KeyErrorType:  tc.typ.String(),
				provobs.KeyInstanceID: "inst-9",
			}
			for k, v := range want {
				got, ok := r.Attr(k)
				if assert.True(t, ok, k) {
					assert.Equal(t, v, got.String(), k)
				}
			}
			e, ok := r.Attr(provobs.KeyError)
			require.True(t, ok)
			assert.Equal(t, err, e.Any())
			_, ok = r.Attr(provobs.KeyDurationMS)
			assert.True(t, ok)
		})
	}
}

func TestMiddlewareEmptyPolls(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		opts    []slogprov.Option
		records int
		every   uint64
	}{
		{"default=suppressed", nil, 0, 0},
		{"sampling=1", []slogprov.Option{slogprov.WithEmptyPollSampling(1)}, 14, 1},
		{"sampling=3", []slogprov.Option{slogprov.WithEmptyPollSampling(3)}, 4, 3}, // polls 3 and 6 of each op
		{"sampling=-1", []slogprov.Option{slogprov.WithEmptyPollSampling(-1)}, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := obstest.NewHandler(nil)
			p := provobs.Chain(sqlitetest.New(t), slogprov.Middleware(slog.New(h), tc.opts...))
			ctx := context.Background()
			for range 7 {
				it, err := p.FetchOrchestrationItem(ctx, provobs.FetchOptions{})
				require.NoError(t, err)
				require.Nil(t, it)
				w, err := p.DequeueWorker(ctx, provobs.FetchOptions{}, nil)
				require.NoError(t, err)
				require.Nil(t, w)
			}
			recs := h.Records()
			require.Len(t, recs, tc.records)
			claimed := map[string]uint64{}
			for _, r := range recs {
				n, ok := r.Attr(provobs.SizeMessages)
				require.True(t, ok)
				assert.Zero(t, n.Int64())
				n, ok = r.Attr(provobs.KeyEmptyPolls)
				require.True(t, ok)
				assert.Equal(t, tc.every, n.Uint64())
				op, _ := r.Attr(provobs.KeyOperation)
				claimed[op.String()] += n.Uint64()
			}
			if tc.every > 0 {
				// The records add up to the polls made up to the last one.
				last := 7 / tc.every * tc.every
				assert.Equal(t, map[string]uint64{"fetch": last, "dequeue": last}, claimed)
			}
		})
	}
}

func TestMiddlewareHandlerLevelAndWith(t *testing.T) {
	t.Parallel()
	h := obstest.NewHandler(&obstest.HandlerOptions{Level: slog.LevelInfo})
	logger := slog.New(h).With("component", "store").WithGroup("provider")
	p := provobs.Chain(sqlitetest.New(t), slogprov.Middleware(logger))
	ctx := context.Background()

	require.NoError(t, p.EnqueueWorker(ctx, provobs.WorkItem{Kind: provobs.KindActivityExecute, InstanceID: "i"}))
	assert.Zero(t, h.Len(), "DEBUG success must not reach an INFO handler")

	require.Error(t, p.RenewWorkerLock(ctx, "bad", time.Second))
	recs := h.Records()
	require.Len(t, recs, 1)
	v, ok := recs[0].Attr("component")
	require.True(t, ok)
	assert.Equal(t, "store", v.String())
	v, ok = recs[0].Attr("provider." + provobs.KeyErrorType)
	require.True(t, ok, "the logger's group applies")
	assert.Equal(t, "lock_lost", v.String())
}

func TestMiddlewareNilLogger(t *testing.T) {
	t.Parallel()
	store := sqlitetest.New(t)
	assert.Equal(t, store, slogprov.Middleware(nil)(store))
}

// TestMiddlewareSinks sends the records of every operation to the three real
// sinks and checks what each of them wrote.
func TestMiddlewareSinks(t *testing.T) {
	t.Parallel()
	secret := []byte("PAYLOAD-MUST-NOT-BE-LOGGED")
	drive := func(t *testing.T, h slog.Handler) {
		t.Helper()
		p := provobs.Chain(sqlitetest.New(t), slogprov.Middleware(slog.New(h)))
		require.NoError(t, obstest.Exercise(context.Background(), p))
		require.NoError(t, p.EnqueueOrchestrator(context.Background(), provobs.WorkItem{
			Kind: provobs.KindExternalRaised, InstanceID: "inst-2", Payload: secret,
		}, 0))
		require.Error(t, p.AckWorker(context.Background(), "bad", nil))
	}
	// Every op, the second fetch and dequeue of Exercise, the extra enqueue
	// and the failed ack.
	total := len(provobs.MethodOps()) + 2 + 2

	t.Run("json", func(t *testing.T) {
		t.Parallel()
		var buf bytes.Buffer
		drive(t, slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
		assert.NotContains(t, buf.String(), string(secret))
		lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
		require.Len(t, lines, total)
		seen := map[string]bool{}
		for _, line := range lines {
			var m map[string]any
			require.NoError(t, json.Unmarshal([]byte(line), &m), line)
			op, _ := m[provobs.KeyOperation].(string)
			seen[op] = true
			assert.IsType(t, float64(0), m[provobs.KeyDurationMS], line)
			if m[slog.LevelKey] == "ERROR" {
				assert.Equal(t, "ack_worker", op)
				assert.Equal(t, "lock_lost", m[provobs.KeyErrorType])
				assert.Contains(t, m[provobs.KeyError], "lock_lost")
			} else {
				assert.Equal(t, "DEBUG", m[slog.LevelKey], line)
			}
		}
		for _, op := range provobs.MethodOps() {
			assert.True(t, seen[op.String()], op.String())
		}
	})

	t.Run("tint", func(t *testing.T) {
		t.Parallel()
		var buf bytes.Buffer
		drive(t, tint.NewTextHandler(&buf, &tint.Options{Level: slog.LevelDebug, NoColor: true}))
		out := buf.String()
		assert.NotContains(t, out, string(secret))
		assert.NotContains(t, out, "\x1b[", "no colour")
		lines := strings.Split(strings.TrimSpace(out), "\n")
		require.Len(t, lines, total)
		for _, op := range provobs.MethodOps() {
			assert.Contains(t, out, provobs.KeyOperation+"="+op.String()+" ")
		}
		assert.Contains(t, out, "ERR "+provobs.MessageFailed+" operation=ack_worker error_type=lock_lost")
	})

	t.Run("otelslog", func(t *testing.T) {
		t.Parallel()
		exp := &obstest.LogExporter{}
		lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(sdklog.NewSimpleProcessor(exp)))
		t.Cleanup(func() { _ = lp.Shutdown(context.Background()) })
		drive(t, otelslog.NewHandler("slogprov_test", otelslog.WithLoggerProvider(lp)))
		recs := exp.Records()
		require.Len(t, recs, total)
		seen := map[string]bool{}
		for _, r := range recs {
			attrs := map[string]attribute.Value{}
			r.WalkAttributes(func(kv attribute.KeyValue) bool {
				attrs[string(kv.Key)] = kv.Value
				assert.NotContains(t, kv.Value.Emit(), string(secret))
				return true
			})
			seen[attrs[provobs.KeyOperation].AsString()] = true
			assert.Equal(t, attribute.FLOAT64, attrs[provobs.KeyDurationMS].Type())
		}
		assert.Len(t, seen, len(provobs.MethodOps()))
	})
}

// TestCallerCancellation: the caller's cancellation is a DEBUG record with
// error_type=canceled whatever error the store returned on the way out; a
// passed deadline is a WARN with error_type=deadline_exceeded, even when
// the store calls it canceled (provobs.OutcomeOf, provobs.ErrorTypeOf).
func TestCallerCancellation(t *testing.T) {
	t.Parallel()
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancelE := context.WithDeadline(context.Background(), time.Unix(1, 0))
	defer cancelE()
	returning := func(err error) provobs.Middleware {
		return provobs.Intercept(provobs.InterceptorFunc(func(context.Context, *provobs.Call) error { return err }))
	}
	for _, tc := range []struct {
		name  string
		ctx   context.Context
		inner provobs.Middleware // nil: the real store
		level slog.Level
		msg   string
		typ   provobs.ErrorType
	}{
		{"cancelled ctx, the store's error", canceled, nil, slog.LevelDebug, provobs.MessageCanceled, provobs.TypeCanceled},
		{"cancelled ctx, a driver error on the way out", canceled, returning(errors.New("conn closed")), slog.LevelDebug, provobs.MessageCanceled, provobs.TypeCanceled},
		{"cancelled ctx, a retryable error", canceled, returning(provobs.NewError(provobs.OpEnqueue, provobs.TypeLockTimeout, nil)), slog.LevelDebug, provobs.MessageCanceled, provobs.TypeCanceled},
		{"passed deadline", expired, returning(context.DeadlineExceeded), slog.LevelWarn, provobs.MessageFailed, provobs.TypeDeadlineExceeded},
		{"interrupted at the deadline", expired, returning(provobs.NewError(provobs.OpEnqueue, provobs.TypeCanceled, errors.New("interrupted"))), slog.LevelWarn, provobs.MessageFailed, provobs.TypeDeadlineExceeded},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := obstest.NewHandler(nil)
			mws := []provobs.Middleware{slogprov.Middleware(slog.New(h))}
			if tc.inner != nil {
				mws = append(mws, tc.inner)
			}
			p := provobs.Chain(sqlitetest.New(t), mws...)
			err := p.EnqueueOrchestrator(tc.ctx, provobs.WorkItem{Kind: provobs.KindStartOrchestration, InstanceID: "a"}, 0)
			require.Error(t, err)
			recs := h.Records()
			require.Len(t, recs, 1)
			assert.Equal(t, tc.level, recs[0].Level)
			assert.Equal(t, tc.msg, recs[0].Message)
			et, ok := recs[0].Attr(provobs.KeyErrorType)
			require.True(t, ok)
			assert.Equal(t, tc.typ.String(), et.String())
			_, ok = recs[0].Attr(provobs.KeyError)
			assert.True(t, ok, "the error is kept")
		})
	}
}
