package sqlite

import (
	"testing"
	"time"

	"github.com/provobs/provobs"
	"github.com/stretchr/testify/require"
)

// TestBatchAttemptIsMaxNotFirst: a batch reports the highest attempt count
// of its messages, not the count of the first one. The first message (by
// enqueue order) is delayed while the second is fetched and abandoned three
// times; when both are fetched together, the batch is on its fourth attempt
// although its first message is on its first.
func TestBatchAttemptIsMaxNotFirst(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, open func(opts ...Option) *Provider) {
		clk := newFakeClock()
		p := open(WithClock(clk.Now))
		late := provobs.WorkItem{Kind: provobs.KindExternalRaised, InstanceID: "a", Payload: []byte("late")}
		require.NoError(t, p.EnqueueOrchestrator(bgctx, late, time.Minute))
		require.NoError(t, p.EnqueueOrchestrator(bgctx, start("a"), 0))
		for i := 1; i <= 3; i++ {
			it := mustFetch(t, p)
			require.Len(t, it.Messages, 1)
			require.Equal(t, i, it.AttemptCount)
			require.NoError(t, p.AbandonOrchestrationItem(bgctx, it.LockToken, provobs.AbandonOptions{}))
		}
		clk.Advance(2 * time.Minute)
		it := mustFetch(t, p)
		require.Len(t, it.Messages, 2)
		require.Equal(t, late.Payload, it.Messages[0].Payload, "the delayed message comes first, in enqueue order")
		require.Equal(t, 4, it.AttemptCount, "the batch's attempt count is its messages' highest")
	})
}
