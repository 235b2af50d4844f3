package goworkflows

import (
	"net"
	"reflect"
	"strconv"
	"strings"

	"github.com/cschleiden/go-workflows/backend"

	"github.com/provobs/provobs"
)

// The packages of go-workflows' backends (v1.4.2), by which Describe
// recognises them: their types are unexported, and importing them would
// link their drivers.
const (
	pkgSQLite   = "github.com/cschleiden/go-workflows/backend/sqlite"
	pkgPostgres = "github.com/cschleiden/go-workflows/backend/postgres"
	pkgMySQL    = "github.com/cschleiden/go-workflows/backend/mysql"
	pkgRedis    = "github.com/cschleiden/go-workflows/backend/redis"
)

// Describe returns what b is, for spans that follow OpenTelemetry's
// database conventions; Wrap binds its interceptors to it
// (provobs.Stack.ForStore). A backend that implements provobs.Describer
// describes itself (a Wrap result answers for the backend it wraps).
// go-workflows' own backends are recognised by their type:
//
//	backend                       db.system.name  db.namespace        server.address, server.port  kind
//	sqlite.NewInMemoryBackend     sqlite          -                   -                            INTERNAL (in memory)
//	sqlite.NewSqliteBackend       sqlite          -                   -                            CLIENT
//	postgres.NewPostgresBackend   postgresql      the dbname          host, port                   CLIENT
//	mysql.NewMysqlBackend         mysql           the database        host, port                   CLIENT
//	redis.NewRedisBackend         redis           the DB index ("0")  host, port (a *redis.Client)  CLIENT
//	a struct embedding Backend    what it embeds (monoprocess.NewMonoprocessBackend)
//	anything else                 other_sql       -                   -                            CLIENT
//
// The namespace and server come from the connection string the postgres
// and mysql constructors keep (none for their ...WithDB variants), and from
// the options of the Redis backend's client when it is a *redis.Client (a
// cluster or failover client gives none); the SQLite backend keeps no file
// name. These are read from the backends' unexported fields, as go-workflows
// v1.4.2 and go-redis v9 lay them out; a field not found leaves its
// attribute out, never fails.
func Describe(b backend.Backend) provobs.StoreInfo {
	if b == nil {
		return provobs.DescribeStore(nil)
	}
	if d, ok := b.(provobs.Describer); ok {
		return provobs.DescribeStore(d)
	}
	v := reflect.ValueOf(b)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return provobs.DescribeStore(nil)
	}
	s := v.Elem()
	switch s.Type().PkgPath() {
	case pkgSQLite:
		mem := s.FieldByName("memConn")
		return provobs.StoreInfo{System: provobs.SystemSQLite,
			InMemory: mem.IsValid() && mem.Kind() == reflect.Pointer && !mem.IsNil()}
	case pkgPostgres:
		info := provobs.StoreInfo{System: provobs.SystemPostgreSQL}
		kv := keyValues(stringField(s, "dsn"))
		info.Namespace, info.ServerAddress = kv["dbname"], kv["host"]
		info.ServerPort, _ = strconv.Atoi(kv["port"])
		return info
	case pkgMySQL:
		info := provobs.StoreInfo{System: provobs.SystemMySQL}
		info.ServerAddress, info.ServerPort, info.Namespace = mysqlDSN(stringField(s, "dsn"))
		return info
	case pkgRedis:
		return redisInfo(s)
	}
	// A decorator that embeds the backend it decorates (go-workflows'
	// monoprocess backend does) is what it decorates.
	if f := s.FieldByName("Backend"); f.IsValid() && f.Kind() == reflect.Interface && !f.IsNil() && f.CanInterface() {
		if inner, ok := f.Interface().(backend.Backend); ok {
			return Describe(inner)
		}
	}
	return provobs.DescribeStore(nil)
}

// redisInfo describes a go-workflows Redis backend: its rdb field's
// *redis.Client options give the address and the database index.
func redisInfo(s reflect.Value) provobs.StoreInfo {
	info := provobs.StoreInfo{System: provobs.SystemRedis}
	opt := walk(s, "rdb", "baseClient", "opt")
	if !opt.IsValid() || opt.Kind() != reflect.Struct {
		return info
	}
	if addr := opt.FieldByName("Addr"); addr.IsValid() && addr.Kind() == reflect.String {
		if host, port, err := net.SplitHostPort(addr.String()); err == nil {
			info.ServerAddress = host
			info.ServerPort, _ = strconv.Atoi(port)
		}
	}
	if db := opt.FieldByName("DB"); db.IsValid() && db.Kind() == reflect.Int {
		info.Namespace = strconv.FormatInt(db.Int(), 10)
	}
	return info
}

// walk follows the named fields from v, through pointers and interfaces,
// and returns the struct or value reached, or the zero Value when a step
// is missing.
func walk(v reflect.Value, names ...string) reflect.Value {
	for _, name := range names {
		v = deref(v)
		if !v.IsValid() || v.Kind() != reflect.Struct {
			return reflect.Value{}
		}
		v = v.FieldByName(name)
	}
	return deref(v)
}

func deref(v reflect.Value) reflect.Value {
	for v.IsValid() && (v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface) {
		if v.IsNil() {
			return reflect.Value{}
		}
		v = v.Elem()
	}
	return v
}

// stringField returns s's string field name, or "".
func stringField(s reflect.Value, name string) string {
	f := s.FieldByName(name)
	if !f.IsValid() || f.Kind() != reflect.String {
		return ""
	}
	return f.String()
}

// keyValues parses a "k=v k=v" connection string (no quoting: the form
// postgres.NewPostgresBackend writes).
func keyValues(dsn string) map[string]string {
	out := map[string]string{}
	for f := range strings.FieldsSeq(dsn) {
		if k, v, ok := strings.Cut(f, "="); ok {
			out[k] = v
		}
	}
	return out
}

// mysqlDSN parses "user:password@tcp(host:port)/database?..." (the form
// mysql.NewMysqlBackend writes).
func mysqlDSN(dsn string) (host string, port int, database string) {
	_, rest, ok := strings.Cut(dsn, "@tcp(")
	if !ok {
		return "", 0, ""
	}
	addr, rest, ok := strings.Cut(rest, ")/")
	if !ok {
		return "", 0, ""
	}
	database, _, _ = strings.Cut(rest, "?")
	if i := strings.LastIndexByte(addr, ':'); i >= 0 {
		port, _ = strconv.Atoi(addr[i+1:])
		addr = addr[:i]
	}
	return addr, port, database
}
