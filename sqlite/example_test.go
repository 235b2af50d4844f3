package sqlite_test

import (
	"context"
	"fmt"
	"log"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/sqlite"
)

// Open a store, enqueue a start, fetch the turn, ack it, and read the
// history back.
func Example() {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, sqlite.MemoryPath) // or a file path
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	err = store.EnqueueOrchestrator(ctx, provobs.WorkItem{
		Kind:       provobs.KindStartOrchestration,
		InstanceID: "order-42",
		Payload:    []byte(`{"sku":"A1"}`),
	}, 0)
	if err != nil {
		log.Fatal(err)
	}

	item, err := store.FetchOrchestrationItem(ctx, provobs.FetchOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("fetched", item.InstanceID, "messages:", len(item.Messages), "attempt:", item.AttemptCount)

	err = store.AckOrchestrationItem(ctx, item.LockToken, provobs.OrchestrationAck{
		ExecutionID: 1,
		HistoryDelta: []provobs.Event{
			{ID: 1, Kind: provobs.EventOrchestrationStarted},
			{ID: 2, Kind: provobs.EventOrchestrationCompleted},
		},
		Metadata: provobs.InstanceMetadata{Name: "checkout", Status: provobs.StatusCompleted, Output: []byte("ok")},
	})
	if err != nil {
		log.Fatal(err)
	}

	history, err := store.ReadHistory(ctx, "order-42", 0)
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range history {
		fmt.Println(e.ID, e.Kind)
	}
	// Output:
	// fetched order-42 messages: 1 attempt: 1
	// 1 OrchestrationStarted
	// 2 OrchestrationCompleted
}
