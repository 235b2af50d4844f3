package obstest_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/obstest"
	"github.com/provobs/provobs/sqlite"
)

// TestExercise runs Exercise on the SQLite provider and checks that it
// called every operation, and fetch and dequeue twice.
func TestExercise(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, err := sqlite.Open(ctx, ":memory:")
	require.NoError(t, err)
	t.Cleanup(func() { _ = store.Close() })

	var calls obstest.Calls
	require.NoError(t, obstest.Exercise(ctx, provobs.Chain(store, calls.Middleware())))
	for _, op := range provobs.MethodOps() {
		want := 1
		if op == provobs.OpFetch || op == provobs.OpDequeue {
			want = 2
		}
		assert.Equal(t, want, calls.Count(op), op.String())
	}
	assert.Zero(t, calls.Count(0))
}
