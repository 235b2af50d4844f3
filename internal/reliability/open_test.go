package reliability_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/sqlite"
)

// Bad files on Open. sqlite's own tests cover a text file and a newer schema
// (its version is left as it was); here every kind of damage must fail with
// ErrNotDatabase and leave the file and its directory byte for byte as they
// were, and a newer schema must leave every row and every file untouched.

// realStore writes a store with some data, closed, and returns its bytes.
func realStore(t *testing.T) []byte {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "real.db")
	p, err := sqlite.Open(ctx, path)
	require.NoError(t, err)
	for i := range 100 {
		require.NoError(t, p.EnqueueOrchestrator(ctx, provobs.WorkItem{
			Kind: provobs.KindStartOrchestration, InstanceID: string(rune('a'+i%26)) + string(rune('a'+i/26)),
			Payload: bytes.Repeat([]byte{byte(i)}, 500),
		}, 0))
	}
	require.NoError(t, p.Close())
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Greater(t, len(b), 8192)
	return b
}

func TestOpenDamagedFiles(t *testing.T) {
	t.Parallel()
	good := realStore(t)
	rng := rand.New(rand.NewPCG(1, 2))
	random := make([]byte, 16384)
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	damagedMagic := bytes.Clone(good)
	copy(damagedMagic, "SQLite format 4\x00")
	badPageSize := bytes.Clone(good)
	badPageSize[16], badPageSize[17] = 0x01, 0x23 // not a power of two
	cases := map[string][]byte{
		"random_bytes":     random,
		"zeros":            make([]byte, 8192),
		"truncated_store":  good[:1024],
		"damaged_magic":    damagedMagic,
		"invalid_pagesize": badPageSize,
		"text":             bytes.Repeat([]byte("id,name\n1,x\n"), 400),
	}
	for name, content := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "damaged.db")
			require.NoError(t, os.WriteFile(path, content, 0o600))
			before := fileHash(t, path)
			p, err := sqlite.Open(context.Background(), path)
			if p != nil {
				_ = p.Close()
			}
			require.Error(t, err)
			assert.True(t, errors.Is(err, sqlite.ErrNotDatabase), "want ErrNotDatabase, got %v", err)
			assert.Equal(t, before, fileHash(t, path), "a refused file is left as it was, and nothing is created beside it")
		})
	}
}

// A database written by a newer schema is refused with a
// *SchemaVersionError and nothing in it changes: not a row, not a byte.
func TestOpenNewerSchemaChangesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "newer.db")
	require.NoError(t, os.WriteFile(path, realStore(t), 0o600))
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	for _, stmt := range []string{
		"INSERT INTO schema_version (version, applied_at) VALUES (" + strconv.Itoa(sqlite.SchemaVersion+1) + ", 0)",
		"CREATE TABLE from_the_future (x BLOB)",
		"INSERT INTO from_the_future VALUES (x'00ff')",
	} {
		_, err := db.Exec(stmt)
		require.NoError(t, err, stmt)
	}
	require.NoError(t, db.Close())
	rowsBefore := dump(t, rawDB(t, path))
	filesBefore := fileHash(t, path)

	_, err = sqlite.Open(ctx, path)
	var sv *sqlite.SchemaVersionError
	require.ErrorAs(t, err, &sv)
	assert.Equal(t, sqlite.SchemaVersion+1, sv.Version)
	assert.Equal(t, filesBefore, fileHash(t, path))
	assert.Equal(t, rowsBefore, dump(t, rawDB(t, path)))
}
