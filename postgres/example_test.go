package postgres_test

import (
	"context"
	"log"
	"time"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/postgres"
)

// Open a store on a named schema, enqueue a start and fetch it with a long
// poll. Every process that opens the same DSN and schema shares the queues.
func ExampleOpen() {
	ctx := context.Background()
	store, err := postgres.Open(ctx, "postgres://root@127.0.0.1:5432/test?sslmode=disable",
		postgres.WithSchema("provobs_example"))
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	err = store.EnqueueOrchestrator(ctx, provobs.WorkItem{Kind: provobs.KindStartOrchestration, InstanceID: "order-1"}, 0)
	if err != nil {
		log.Fatal(err)
	}
	item, err := store.FetchOrchestrationItem(ctx, provobs.FetchOptions{PollTimeout: 5 * time.Second})
	if err != nil || item == nil {
		log.Fatal(item, err)
	}
	log.Println(item.InstanceID, len(item.Messages))
}
