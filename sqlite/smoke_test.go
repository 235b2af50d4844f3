package sqlite

import (
	"context"
	"testing"

	"github.com/provobs/provobs"
	"github.com/stretchr/testify/require"
)

func TestSmoke(t *testing.T) {
	stores(t, func(t *testing.T, open func(...Option) *Provider) {
		p := open()
		ctx := context.Background()
		require.NoError(t, p.EnqueueOrchestrator(ctx, start("a"), 0))
		it := mustFetch(t, p)
		require.Equal(t, "a", it.InstanceID)
		require.Equal(t, 1, it.AttemptCount)
		require.NoError(t, p.AckOrchestrationItem(ctx, it.LockToken, provobs.OrchestrationAck{
			ExecutionID:  1,
			HistoryDelta: []provobs.Event{ev(1, provobs.EventOrchestrationStarted)},
			Metadata:     provobs.InstanceMetadata{Name: "wf", Status: provobs.StatusRunning},
		}))
		h, err := p.ReadHistory(ctx, "a", 0)
		require.NoError(t, err)
		require.Len(t, h, 1)
		d, err := p.QueueDepths(ctx)
		require.NoError(t, err)
		require.Equal(t, provobs.QueueDepths{}, d)
	})
}
