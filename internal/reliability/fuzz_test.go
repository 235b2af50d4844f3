package reliability_test

import (
	"bytes"
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/sqlite"
)

// FuzzRoundTrip fuzzes what the SQLite provider encodes and decodes: kinds
// (stored as integers and text), ids (signed 64-bit columns holding uint64
// values), instance and session ids (text, any bytes), event kinds, payloads
// (blobs, nil versus empty) and timestamps (Unix nanoseconds). The package
// has no exported row decoder, so the fuzzer goes through the public API:
// an item is enqueued, fetched, acked with an event and a worker item built
// from the same inputs, read back from history and dequeued. Every call must
// either fail with TypeInvalidArgument (for input the contract forbids) or
// round-trip its input exactly, byte for byte.
//
// Seeds live in testdata/fuzz/FuzzRoundTrip and run with every go test;
// explore with
//
//	go test ./internal/reliability/ -run '^$' -fuzz FuzzRoundTrip -fuzztime 30s
//
// FireAt is fuzzed as Unix nanoseconds (0 meaning no FireAt), the range the
// store can hold; TestSQLiteTimerFireAtOutsideNanosecondRange and
// TestSQLiteFireAtUnixEpochRoundTrips pin what lies outside it.
func FuzzRoundTrip(f *testing.F) {
	f.Add("order-1", uint8(provobs.KindStartOrchestration), uint64(1), uint64(2), "", []byte("payload"), "OrchestrationStarted", uint64(1), int64(0))
	// One store per fuzzing process, emptied before each input through a
	// raw connection: opening a store (and running its migration) per input
	// would cost most of the fuzzer's time.
	path := filepath.Join(f.TempDir(), "fuzz.db")
	p, err := sqlite.Open(context.Background(), path, sqlite.WithSynchronous(sqlite.SynchronousNormal))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = p.Close() })
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = raw.Close() })
	tables := []string{"instances", "executions", "history", "instance_locks", "orchestrator_queue", "worker_queue", "sessions"}

	f.Fuzz(func(t *testing.T, id string, kind uint8, exec, corr uint64, session string, payload []byte, eventKind string, eventID uint64, fireNanos int64) {
		ctx := context.Background()
		for _, table := range tables {
			if _, err := raw.Exec("DELETE FROM " + table); err != nil {
				t.Fatal(err)
			}
		}
		var fireAt time.Time
		if fireNanos != 0 {
			fireAt = time.Unix(0, fireNanos)
		}
		item := provobs.WorkItem{
			Kind: provobs.WorkItemKind(kind), InstanceID: id, ExecutionID: exec, CorrelationID: corr,
			FireAt: fireAt, Payload: payload,
		}

		// The orchestrator queue.
		err = p.EnqueueOrchestrator(ctx, item, 0)
		if id == "" || !item.Kind.Valid() || item.Kind == provobs.KindActivityExecute {
			wantInvalid(t, err, "enqueue %+v", item)
			wantEmpty(t, p)
			return
		}
		if err != nil {
			t.Fatalf("enqueue %+v: %v", item, err)
		}
		it, err := p.FetchOrchestrationItem(ctx, provobs.FetchOptions{LockTimeout: time.Hour})
		if err != nil || it == nil {
			t.Fatalf("fetch after enqueue of %q: %v, %v", id, it, err)
		}
		if it.InstanceID != id || len(it.Messages) != 1 {
			t.Fatalf("fetched instance %q with %d messages, want %q with 1", it.InstanceID, len(it.Messages), id)
		}
		sameItem(t, "orchestrator message", it.Messages[0], item)

		// An ack appends an event and enqueues a worker item made of the
		// same inputs.
		worker := provobs.WorkItem{
			Kind: provobs.KindActivityExecute, InstanceID: id, ExecutionID: exec, CorrelationID: corr,
			SessionID: session, FireAt: fireAt, Payload: payload,
		}
		event := provobs.Event{ID: eventID, Kind: provobs.EventKind(eventKind), Payload: payload}
		err = p.AckOrchestrationItem(ctx, it.LockToken, provobs.OrchestrationAck{
			ExecutionID:  1,
			HistoryDelta: []provobs.Event{event},
			WorkerItems:  []provobs.WorkItem{worker},
			Metadata:     provobs.InstanceMetadata{Name: eventKind, Status: provobs.StatusRunning, Output: payload},
		})
		if eventID > 1<<63-1 {
			wantInvalid(t, err, "ack with event id %d", eventID)
			if h, err := p.ReadHistory(ctx, id, 0); err != nil || len(h) != 0 {
				t.Fatalf("a refused ack wrote history: %v, %v", h, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("ack: %v", err)
		}
		h, err := p.ReadHistory(ctx, id, 1)
		if err != nil || len(h) != 1 {
			t.Fatalf("history of %q: %v, %v", id, h, err)
		}
		if h[0].ID != event.ID || h[0].Kind != event.Kind || !samePayload(h[0].Payload, event.Payload) {
			t.Fatalf("event %+v read back as %+v", event, h[0])
		}
		info, err := p.InstanceInfo(ctx, id)
		if err != nil || info == nil {
			t.Fatalf("instance %q: %v, %v", id, info, err)
		}
		if info.InstanceID != id || info.Name != eventKind || !samePayload(info.Output, payload) {
			t.Fatalf("instance info %+v", info)
		}
		list, err := p.ListInstances(ctx, provobs.ListOptions{})
		if err != nil || len(list) != 1 || list[0].InstanceID != id {
			t.Fatalf("list: %v, %v", list, err)
		}

		// The worker queue.
		var sess *provobs.SessionConfig
		if session != "" {
			sess = &provobs.SessionConfig{OwnerID: "fuzz"}
		}
		w, err := p.DequeueWorker(ctx, provobs.FetchOptions{LockTimeout: time.Hour}, sess)
		if err != nil || w == nil {
			t.Fatalf("dequeue: %v, %v", w, err)
		}
		sameItem(t, "worker item", w.Item, worker)
		if err := p.AckWorker(ctx, w.LockToken, nil); err != nil {
			t.Fatalf("ack worker: %v", err)
		}
		wantEmpty(t, p)
	})
}

func wantInvalid(t *testing.T, err error, format string, args ...any) {
	t.Helper()
	if provobs.TypeOf(err) != provobs.TypeInvalidArgument {
		t.Fatalf(format+": got %v, want invalid_argument", append(args, err)...)
	}
}

func wantEmpty(t *testing.T, p *sqlite.Provider) {
	t.Helper()
	d, err := p.QueueDepths(context.Background())
	if err != nil || d != (provobs.QueueDepths{}) {
		t.Fatalf("queues not empty: %+v, %v", d, err)
	}
}

// samePayload compares payloads as the contract does: byte for byte, an
// empty payload (nil or zero bytes) reading back empty.
func samePayload(got, want []byte) bool {
	return bytes.Equal(got, want)
}

func sameItem(t *testing.T, what string, got, want provobs.WorkItem) {
	t.Helper()
	if got.Kind != want.Kind || got.InstanceID != want.InstanceID || got.ExecutionID != want.ExecutionID ||
		got.CorrelationID != want.CorrelationID || got.SessionID != want.SessionID ||
		!got.FireAt.Equal(want.FireAt) || !samePayload(got.Payload, want.Payload) {
		t.Fatalf("%s %+v read back as %+v", what, want, got)
	}
}
