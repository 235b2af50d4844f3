package postgres

import (
	"context"
	"embed"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/provobs/provobs/internal/store"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migrations returns the embedded migrations in version order.
func migrations() ([]store.Migration, error) { return store.Migrations(migrationFS, "migrations") }

// SchemaVersion is the schema version this code creates and expects.
var SchemaVersion = func() int {
	ms, err := migrations()
	if err != nil {
		panic(err) // the embedded files are part of the build
	}
	return len(ms)
}()

// migrateLockKey is the advisory lock that serialises migrations of one
// schema across processes.
const migrateLockKey = `SELECT pg_advisory_xact_lock(hashtextextended('provobs.migrate.' || $1, 0))`

// migrate brings schema to SchemaVersion: each missing migration runs in a
// transaction of its own that first takes the schema's advisory lock and
// re-reads the version, so concurrent openers apply each migration once.
func migrate(ctx context.Context, pool *pgxpool.Pool, schema string, log *slog.Logger) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	q := pgx.Identifier{schema}.Sanitize()
	for _, m := range append([]store.Migration{{Version: 0}}, ms...) {
		err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, migrateLockKey, schema); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+q); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS `+q+`.schema_version (
    version    integer NOT NULL PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
				return err
			}
			var cur int
			if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM `+q+`.schema_version`).Scan(&cur); err != nil {
				return err
			}
			if cur > len(ms) {
				return &SchemaVersionError{Schema: schema, Version: cur, Supported: len(ms)}
			}
			if m.Version == 0 || cur >= m.Version {
				return nil
			}
			if _, err := tx.Exec(ctx, `SET LOCAL search_path TO `+q); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return fmt.Errorf("migration %s: %w", m.Name, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO `+q+`.schema_version (version) VALUES ($1)`, m.Version); err != nil {
				return err
			}
			log.LogAttrs(ctx, slog.LevelInfo, "postgres: applied migration",
				slog.String("schema", schema), slog.String("migration", m.Name))
			return nil
		})
		if err != nil {
			if _, ok := err.(*SchemaVersionError); ok {
				return err
			}
			return fmt.Errorf("postgres: migrate schema %q: %w", schema, err)
		}
	}
	return nil
}

// DropSchema drops schema and everything in it (the store's tables,
// functions and queued work) on the server at dsn. A missing schema is not
// an error. It is for tests, temporary runs and tenants being removed; a
// Provider open on the schema must be closed first.
func DropSchema(ctx context.Context, dsn, schema string) error {
	if schema == "" {
		return fmt.Errorf("postgres: drop schema: empty name")
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return fmt.Errorf("postgres: drop schema %q: %w", schema, err)
	}
	defer func() { _ = conn.Close(context.WithoutCancel(ctx)) }()
	if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
		return fmt.Errorf("postgres: drop schema %q: %w", schema, err)
	}
	return nil
}
