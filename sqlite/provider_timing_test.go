package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/provobs/provobs"
)

// Benchmarks of the write path on a file store. Each reports ops/s; the
// callers=N variants run N goroutines, so the writer can group their
// operations into one transaction (one fsync at synchronous=FULL).
//
//	go test -run='^$' -bench=. -benchmem -count=3 ./sqlite/

// runCallers runs fn b.N times spread over n goroutines.
func runCallers(b *testing.B, n int, fn func(i int)) {
	b.Helper()
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	for range n {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= int64(b.N) {
					return
				}
				fn(int(i))
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}

func benchStore(b *testing.B, sync Synchronous) *Provider {
	b.Helper()
	p, err := Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"), WithSynchronous(sync))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = p.Close() })
	return p
}

// seed enqueues n start messages in one transaction (setup, not measured).
func seed(b *testing.B, p *Provider, prefix string, n int) {
	b.Helper()
	err := p.write(context.Background(), provobs.OpEnqueue, 0, func(t *wtx) error {
		for i := range n {
			it := provobs.WorkItem{Kind: provobs.KindStartOrchestration, InstanceID: fmt.Sprintf("%s-%d", prefix, i), Payload: make([]byte, 64)}
			if err := t.insertOrch(it, t.nowNanos()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// lockAll fetches n items in one transaction (setup, not measured).
func lockAll(b *testing.B, p *Provider, n int) []string {
	b.Helper()
	tokens := make([]string, 0, n)
	err := p.write(context.Background(), provobs.OpFetch, 0, func(t *wtx) error {
		for range n {
			it, _, err := t.fetchOrch(time.Hour, false)
			if err != nil {
				return err
			}
			tokens = append(tokens, it.LockToken)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return tokens
}

// turnAck is a typical orchestration turn: two events, one activity.
func turnAck(inst string) provobs.OrchestrationAck {
	return provobs.OrchestrationAck{
		ExecutionID: 1,
		HistoryDelta: []provobs.Event{
			{ID: 1, Kind: provobs.EventOrchestrationStarted, Payload: make([]byte, 64)},
			{ID: 2, Kind: provobs.EventActivityScheduled, Payload: make([]byte, 64)},
		},
		WorkerItems: []provobs.WorkItem{{Kind: provobs.KindActivityExecute, InstanceID: inst, ExecutionID: 1, CorrelationID: 2, Payload: make([]byte, 64)}},
		Metadata:    provobs.InstanceMetadata{Name: "bench", Status: provobs.StatusRunning},
	}
}

// BenchmarkAck measures AckOrchestrationItem of pre-fetched turns.
func BenchmarkAck(b *testing.B) {
	for _, s := range []Synchronous{SynchronousFull, SynchronousNormal} {
		for _, callers := range []int{1, 16} {
			b.Run(fmt.Sprintf("sync=%s/callers=%d", lowerSync(s), callers), func(b *testing.B) {
				p := benchStore(b, s)
				seed(b, p, "i", b.N)
				tokens := lockAll(b, p, b.N)
				runCallers(b, callers, func(i int) {
					if err := p.AckOrchestrationItem(context.Background(), tokens[i], turnAck("i")); err != nil {
						b.Error(err)
					}
				})
			})
		}
	}
}

// BenchmarkFetchAckCycle measures a dispatcher's loop: fetch a turn, ack it.
func BenchmarkFetchAckCycle(b *testing.B) {
	for _, callers := range []int{1, 16} {
		b.Run(fmt.Sprintf("sync=full/callers=%d", callers), func(b *testing.B) {
			p := benchStore(b, SynchronousFull)
			seed(b, p, "i", b.N)
			runCallers(b, callers, func(int) {
				it, err := p.FetchOrchestrationItem(context.Background(), provobs.FetchOptions{})
				if err != nil || it == nil {
					b.Errorf("fetch: %v %v", it, err)
					return
				}
				if err := p.AckOrchestrationItem(context.Background(), it.LockToken, turnAck(it.InstanceID)); err != nil {
					b.Error(err)
				}
			})
		})
	}
}

// BenchmarkEnqueue measures EnqueueOrchestrator as callers grow: at
// synchronous=FULL a lone caller pays one fsync per enqueue, concurrent
// callers share it.
func BenchmarkEnqueue(b *testing.B) {
	for _, callers := range []int{1, 4, 16, 64} {
		b.Run(fmt.Sprintf("sync=full/callers=%d", callers), func(b *testing.B) {
			p := benchStore(b, SynchronousFull)
			payload := make([]byte, 64)
			runCallers(b, callers, func(i int) {
				it := provobs.WorkItem{Kind: provobs.KindExternalRaised, InstanceID: fmt.Sprintf("i-%d", i%1000), Payload: payload}
				if err := p.EnqueueOrchestrator(context.Background(), it, 0); err != nil {
					b.Error(err)
				}
			})
		})
	}
}

func lowerSync(s Synchronous) string {
	if s == SynchronousNormal {
		return "normal"
	}
	return "full"
}

// BenchmarkWriterFetch measures the writer's CPU for one fetch: fetches of
// a 1000-message queue, 100 per transaction, in memory, so no I/O, fsync
// or group-commit wait is in the figure.
func BenchmarkWriterFetch(b *testing.B) {
	p, err := Open(context.Background(), MemoryPath)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = p.Close() })
	b.StopTimer()
	for done := 0; done < b.N; {
		b.StopTimer()
		seed(b, p, fmt.Sprintf("r%d", done), 1000)
		b.StartTimer()
		for k := 0; k < 1000 && done < b.N; k += 100 {
			n := min(100, b.N-done)
			err := p.write(context.Background(), provobs.OpFetch, 0, func(t *wtx) error {
				for range n {
					if it, _, err := t.fetchOrch(time.Hour, false); err != nil || it == nil {
						return fmt.Errorf("fetch: %v %v", it, err)
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			done += n
		}
	}
}

// BenchmarkFetchCandidate measures the candidate search alone on a queue
// of 20 ready messages and 20 locked instances (a peer run's steady state).
func BenchmarkFetchCandidate(b *testing.B) {
	p := benchStore(b, SynchronousNormal)
	seed(b, p, "l", 20)
	lockAll(b, p, 20)
	seed(b, p, "r", 20)
	err := p.write(context.Background(), provobs.OpFetch, 0, func(t *wtx) error {
		now := t.nowNanos()
		b.ResetTimer()
		for range b.N {
			if inst, err := fetchCandidate(t, now); err != nil || inst == "" {
				return fmt.Errorf("candidate: %q %v", inst, err)
			}
		}
		b.StopTimer()
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}
