//go:build !race

// The race detector makes sync.Pool drop items at random, which the
// interceptor's pooled calls would turn into noise; allocation counts are
// checked without it.

package slogprov_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/provobs/provobs"
)

// TestMiddlewareDisabledAllocs checks that a middleware whose handler is
// not enabled for DEBUG adds no allocation to a successful call, compared
// with the same call through a chain with an empty observer.
func TestMiddlewareDisabledAllocs(t *testing.T) {
	ctx := provobs.WithInstance(context.Background(), "inst-1")
	calls := map[string]func(p provobs.Provider){
		"fetch": func(p provobs.Provider) { _, _ = p.FetchOrchestrationItem(ctx, provobs.FetchOptions{}) },
		"ack_worker": func(p provobs.Provider) {
			_ = p.AckWorker(ctx, fakeToken, nil)
		},
		"renew_session_lock": func(p provobs.Provider) {
			_, _ = p.RenewSessionLock(ctx, nil, time.Second, time.Second)
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			bare := observeNoop(fakeProvider{})
			mw := withJSON(fakeProvider{}, slog.LevelInfo)
			want := testing.AllocsPerRun(200, func() { call(bare) })
			got := testing.AllocsPerRun(200, func() { call(mw) })
			assert.Equal(t, want, got, "allocations added by the disabled middleware")
			assert.Zero(t, got)
		})
	}
}
