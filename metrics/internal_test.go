package metrics

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/provobs/provobs"
)

// An *Error built by hand with a type outside the closed set is counted as
// unknown instead of indexing past the counters.
func TestTypeOfOutsideTheSet(t *testing.T) {
	assert.Equal(t, provobs.TypeUnknown, valid(provobs.TypeOf(&provobs.Error{Type: provobs.ErrorType(200)})))
	assert.Equal(t, provobs.TypeUnknown, valid(provobs.TypeOf(&provobs.Error{})), "the zero type")
	assert.Equal(t, provobs.TypeLockLost, valid(provobs.TypeOf(provobs.ErrLockLost)))
}
