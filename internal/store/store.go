// Package store holds what the SQL providers (sqlite, postgres) share
// beyond the contract's rules, which live in the root package: how they
// store instants and payloads, and how they read their embedded
// migrations.
package store

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Instants are stored as Unix nanoseconds, which hold the years 1678 to
// 2262 (provobs.ValidateOrchestratorItem refuses others). A zero time.Time
// is stored as NULL (NullNanos) and read back as the zero time, so every
// representable instant, the Unix epoch included, round-trips exactly.

// NullNanos stores an optional instant: nil (NULL) for the zero time.
func NullNanos(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	n := t.UnixNano()
	return &n
}

// FromNullNanos reads what NullNanos stored.
func FromNullNanos(n *int64) time.Time {
	if n == nil {
		return time.Time{}
	}
	return time.Unix(0, *n)
}

// FromNanos reads a stored instant in which 0 stands for "none".
func FromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}

// PayloadOut returns a stored payload as the contract wants it back: nil
// for NULL, empty (not nil) for an empty value, so a payload round-trips
// exactly whatever the driver hands back for an empty blob.
func PayloadOut(b []byte, null bool) []byte {
	if null {
		return nil
	}
	if b == nil {
		return []byte{}
	}
	return b
}

// BoolInt is 1 for true and 0 for false, for SQL that counts with it.
func BoolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// Migration is one embedded schema step: version N is the file
// NNNN_<name>.sql.
type Migration struct {
	// Version is the schema version the step brings the store to.
	Version int
	// Name is the file name without ".sql".
	Name string
	// SQL is the file's content.
	SQL string
}

// Migrations reads the migrations in dir of fsys, in version order. The
// files must be named NNNN_<name>.sql and numbered 1..n without gaps.
func Migrations(fsys fs.FS, dir string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, e := range entries {
		name := e.Name()
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 || path.Ext(name) != ".sql" {
			return nil, fmt.Errorf("migrations: bad file name %q", name)
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: strings.TrimSuffix(name, ".sql"), SQL: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i, m := range out {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migrations: not numbered 1..n: %q", m.Name)
		}
	}
	return out, nil
}
