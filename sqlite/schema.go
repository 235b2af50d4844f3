package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/provobs/provobs"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migration is one embedded schema step; version N is migrations/NNNN_*.sql.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the embedded migrations in version order.
func migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		name := e.Name()
		num, _, ok := strings.Cut(name, "_")
		if !ok || path.Ext(name) != ".sql" {
			return nil, fmt.Errorf("sqlite: bad migration file name %q", name)
		}
		v, err := strconv.Atoi(num)
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("sqlite: bad migration version in %q", name)
		}
		b, err := migrationFS.ReadFile("migrations/" + name)
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: name, sql: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("sqlite: migrations are not numbered 1..n: %q", m.name)
		}
	}
	return out, nil
}

// SchemaVersion is the schema version this code writes and reads: the
// number of embedded migrations.
const SchemaVersion = 2

const sqlCreateSchemaVersion = `CREATE TABLE IF NOT EXISTS schema_version (
    version    INTEGER NOT NULL PRIMARY KEY,
    applied_at INTEGER NOT NULL
)`

// checkVersion fails with a *SchemaVersionError when the database on conn
// was written by a newer schema. It only reads, so Open can call it before
// changing anything (such as the journal mode) in a file it may refuse.
func checkVersion(ctx context.Context, conn *sql.Conn, dbPath string) error {
	var tables int
	if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").Scan(&tables); err != nil {
		return err
	}
	if tables == 0 {
		return nil
	}
	var cur sql.NullInt64
	if err := conn.QueryRowContext(ctx, "SELECT max(version) FROM schema_version").Scan(&cur); err != nil {
		return err
	}
	if int(cur.Int64) > SchemaVersion {
		return &SchemaVersionError{Path: dbPath, Version: int(cur.Int64), Supported: SchemaVersion}
	}
	return nil
}

// migrate brings the database on conn to SchemaVersion in one IMMEDIATE
// transaction, so a concurrent Open of the same file waits and then finds
// the work done. A database whose version is newer than the code fails with
// a *SchemaVersionError and is left untouched.
func migrate(ctx context.Context, conn *sql.Conn, dbPath string, now func() time.Time, log *slog.Logger) (err error) {
	ms, err := migrations()
	if err != nil {
		return err
	}
	if len(ms) != SchemaVersion {
		return fmt.Errorf("sqlite: %d embedded migrations, SchemaVersion is %d", len(ms), SchemaVersion)
	}
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_, _ = conn.ExecContext(context.Background(), "ROLLBACK")
		}
	}()
	if _, err := conn.ExecContext(ctx, sqlCreateSchemaVersion); err != nil {
		return err
	}
	var cur sql.NullInt64
	if err := conn.QueryRowContext(ctx, "SELECT max(version) FROM schema_version").Scan(&cur); err != nil {
		return err
	}
	have := int(cur.Int64)
	if have > len(ms) {
		return &SchemaVersionError{Path: dbPath, Version: have, Supported: len(ms)}
	}
	start := time.Now()
	for _, m := range ms[have:] {
		if _, err := conn.ExecContext(ctx, m.sql); err != nil {
			return fmt.Errorf("sqlite: migration %s: %w", m.name, err)
		}
		if _, err := conn.ExecContext(ctx, "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)", m.version, toNanos(now())); err != nil {
			return err
		}
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return err
	}
	for _, m := range ms[have:] {
		log.LogAttrs(ctx, slog.LevelInfo, "sqlite: schema migration applied",
			slog.Int(keyVersion, m.version), slog.String("migration", m.name),
			slog.Float64(provobs.KeyDurationMS, durationMS(time.Since(start))))
	}
	return nil
}
