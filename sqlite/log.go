package sqlite

import "github.com/provobs/provobs"

// Log attribute keys: the vocabulary of the root package, so the provider's
// own records and slogprov's records of the same operation can be joined on
// them. duration_ms is a float64 as there.
const (
	keyOperation  = provobs.KeyOperation
	keyInstanceID = provobs.KeyInstanceID
	keyDurationMS = provobs.KeyDurationMS
	keyErrorType  = provobs.KeyErrorType
	keyError      = provobs.KeyError

	// Keys only the provider uses.
	keyVersion  = "schema_version"
	keyRequests = "requests"
)
