package retry_test

import (
	"github.com/provobs/provobs"
)

// store is what the tests drive: a provider with the Admin capability.
type store interface {
	provobs.Provider
	provobs.Admin
}
