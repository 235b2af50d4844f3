package bench

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/sqlite"
)

// Seed fills a new store at path with n completed instances, each with the
// history a completed one-activity orchestration leaves (started, activity
// scheduled, activity completed, completed) and status Completed, and no
// queued work. It goes through the provider API (enqueue, fetch, ack) from
// workers goroutines at synchronous=NORMAL, so the writer batches them; the
// file is closed (and so checkpointed) when Seed returns.
func Seed(ctx context.Context, path string, n, workers int) error {
	p, err := sqlite.Open(ctx, path, sqlite.WithSynchronous(sqlite.SynchronousNormal))
	if err != nil {
		return err
	}
	defer func() { _ = p.Close() }()
	if workers <= 0 {
		workers = 64
	}
	var next, acked atomic.Int64
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= int64(n) {
					break
				}
				id := "seed-" + strconv.FormatInt(i, 10)
				if err := p.EnqueueOrchestrator(ctx, provobs.WorkItem{Kind: provobs.KindStartOrchestration, InstanceID: id}, 0); err != nil {
					errs <- err
					return
				}
			}
			for acked.Load() < int64(n) {
				item, err := p.FetchOrchestrationItem(ctx, provobs.FetchOptions{LockTimeout: time.Minute, PollTimeout: 10 * time.Millisecond})
				if err != nil {
					errs <- err
					return
				}
				if item == nil {
					continue
				}
				if err := p.AckOrchestrationItem(ctx, item.LockToken, completedAck()); err != nil {
					errs <- fmt.Errorf("ack %s: %w", item.InstanceID, err)
					return
				}
				acked.Add(1)
			}
		})
	}
	wg.Wait()
	close(errs)
	return <-errs
}

func completedAck() provobs.OrchestrationAck {
	return provobs.OrchestrationAck{
		ExecutionID: 1,
		HistoryDelta: []provobs.Event{
			{ID: 1, Kind: provobs.EventOrchestrationStarted},
			{ID: 2, Kind: provobs.EventActivityScheduled},
			{ID: 3, Kind: provobs.EventActivityCompleted, Payload: []byte("2")},
			{ID: 4, Kind: provobs.EventOrchestrationCompleted},
		},
		Metadata: provobs.InstanceMetadata{Name: "seed", Version: "1", Status: provobs.StatusCompleted},
	}
}
