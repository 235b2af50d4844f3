package postgres

import (
	"github.com/provobs/provobs"
)

var _ provobs.Describer = (*Provider)(nil)

// StoreInfo describes the store for telemetry that follows OpenTelemetry's
// database conventions (provobs.Describer): db.system.name postgresql;
// db.namespace the schema qualified by the database name, as the
// PostgreSQL conventions ask, joined by "|" as the general db.namespace
// rule of semconv v1.43.0 joins namespace components ("test|provobs";
// the schema alone when the connection names no database); server.address
// and server.port from the pool's connection configuration (the first host
// of a multi-host DSN). A nil Provider is described as PostgreSQL with
// nothing more.
func (p *Provider) StoreInfo() provobs.StoreInfo {
	if p == nil || p.pool == nil {
		return provobs.StoreInfo{System: provobs.SystemPostgreSQL}
	}
	info := provobs.StoreInfo{System: provobs.SystemPostgreSQL, Namespace: p.cfg.schema}
	cc := p.pool.Config().ConnConfig
	if cc.Database != "" {
		info.Namespace = cc.Database + "|" + p.cfg.schema
	}
	info.ServerAddress = cc.Host
	info.ServerPort = int(cc.Port)
	return info
}
