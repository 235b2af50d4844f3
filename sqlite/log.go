package sqlite

// Log attribute keys. They mirror the keys of the slogprov logging
// middleware, so the provider's own records and the middleware's records of
// the same operation can be joined on them.
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
