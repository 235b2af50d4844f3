package metrics

import (
	"context"
	"errors"
	"fmt"
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

// TestTypeOfMatchesProvobs checks the allocation-free classification
// against provobs.TypeOf.
func TestTypeOfMatchesProvobs(t *testing.T) {
	for _, err := range []error{
		provobs.NewError(provobs.OpFetch, provobs.TypeLockTimeout, nil),
		fmt.Errorf("wrapped: %w", provobs.NewError(provobs.OpFetch, provobs.TypeConflict, nil)),
		provobs.ErrClosed,
		context.Canceled,
		fmt.Errorf("wrapped: %w", context.DeadlineExceeded),
		errors.New("plain"),
		errors.Join(errors.New("a"), provobs.ErrLockLost),
	} {
		assert.Equal(t, provobs.TypeOf(err), typeOf(err), "%v", err)
	}
}
