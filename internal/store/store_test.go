package store_test

import (
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provobs/provobs/internal/store"
)

func TestMigrations(t *testing.T) {
	t.Parallel()
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	cases := []struct {
		name  string
		files fstest.MapFS
		want  []store.Migration
		fails bool
	}{
		{"in version order", fstest.MapFS{"m/0002_b.sql": file("B"), "m/0001_a.sql": file("A")},
			[]store.Migration{{Version: 1, Name: "0001_a", SQL: "A"}, {Version: 2, Name: "0002_b", SQL: "B"}}, false},
		{"a gap", fstest.MapFS{"m/0001_a.sql": file("A"), "m/0003_c.sql": file("C")}, nil, true},
		{"no version", fstest.MapFS{"m/init.sql": file("A")}, nil, true},
		{"version zero", fstest.MapFS{"m/0000_a.sql": file("A")}, nil, true},
		{"not sql", fstest.MapFS{"m/0001_a.txt": file("A")}, nil, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := store.Migrations(tc.files, "m")
			if tc.fails {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestInstantsRoundTrip(t *testing.T) {
	t.Parallel()
	for _, at := range []time.Time{{}, time.Unix(0, 0), time.Unix(1, 5), time.Date(2262, 1, 1, 0, 0, 0, 0, time.UTC)} {
		assert.True(t, at.Equal(store.FromNullNanos(store.NullNanos(at))), "%v", at)
	}
	assert.Nil(t, store.NullNanos(time.Time{}))
	assert.True(t, store.FromNanos(0).IsZero())
	assert.True(t, time.Unix(0, 7).Equal(store.FromNanos(7)))
}

func TestPayloadOut(t *testing.T) {
	t.Parallel()
	assert.Nil(t, store.PayloadOut([]byte("x"), true), "NULL")
	assert.Equal(t, []byte{}, store.PayloadOut(nil, false), "empty, not nil")
	assert.Equal(t, []byte("x"), store.PayloadOut([]byte("x"), false))
	assert.Equal(t, int64(1), store.BoolInt(true))
	assert.Equal(t, int64(0), store.BoolInt(false))
}
