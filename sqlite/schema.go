package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"log/slog"
	"time"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/internal/store"
)

// keyVersion is the log attribute of a migration's schema version.
const keyVersion = "schema_version"

//go:embed migrations/*.sql
var migrationFS embed.FS

// migrations returns the embedded migrations in version order.
func migrations() ([]store.Migration, error) { return store.Migrations(migrationFS, "migrations") }

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
		if _, err := conn.ExecContext(ctx, m.SQL); err != nil {
			return fmt.Errorf("sqlite: migration %s: %w", m.Name, err)
		}
		if _, err := conn.ExecContext(ctx, "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)", m.Version, toNanos(now())); err != nil {
			return err
		}
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return err
	}
	for _, m := range ms[have:] {
		log.LogAttrs(ctx, slog.LevelInfo, "sqlite: schema migration applied",
			slog.Int(keyVersion, m.Version), slog.String("migration", m.Name),
			slog.Float64(provobs.KeyDurationMS, durationMS(time.Since(start))))
	}
	return nil
}
