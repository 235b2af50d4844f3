package sqlite

// Log attribute keys only the provider uses; the shared ones (operation,
// instance_id, duration_ms, error_type, error) are the root package's
// vocabulary, so the provider's own records and slogprov's records of the
// same operation can be joined on them.
const (
	keyVersion  = "schema_version"
	keyRequests = "requests"
)
