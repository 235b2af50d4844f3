package metrics

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/provobs/provobs"
)

// TestErrorTypeIndexIsDense checks that errorTypeIndex maps the closed set
// of error types one to one onto [0, numErrorTypes), so a type added to
// provobs without a slot here fails this test.
func TestErrorTypeIndexIsDense(t *testing.T) {
	types := provobs.ErrorTypes()
	assert.Len(t, types, numErrorTypes)
	seen := map[int]provobs.ErrorType{}
	for _, et := range types {
		i := errorTypeIndex(et)
		assert.True(t, i >= 0 && i < numErrorTypes, "%s -> %d", et, i)
		if prev, dup := seen[i]; dup {
			t.Errorf("%s and %s share index %d", prev, et, i)
		}
		seen[i] = et
	}
	assert.Equal(t, errorTypeIndex(provobs.TypeUnknown), errorTypeIndex("something new"))
}
