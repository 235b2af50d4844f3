package slogprov_test

import (
	"context"
	"log/slog"
	"os"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/slogprov"
)

// Records of a successful dequeue and a failed ack, written as JSON. The
// time and duration are dropped to keep the output stable.
func ExampleMiddleware() {
	h := slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{
		Level: slog.LevelDebug,
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey || a.Key == slogprov.KeyDurationMS {
				return slog.Attr{}
			}
			return a
		},
	})
	var store provobs.Provider = fakeProvider{} // a real store in practice
	p := provobs.Chain(store, slogprov.Middleware(slog.New(h)))

	ctx := context.Background()
	_, _ = p.DequeueWorker(ctx, provobs.FetchOptions{}, nil)
	_ = p.AckWorker(provobs.WithInstance(ctx, "order-42"), "stale-token", nil)
	// Output:
	// {"level":"DEBUG","msg":"provider operation","operation":"dequeue","instance_id":"obstest-exercise","messages":1}
	// {"level":"ERROR","msg":"provider operation failed","operation":"ack_worker","error_type":"lock_lost","error":"provobs: ack_worker: lock_lost: unknown lock token","instance_id":"order-42"}
}

// Empty polls are suppressed unless sampled: here one record stands for
// every two polls that found no work.
func ExampleWithEmptyPollSampling() {
	h := slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		Level: slog.LevelDebug,
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey || a.Key == slogprov.KeyDurationMS {
				return slog.Attr{}
			}
			return a
		},
	})
	p := provobs.Chain(emptyProvider{}, slogprov.Middleware(slog.New(h), slogprov.WithEmptyPollSampling(2)))
	for range 4 {
		_, _ = p.FetchOrchestrationItem(context.Background(), provobs.FetchOptions{})
	}
	// Output:
	// level=DEBUG msg="provider operation" operation=fetch messages=0 empty_polls=2
	// level=DEBUG msg="provider operation" operation=fetch messages=0 empty_polls=2
}
