package sqlite

import (
	"context"
	"database/sql"
	"flag"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var updateSchema = flag.Bool("update-schema", false, "rewrite sqlite/schema.sql from the migrated schema")

// schemaOf returns the schema of db as normalized CREATE statements, one
// per table and index, sorted by name: comments dropped, whitespace
// collapsed, quotes around names removed.
func schemaOf(t *testing.T, db *sql.DB) []string {
	t.Helper()
	rows, err := db.Query(`SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY type DESC, name`)
	require.NoError(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		require.NoError(t, rows.Scan(&s))
		out = append(out, normalizeSQL(s))
	}
	require.NoError(t, rows.Err())
	return out
}

var (
	sqlComment = regexp.MustCompile(`--[^\n]*`)
	sqlSpace   = regexp.MustCompile(`\s+`)
	sqlParen   = regexp.MustCompile(`\s*([(),])\s*`)
)

func normalizeSQL(s string) string {
	s = sqlComment.ReplaceAllString(s, "")
	s = strings.ReplaceAll(s, `"`, "")
	s = sqlSpace.ReplaceAllString(strings.TrimSpace(s), " ")
	s = sqlParen.ReplaceAllString(s, "$1")
	return strings.TrimSuffix(s, ";")
}

// TestSchemaSnapshot: schema.sql, the current tables in one file, is what
// the migrations build. A migration that changes the schema must come with
// the new snapshot (go test ./sqlite/ -run TestSchemaSnapshot -update-schema
// writes it, without comments; keep them by hand).
func TestSchemaSnapshot(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := t.TempDir() + "/migrated.db"
	p, err := Open(ctx, path)
	require.NoError(t, err)
	require.NoError(t, p.Close())
	migrated, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	defer migrated.Close()
	want := schemaOf(t, migrated)

	if *updateSchema {
		var b strings.Builder
		b.WriteString("-- provobs SQLite schema, version 2: the tables the migrations build.\n-- TestSchemaSnapshot checks that the migrated schema equals this file.\n\n")
		for _, s := range want {
			b.WriteString(s + ";\n\n")
		}
		require.NoError(t, os.WriteFile("schema.sql", []byte(b.String()), 0o644))
		return
	}

	snap, err := os.ReadFile("schema.sql")
	require.NoError(t, err)
	fresh, err := sql.Open("sqlite", t.TempDir()+"/snapshot.db")
	require.NoError(t, err)
	defer fresh.Close()
	_, err = fresh.ExecContext(ctx, string(snap))
	require.NoError(t, err, "schema.sql does not run")
	require.Equal(t, want, schemaOf(t, fresh), "schema.sql differs from the migrated schema; see the test's doc")
}
