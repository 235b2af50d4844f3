package sqlite

// Log attribute keys. They mirror slogprov's keys (KeyOperation, ...; kept
// as copies so this package does not import the middleware), so the
// provider's own records and the middleware's records of the same operation
// can be joined on them. duration_ms is a float64 as there.
const (
	keyOperation  = "operation"
	keyInstanceID = "instance_id"
	keyDurationMS = "duration_ms"
	keyErrorType  = "error_type"
	keyError      = "error"

	// Keys only the provider uses.
	keyVersion  = "schema_version"
	keyRequests = "requests"
)
