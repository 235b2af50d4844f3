package bench

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/provobs/provobs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSeed(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "seed.db")
	require.NoError(t, Seed(ctx, path, 300, 16))
	p, err := OpenProvobs(ctx, path)
	require.NoError(t, err)
	defer func() { _ = p.Close() }()
	d, err := p.QueueDepths(ctx)
	require.NoError(t, err)
	assert.Equal(t, provobs.QueueDepths{}, d)
	list, err := p.ListInstances(ctx, provobs.ListOptions{Status: provobs.StatusCompleted, Limit: 1000})
	require.NoError(t, err)
	assert.Len(t, list, 300)
	h, err := p.ReadHistory(ctx, "seed-7", 0)
	require.NoError(t, err)
	assert.Len(t, h, 4)
}
