package sqlite

import (
	"context"
	"errors"
	"testing"

	"github.com/provobs/provobs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRequestKindsRefuseWrites: a lock-only request (which may commit
// without an fsync) cannot run a statement that writes durable state, and a
// read request cannot write at all; the refusal fails the request and
// changes nothing. So a real write added to a fetch, dequeue or renew fails
// every test that runs it until opSpecs says the operation mutates.
func TestRequestKindsRefuseWrites(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, open func(opts ...Option) *Provider) {
		p := open()
		ctx := context.Background()
		insert := func(t *wtx) error { return t.insertOrch(start("x"), t.nowNanos()) }
		for _, op := range []provobs.Op{provobs.OpFetch, provobs.OpDequeue, provobs.OpRenewOrch, provobs.OpRenewWorker,
			provobs.OpRenewSessionLock, provobs.OpReadHistory, provobs.OpQueueDepths, provobs.OpListInstances, provobs.OpInstanceInfo} {
			err := p.submit(ctx, op, insert, nil)
			require.Error(t, err, "%v ran an insert", op)
			assert.True(t, errors.Is(err, errWriteInLockRequest), "%v: %v", op, err)
		}
		// A lock request may not run a lock statement's neighbour either:
		// the history append of an ack.
		err := p.submit(ctx, provobs.OpFetch, func(t *wtx) error {
			return t.appendHistory("x", 1, []provobs.Event{ev(1, provobs.EventOrchestrationStarted)})
		}, nil)
		assert.ErrorIs(t, err, errWriteInLockRequest)
		// Reads stay allowed, and a mutating op may write.
		require.NoError(t, p.submit(ctx, provobs.OpFetch, func(t *wtx) error {
			_, err := fetchCandidate(t, t.nowNanos())
			return err
		}, nil))
		require.NoError(t, p.submit(ctx, provobs.OpEnqueue, insert, nil))
		d, err := p.QueueDepths(ctx)
		require.NoError(t, err)
		assert.EqualValues(t, 1, d.Orchestrator, "only the mutating request's insert is stored")
	})
}

// TestOpSpecsCoverProviderOps: every operation of Provider and Admin has an
// entry, and only the operations that change durable state mutate.
func TestOpSpecsCoverProviderOps(t *testing.T) {
	t.Parallel()
	mutate := map[provobs.Op]bool{
		provobs.OpAckOrch: true, provobs.OpAckWorker: true, provobs.OpAbandonOrch: true, provobs.OpAbandonWorker: true,
		provobs.OpEnqueue: true, provobs.OpEnqueueWorker: true, provobs.OpCleanupOrphanedSessions: true,
	}
	for op := provobs.OpFetch; op <= provobs.OpInstanceInfo; op++ {
		assert.Equal(t, mutate[op], opSpecs[op].kind == kindMutate, "%v", op)
		if opSpecs[op].kind == kindMutate {
			assert.NotZero(t, opSpecs[op].wakes, "%v mutates but wakes no poller", op)
		}
	}
}
