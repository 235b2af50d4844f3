//go:build race

package provobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provobs/provobs"
)

// A Call kept past its operation never shows another call's data, even
// while a later call of the same op runs through the same chain. Pooled
// Calls (builds without -race) are reused, so this holds under the race
// detector only: a middleware's tests run with -race find an interceptor
// that keeps its Call.
func TestKeptCallNeverShowsAnotherCall(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var kept *provobs.Call
	var seenDuring []string
	p := provobs.Chain(newStub(), provobs.Observe(func(_ context.Context, c *provobs.Call, _ error, _ time.Duration) {
		if kept != nil {
			seenDuring = append(seenDuring, kept.Instance())
		}
		kept = c
	}))
	for _, id := range []string{"a", "b", "c"} {
		require.NoError(t, p.EnqueueWorker(ctx, provobs.WorkItem{Kind: provobs.KindActivityExecute, InstanceID: id}))
	}
	assert.Equal(t, []string{"", ""}, seenDuring, "a kept Call read during the next call of its op")
}
