package sqlite

import (
	"path/filepath"

	"github.com/provobs/provobs"
)

var _ provobs.Describer = (*Provider)(nil)

// StoreInfo describes the store for telemetry that follows OpenTelemetry's
// database conventions (provobs.Describer): db.system.name sqlite, and
// db.namespace the database file's name (its base name, "provobs.db"); an
// in-memory store (MemoryPath) has no namespace and is InMemory, so its
// spans are INTERNAL. SQLite has no server. A nil Provider is described
// as SQLite with nothing more.
func (p *Provider) StoreInfo() provobs.StoreInfo {
	if p == nil {
		return provobs.StoreInfo{System: provobs.SystemSQLite}
	}
	if p.path == MemoryPath || p.path == "" {
		return provobs.StoreInfo{System: provobs.SystemSQLite, InMemory: true}
	}
	return provobs.StoreInfo{System: provobs.SystemSQLite, Namespace: filepath.Base(p.path)}
}
