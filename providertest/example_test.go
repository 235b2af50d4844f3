package providertest_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/providertest"
	"github.com/provobs/provobs/sqlite"
)

// A provider author runs the suite from a test in the provider's package.
// The factory returns a fresh, empty provider per case and registers its
// cleanup; options tune timing and skip what the provider knowingly lacks.
// A store whose data outlives it would also pass WithStorage, so the cases
// that close and reopen it run.
func ExampleRun() {
	open := func() (*sqlite.Provider, error) {
		return sqlite.Open(context.Background(), sqlite.MemoryPath)
	}
	conformance := func(t *testing.T) {
		providertest.Run(t, func(t *testing.T) provobs.Provider {
			p, err := open()
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = p.Close() })
			return p
		},
			// A provider storing whole seconds would need a longer lock.
			providertest.WithLockTimeout(300*time.Millisecond),
			// A provider without long polling would skip those cases.
			providertest.Skip("polling/enqueue_wakes_long_polling_fetch"),
		)
	}
	_ = conformance // in a real test file: func TestConformance(t *testing.T) { ... }

	// What the factory must give every case: a fresh provider, with no work.
	p, err := open()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer p.Close()
	it, err := p.FetchOrchestrationItem(context.Background(), provobs.FetchOptions{})
	fmt.Println("fresh provider has work:", it != nil, "error:", err)
	// Output: fresh provider has work: false error: <nil>
}
