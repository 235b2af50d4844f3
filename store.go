package provobs

// StoreInfo describes the storage behind a provider or backend, for
// telemetry that follows OpenTelemetry's database semantic conventions
// (db.system.name, db.namespace, server.address, server.port). The zero
// value describes nothing; DescribeStore fills in the fallback system.
type StoreInfo struct {
	// System is the db.system.name value: SystemSQLite, SystemPostgreSQL,
	// SystemRedis, or SystemOther when the store does not say.
	System string
	// Namespace is the db.namespace value: the schema, database or file
	// name the store keeps its data in; "" when it has none.
	Namespace string
	// ServerAddress and ServerPort name a network store's server
	// (server.address, server.port); "" and 0 for an embedded store.
	ServerAddress string
	ServerPort    int
	// InMemory reports a store that lives in the process's memory, whose
	// spans are INTERNAL rather than CLIENT.
	InMemory bool
}

// The db.system.name values provobs knows. They equal the values of the
// OpenTelemetry semantic conventions (a test in tracing checks them).
const (
	SystemSQLite     = "sqlite"
	SystemPostgreSQL = "postgresql"
	SystemMySQL      = "mysql"
	SystemRedis      = "redis"
	// SystemOther is the conventions' fallback for a SQL store that does
	// not describe itself.
	SystemOther = "other_sql"
)

// Describer is the optional interface of a provider (or any store) that
// says what it is. The SQLite and PostgreSQL providers implement it, and a
// chain built with Intercept answers for the provider it wraps.
type Describer interface {
	StoreInfo() StoreInfo
}

// DescribeStore returns v's StoreInfo when v is a Describer, with System
// defaulted to SystemOther when empty; otherwise StoreInfo{System:
// SystemOther}. It never panics, v may be nil.
func DescribeStore(v any) StoreInfo {
	var info StoreInfo
	if d, ok := v.(Describer); ok && d != nil {
		info = d.StoreInfo()
	}
	if info.System == "" {
		info.System = SystemOther
	}
	return info
}

// StoreBinder is the optional interface of an Interceptor that wants to know
// the store it runs in front of, to precompute what it records per
// operation (span attributes, metric attribute sets). A chain built with
// Intercept binds each interceptor to DescribeStore of the provider it
// wraps when it is built; goworkflows.Wrap does the same with its backend.
type StoreBinder interface {
	BindStore(StoreInfo) Interceptor
}

// BindStore returns ic bound to info when ic is a StoreBinder (a nil result
// keeps ic), otherwise ic itself.
func BindStore(ic Interceptor, info StoreInfo) Interceptor {
	if b, ok := ic.(StoreBinder); ok {
		if bound := b.BindStore(info); bound != nil {
			return bound
		}
	}
	return ic
}
