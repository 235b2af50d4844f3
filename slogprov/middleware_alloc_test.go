package slogprov_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/sqlite/sqlitetest"
)

// TestMiddlewareDisabledAllocs checks that a middleware whose handler is
// not enabled for DEBUG adds no allocation to a successful call, compared
// with the same call through a chain with an empty observer.
func TestMiddlewareDisabledAllocs(t *testing.T) {
	ctx := provobs.WithInstance(context.Background(), "inst-1")
	calls := map[string]func(p provobs.Provider){
		"fetch": func(p provobs.Provider) { _, _ = p.FetchOrchestrationItem(ctx, provobs.FetchOptions{}) },
		"ack_worker": func(p provobs.Provider) {
			_ = p.AckWorker(ctx, "stub-token", nil)
		},
		"renew_session_lock": func(p provobs.Provider) {
			_, _ = p.RenewSessionLock(ctx, nil, time.Second, time.Second)
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			bare := observeNoop(newStub())
			mw := withJSON(newStub(), slog.LevelInfo)
			want := testing.AllocsPerRun(200, func() { call(bare) })
			got := testing.AllocsPerRun(200, func() { call(mw) })
			assert.Equal(t, want, got, "allocations added by the disabled middleware")
			assert.LessOrEqual(t, got, 1.0, "the chain's one Call at most")
		})
	}
}

// TestMiddlewareDisabledAllocsSQLite checks the same through a chain around
// the SQLite provider: whatever the store allocates, the disabled
// middleware adds nothing to it.
func TestMiddlewareDisabledAllocsSQLite(t *testing.T) {
	ctx := context.Background()
	store := sqlitetest.New(t)
	require.NoError(t, store.EnqueueWorker(ctx, provobs.WorkItem{Kind: provobs.KindActivityExecute, InstanceID: "inst-1"}))
	calls := map[string]func(p provobs.Provider){
		"read_history": func(p provobs.Provider) { _, _ = p.ReadHistory(ctx, "inst-1", 0) },
		"queue_depths": func(p provobs.Provider) { _, _ = p.(provobs.Admin).QueueDepths(ctx) },
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			bare := observeNoop(store)
			mw := withJSON(store, slog.LevelInfo)
			call(bare) // warm up the connection pool and statement cache
			want := testing.AllocsPerRun(50, func() { call(bare) })
			got := testing.AllocsPerRun(50, func() { call(mw) })
			assert.Equal(t, want, got, "allocations added by the disabled middleware")
		})
	}
}
