package obstest_test

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/obstest"
	"github.com/provobs/provobs/slogprov"
	"github.com/provobs/provobs/sqlite"
)

// Check that every operation of a provider is logged once per call.
func ExampleExercise() {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, ":memory:")
	if err != nil {
		panic(err)
	}
	defer store.Close()

	h := obstest.NewHandler(nil)
	var calls obstest.Calls
	p := provobs.Chain(store, calls.Middleware(), slogprov.Middleware(slog.New(h)))
	if err := obstest.Exercise(ctx, p); err != nil {
		panic(err)
	}
	for _, op := range provobs.MethodOps() {
		if n := len(h.WithAttr(provobs.KeyOperation, op.String())); n != calls.Count(op) {
			fmt.Println(op, "calls:", calls.Count(op), "records:", n)
		}
	}
	fmt.Println("records:", h.Len())
	// Output:
	// records: 18
}
