package bench

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/provobs/provobs"
)

// BenchmarkChain measures one provider call on a no-op provider, bare and
// through the full chain (FullChain: retry, slogprov over redact over JSON
// to io.Discard, metrics), with DEBUG disabled (the chain at INFO: success
// records are not built) and enabled (every call writes a JSON record):
//
//	cd bench && go test -run='^$' -bench=BenchmarkChain -benchmem -count=10 . | tee chain.txt
//	go run golang.org/x/perf/cmd/benchstat@latest chain.txt
//
// Each sub-benchmark is one operation: fetch (a batch of one message for a
// known instance), ack_orch (a retried op: the retry layer is active) and
// enqueue. Budget: full/debug=disabled ≤ 200 ns and ≤ 1 allocation.
func BenchmarkChain(b *testing.B) {
	ctx := context.Background()
	fetchOpts := provobs.FetchOptions{LockTimeout: time.Minute}
	ack := provobs.OrchestrationAck{ExecutionID: 1, HistoryDelta: []provobs.Event{{ID: 1, Kind: provobs.EventOrchestrationStarted}}}
	item := provobs.WorkItem{Kind: provobs.KindStartOrchestration, InstanceID: "instance-1"}
	calls := []struct {
		op   string
		call func(p provobs.Provider) error
	}{
		{"fetch", func(p provobs.Provider) error { _, err := p.FetchOrchestrationItem(ctx, fetchOpts); return err }},
		{"ack_orch", func(p provobs.Provider) error { return p.AckOrchestrationItem(ctx, "token", ack) }},
		{"enqueue", func(p provobs.Provider) error { return p.EnqueueOrchestrator(ctx, item, 0) }},
	}
	chains := []struct {
		name string
		p    func(b *testing.B) provobs.Provider
	}{
		{"bare", func(*testing.B) provobs.Provider { return newStub() }},
		{"full/debug=disabled", func(b *testing.B) provobs.Provider { return full(b, slog.LevelInfo) }},
		{"full/debug=enabled", func(b *testing.B) provobs.Provider { return full(b, slog.LevelDebug) }},
	}
	for _, ch := range chains {
		for _, c := range calls {
			b.Run(ch.name+"/op="+c.op, func(b *testing.B) {
				p := ch.p(b)
				b.ReportAllocs()
				for b.Loop() {
					if err := c.call(p); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func full(b *testing.B, level slog.Level) provobs.Provider {
	p, _, err := FullChain(newStub(), level, nil)
	if err != nil {
		b.Fatal(err)
	}
	return p
}
