package provobs_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provobs/provobs"
)

func TestTypeOf(t *testing.T) {
	t.Parallel()
	cause := errors.New("cause")
	cases := []struct {
		name      string
		err       error
		want      provobs.ErrorType
		retryable bool
	}{
		{"nil", nil, 0, false},
		{"plain", cause, provobs.TypeUnknown, false},
		{"canceled", context.Canceled, provobs.TypeCanceled, false},
		{"deadline", fmt.Errorf("op: %w", context.DeadlineExceeded), provobs.TypeDeadlineExceeded, false},
		{"typed", provobs.NewError(provobs.OpFetch, provobs.TypeLockTimeout, cause), provobs.TypeLockTimeout, true},
		{"wrapped typed", fmt.Errorf("outer: %w", provobs.NewError(provobs.OpAckOrch, provobs.TypeConflict, cause)), provobs.TypeConflict, false},
		{"typed wraps ctx", provobs.NewError(provobs.OpFetch, provobs.TypeTransactionFailed, context.Canceled), provobs.TypeTransactionFailed, true},
		{"joined", errors.Join(cause, provobs.NewError(provobs.OpDequeue, provobs.TypeLockLost, nil)), provobs.TypeLockLost, false},
		{"explicitly not retryable", &provobs.Error{Type: provobs.TypeLockTimeout}, provobs.TypeLockTimeout, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, provobs.TypeOf(tc.err))
			assert.Equal(t, tc.retryable, provobs.IsRetryable(tc.err))
		})
	}
}

func TestErrorIsAndAs(t *testing.T) {
	t.Parallel()
	cause := errors.New("disk on fire")
	err := fmt.Errorf("stress: %w", provobs.NewError(provobs.OpAckOrch, provobs.TypeLockLost, cause))

	assert.ErrorIs(t, err, provobs.ErrLockLost)
	assert.NotErrorIs(t, err, provobs.ErrConflict)
	assert.ErrorIs(t, err, cause, "the cause is reachable")

	var pe *provobs.Error
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, provobs.OpAckOrch, pe.Op)
	assert.Equal(t, "provobs: ack_orch: lock_lost: disk on fire", pe.Error())
	assert.Equal(t, "provobs: closed", provobs.ErrClosed.Error())

	// A non-sentinel *Error target does not match by type alone.
	assert.False(t, errors.Is(err, provobs.NewError(provobs.OpAckOrch, provobs.TypeLockLost, nil)))
}

func TestErrorTypesRetryableDefaults(t *testing.T) {
	t.Parallel()
	for _, et := range provobs.ErrorTypes() {
		e := provobs.NewError(provobs.OpFetch, et, nil)
		want := et == provobs.TypeTransactionFailed || et == provobs.TypeLockTimeout
		assert.Equal(t, want, e.Retryable, et)
		assert.Equal(t, want, provobs.IsRetryable(e), et)
	}
}

func TestClassify(t *testing.T) {
	t.Parallel()
	assert.Nil(t, provobs.Classify(provobs.OpFetch, nil))

	plain := errors.New("x")
	c := provobs.Classify(provobs.OpFetch, plain)
	assert.Equal(t, provobs.TypeUnknown, c.Type)
	assert.Equal(t, provobs.OpFetch, c.Op)
	assert.ErrorIs(t, c, plain)

	assert.Equal(t, provobs.TypeCanceled, provobs.Classify(provobs.OpFetch, context.Canceled).Type)

	typed := provobs.NewError(provobs.OpDequeue, provobs.TypeConflict, nil)
	assert.Same(t, typed, provobs.Classify(provobs.OpFetch, typed), "an op already set is kept")

	noOp := &provobs.Error{Type: provobs.TypeLockLost}
	got := provobs.Classify(provobs.OpAckWorker, noOp)
	assert.Equal(t, provobs.OpAckWorker, got.Op)
	assert.Zero(t, noOp.Op, "the original is not mutated")
}
