package slogprov_test

import (
	"context"
	"log/slog"
	"os"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/slogprov"
	"github.com/provobs/provobs/sqlite"
)

// dropTimes keeps example output stable.
func dropTimes(_ []string, a slog.Attr) slog.Attr {
	if a.Key == slog.TimeKey || a.Key == provobs.KeyDurationMS {
		return slog.Attr{}
	}
	return a
}

// Records of an enqueue, a fetch and a failed ack, written as JSON. The
// time and duration are dropped to keep the output stable.
func ExampleMiddleware() {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, ":memory:")
	if err != nil {
		panic(err)
	}
	defer store.Close()

	h := slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: slog.LevelDebug, ReplaceAttr: dropTimes})
	p := provobs.Chain(store, slogprov.Middleware(slog.New(h)))

	start := provobs.WorkItem{Kind: provobs.KindStartOrchestration, InstanceID: "order-42", Payload: []byte(`{"card":"never logged"}`)}
	_ = p.EnqueueOrchestrator(ctx, start, 0)
	_, _ = p.FetchOrchestrationItem(ctx, provobs.FetchOptions{})
	_ = p.AckWorker(provobs.WithInstance(ctx, "order-42"), "stale-token", nil)
	// Output:
	// {"level":"DEBUG","msg":"provider operation","operation":"enqueue","instance_id":"order-42"}
	// {"level":"DEBUG","msg":"provider operation","operation":"fetch","instance_id":"order-42","messages":1}
	// {"level":"ERROR","msg":"provider operation failed","operation":"ack_worker","error_type":"lock_lost","error":"provobs: ack_worker: lock_lost: lock token is unknown, expired or already used","instance_id":"order-42"}
}

// Empty polls are suppressed unless sampled: here one record stands for
// every two polls that found no work.
func ExampleWithEmptyPollSampling() {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, ":memory:")
	if err != nil {
		panic(err)
	}
	defer store.Close()

	h := slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{Level: slog.LevelDebug, ReplaceAttr: dropTimes})
	p := provobs.Chain(store, slogprov.Middleware(slog.New(h), slogprov.WithEmptyPollSampling(2)))
	for range 5 {
		_, _ = p.FetchOrchestrationItem(ctx, provobs.FetchOptions{})
	}
	// Output:
	// level=DEBUG msg="provider operation" operation=fetch messages=0 empty_polls=2
	// level=DEBUG msg="provider operation" operation=fetch messages=0 empty_polls=2
}
