package provobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provobs/provobs"
)

// keeper is an observer that wrongly keeps every Call it is given.
type keeper struct{ kept []*provobs.Call }

func (k *keeper) observe(_ context.Context, c *provobs.Call, _ error, _ time.Duration) {
	k.kept = append(k.kept, c)
}

// A Call kept past its operation reads as the zero Call and cannot run
// anything, through a wrapped Provider and through Stack.Run.
func TestKeptCallIsCleared(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var k keeper
	stub := newStub()
	p := provobs.Chain(stub, provobs.Observe(k.observe))
	item, err := p.FetchOrchestrationItem(ctx, provobs.FetchOptions{})
	require.NoError(t, err)
	require.Equal(t, "fetched", item.InstanceID, "the caller's result is read before the Call is cleared")
	require.NoError(t, provobs.NewStack(provobs.Observer(k.observe)).Run(ctx, provobs.OpReadHistory, "M", "stack-instance", func(_ context.Context, c *provobs.Call) error {
		c.SetSize(3)
		return nil
	}))
	require.Len(t, k.kept, 2)
	for _, c := range k.kept {
		assert.Equal(t, provobs.Op(0), c.Op())
		assert.Empty(t, c.Method())
		assert.Empty(t, c.Instance())
		assert.Zero(t, c.Size())
		err := c.Invoke(ctx)
		assert.Equal(t, provobs.TypeInvalidArgument, provobs.TypeOf(err), "Invoke on a kept Call: %v", err)
	}
	assert.Equal(t, 1, stub.Runs(provobs.OpFetch), "a kept Call runs nothing")
}
