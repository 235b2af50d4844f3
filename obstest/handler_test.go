package obstest_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"testing/slogtest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provobs/provobs/obstest"
)

func TestHandlerSlogtest(t *testing.T) {
	t.Parallel()
	var h *obstest.Handler
	slogtest.Run(t, func(*testing.T) slog.Handler {
		h = obstest.NewHandler(nil)
		return h
	}, func(t *testing.T) map[string]any {
		recs := h.Records()
		require.Len(t, recs, 1)
		return toMap(recs[0])
	})
}

// toMap nests a record's dotted keys back into the map shape slogtest reads.
func toMap(r obstest.Record) map[string]any {
	m := map[string]any{slog.LevelKey: r.Level, slog.MessageKey: r.Message}
	if !r.Time.IsZero() {
		m[slog.TimeKey] = r.Time
	}
	for _, a := range r.Attrs {
		cur := m
		parts := strings.Split(a.Key, ".")
		for _, g := range parts[:len(parts)-1] {
			sub, ok := cur[g].(map[string]any)
			if !ok {
				sub = map[string]any{}
				cur[g] = sub
			}
			cur = sub
		}
		cur[parts[len(parts)-1]] = a.Value.Any()
	}
	return m
}

type lazy struct{ v string }

func (l lazy) LogValue() slog.Value { return slog.StringValue(l.v) }

func TestHandlerLookups(t *testing.T) {
	t.Parallel()
	h := obstest.NewHandler(&obstest.HandlerOptions{Level: slog.LevelInfo})
	l := slog.New(h).With("svc", "a").WithGroup("g")
	l.Debug("dropped")
	l.Info("one", "k", 1, slog.Group("sub", "x", lazy{"resolved"}))
	l.Warn("two", "k", 2)
	slog.New(h).Error("three", "err", assert.AnError)

	require.Equal(t, 3, h.Len())
	one := h.ByMessage("one")
	require.Len(t, one, 1)
	v, ok := one[0].Attr("g.sub.x")
	require.True(t, ok)
	assert.Equal(t, "resolved", v.String())
	v, ok = one[0].Attr("svc")
	require.True(t, ok)
	assert.Equal(t, "a", v.String())
	_, ok = one[0].Attr("k")
	assert.False(t, ok, "grouped key must carry its prefix")

	assert.Len(t, h.ByLevel(slog.LevelWarn), 1)
	assert.Len(t, h.WithAttr("g.k", 2), 1)
	assert.Len(t, h.WithAttr("g.k", int64(1)), 1)
	assert.Len(t, h.WithAttr("err", assert.AnError), 1)
	assert.Len(t, h.WithAttr("svc", "a"), 2)
	assert.Len(t, h.Find(func(r obstest.Record) bool { return r.Level >= slog.LevelWarn }), 2)

	h.Reset()
	assert.Zero(t, h.Len())
}

func TestHandlerConcurrent(t *testing.T) {
	t.Parallel()
	h := obstest.NewHandler(nil)
	l := slog.New(h)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 50 {
				l.With("w", i).Info("m", "j", j)
				_ = h.Records()
			}
		})
	}
	wg.Wait()
	assert.Equal(t, 400, h.Len())
	_ = h.Handle(context.Background(), slog.NewRecord(time.Time{}, slog.LevelInfo, "zero", 0))
	assert.True(t, h.ByMessage("zero")[0].Time.IsZero())
}
