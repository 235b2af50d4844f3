package providertest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/obstest"
)

// The suite names every operation no case called: all but the one left out,
// and the Admin operations only when the provider is an Admin.
func TestCoverageNamesUncalledOperations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		name     string
		provider provobs.Provider
		skip     provobs.Op
		want     []provobs.Op
	}{
		{"admin provider, renew_worker never called", &obstest.Stub{}, provobs.OpRenewWorker, []provobs.Op{provobs.OpRenewWorker}},
		{"admin provider, instance_info never called", &obstest.Stub{}, provobs.OpInstanceInfo, []provobs.Op{provobs.OpInstanceInfo}},
		{"plain provider, read_history never called", obstest.ProviderOnly(&obstest.Stub{}), provobs.OpReadHistory, []provobs.Op{provobs.OpReadHistory}},
		{"every operation called", &obstest.Stub{}, 0, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var c coverage
			p := c.wrap(tc.provider)
			assert.True(t, tc.provider == c.unwrap(p), "unwrap undoes wrap")
			calls := map[provobs.Op]func() error{
				provobs.OpFetch:                   func() error { _, err := p.FetchOrchestrationItem(ctx, provobs.FetchOptions{}); return err },
				provobs.OpAckOrch:                 func() error { return p.AckOrchestrationItem(ctx, "t", provobs.OrchestrationAck{}) },
				provobs.OpAbandonOrch:             func() error { return p.AbandonOrchestrationItem(ctx, "t", provobs.AbandonOptions{}) },
				provobs.OpRenewOrch:               func() error { return p.RenewOrchestrationItemLock(ctx, "t", time.Second) },
				provobs.OpEnqueue:                 func() error { return p.EnqueueOrchestrator(ctx, provobs.WorkItem{}, 0) },
				provobs.OpEnqueueWorker:           func() error { return p.EnqueueWorker(ctx, provobs.WorkItem{}) },
				provobs.OpDequeue:                 func() error { _, err := p.DequeueWorker(ctx, provobs.FetchOptions{}, nil); return err },
				provobs.OpAckWorker:               func() error { return p.AckWorker(ctx, "t", nil) },
				provobs.OpAbandonWorker:           func() error { return p.AbandonWorker(ctx, "t", provobs.AbandonOptions{}) },
				provobs.OpRenewWorker:             func() error { return p.RenewWorkerLock(ctx, "t", time.Second) },
				provobs.OpRenewSessionLock:        func() error { _, err := p.RenewSessionLock(ctx, nil, time.Second, time.Second); return err },
				provobs.OpCleanupOrphanedSessions: func() error { _, err := p.CleanupOrphanedSessions(ctx, time.Second); return err },
				provobs.OpReadHistory:             func() error { _, err := p.ReadHistory(ctx, "i", 0); return err },
			}
			if a, ok := p.(provobs.Admin); ok {
				calls[provobs.OpQueueDepths] = func() error { _, err := a.QueueDepths(ctx); return err }
				calls[provobs.OpListInstances] = func() error { _, err := a.ListInstances(ctx, provobs.ListOptions{}); return err }
				calls[provobs.OpInstanceInfo] = func() error { _, err := a.InstanceInfo(ctx, "i"); return err }
			}
			for op, call := range calls {
				if op != tc.skip {
					require.NoError(t, call(), "%s", op)
				}
			}
			assert.Equal(t, tc.want, c.missing())
		})
	}
}
