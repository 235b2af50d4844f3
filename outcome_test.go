package provobs_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/provobs/provobs"
)

// contexts of every state OutcomeOf distinguishes.
func outcomeContexts() (live, canceled, expired, canceledAfterDeadline context.Context) {
	live = context.Background()
	c, cancel := context.WithCancel(context.Background())
	cancel()
	canceled = c
	e, cancelE := context.WithDeadline(context.Background(), time.Unix(1, 0))
	_ = cancelE // the deadline has passed: Err is DeadlineExceeded until cancelled
	expired = e
	// A context cancelled after its deadline passed keeps DeadlineExceeded.
	d, cancelD := context.WithDeadline(context.Background(), time.Unix(1, 0))
	cancelD()
	canceledAfterDeadline = d
	return live, canceled, expired, canceledAfterDeadline
}

func TestOutcomeOf(t *testing.T) {
	t.Parallel()
	live, canceled, expired, canceledAfterDeadline := outcomeContexts()
	storeErr := provobs.NewError(provobs.OpFetch, provobs.TypeLockTimeout, errors.New("busy"))
	for _, tc := range []struct {
		name string
		ctx  context.Context
		err  error
		want provobs.Outcome
	}{
		{"no error", live, nil, provobs.OutcomeOK},
		{"no error, cancelled ctx", canceled, nil, provobs.OutcomeOK},
		{"no error, nil ctx", nil, nil, provobs.OutcomeOK},
		{"store error, live ctx", live, storeErr, provobs.OutcomeFailed},
		{"unclassified error, live ctx", live, errors.New("boom"), provobs.OutcomeFailed},
		{"context.Canceled, cancelled ctx", canceled, context.Canceled, provobs.OutcomeCanceled},
		{"driver error on the way out, cancelled ctx", canceled, errors.New("conn closed"), provobs.OutcomeCanceled},
		{"store error, cancelled ctx", canceled, storeErr, provobs.OutcomeCanceled},
		{"TypeCanceled, live ctx", live, provobs.ContextError(provobs.OpAckOrch, context.Canceled), provobs.OutcomeCanceled},
		{"wrapped context.Canceled, nil ctx", nil, fmt.Errorf("x: %w", context.Canceled), provobs.OutcomeCanceled},
		{"deadline passed", expired, context.DeadlineExceeded, provobs.OutcomeFailed},
		{"deadline passed, provider says canceled", expired, provobs.NewError(provobs.OpFetch, provobs.TypeCanceled, context.DeadlineExceeded), provobs.OutcomeFailed},
		{"deadline passed, then cancelled", canceledAfterDeadline, context.DeadlineExceeded, provobs.OutcomeFailed},
		{"TypeDeadlineExceeded, live ctx", live, provobs.ContextError(provobs.OpFetch, context.DeadlineExceeded), provobs.OutcomeFailed},
		{"context.DeadlineExceeded, nil ctx", nil, context.DeadlineExceeded, provobs.OutcomeFailed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, provobs.OutcomeOf(tc.ctx, tc.err))
		})
	}
}

func TestPollExpired(t *testing.T) {
	t.Parallel()
	live, canceled, expired, _ := outcomeContexts()
	for _, tc := range []struct {
		name string
		ctx  context.Context
		op   provobs.Op
		err  error
		want bool
	}{
		{"fetch on its own deadline", expired, provobs.OpFetch, context.DeadlineExceeded, true},
		{"dequeue on its own deadline, typed", expired, provobs.OpDequeue, provobs.ContextError(provobs.OpDequeue, context.DeadlineExceeded), true},
		{"wrapped deadline", expired, provobs.OpFetch, fmt.Errorf("redis: %w", context.DeadlineExceeded), true},
		{"not a poll", expired, provobs.OpAckOrch, context.DeadlineExceeded, false},
		{"deadline error, live ctx", live, provobs.OpFetch, context.DeadlineExceeded, false},
		{"cancelled ctx", canceled, provobs.OpFetch, context.Canceled, false},
		{"store error after the deadline", expired, provobs.OpFetch, provobs.NewError(provobs.OpFetch, provobs.TypeLockTimeout, nil), false},
		{"driver interrupted at the deadline", expired, provobs.OpFetch, provobs.NewError(provobs.OpFetch, provobs.TypeCanceled, errors.New("interrupted")), true},
		{"no error", expired, provobs.OpFetch, nil, false},
		{"nil ctx", nil, provobs.OpFetch, context.DeadlineExceeded, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, provobs.PollExpired(tc.ctx, tc.op, tc.err))
		})
	}
}

func TestErrorTypeOf(t *testing.T) {
	t.Parallel()
	live, canceled, expired, _ := outcomeContexts()
	for _, tc := range []struct {
		name string
		ctx  context.Context
		err  error
		want provobs.ErrorType
	}{
		{"no error", live, nil, 0},
		{"store error", live, provobs.NewError(provobs.OpFetch, provobs.TypeLockLost, nil), provobs.TypeLockLost},
		{"cancelled ctx, driver error", canceled, errors.New("conn closed"), provobs.TypeCanceled},
		{"cancelled ctx, store error", canceled, provobs.NewError(provobs.OpFetch, provobs.TypeLockTimeout, nil), provobs.TypeCanceled},
		{"canceled error, live ctx", live, context.Canceled, provobs.TypeCanceled},
		{"deadline", expired, context.DeadlineExceeded, provobs.TypeDeadlineExceeded},
		{"canceled error after the deadline", expired, provobs.NewError(provobs.OpFetch, provobs.TypeCanceled, errors.New("interrupted")), provobs.TypeDeadlineExceeded},
		{"store error after the deadline", expired, provobs.NewError(provobs.OpFetch, provobs.TypeLockTimeout, nil), provobs.TypeLockTimeout},
		{"unclassified, nil ctx", nil, errors.New("x"), provobs.TypeUnknown},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := provobs.ErrorTypeOf(tc.ctx, tc.err)
			assert.Equal(t, tc.want, got)
			if tc.err != nil {
				// Consistent with OutcomeOf: canceled exactly for OutcomeCanceled.
				assert.Equal(t, provobs.OutcomeOf(tc.ctx, tc.err) == provobs.OutcomeCanceled, got == provobs.TypeCanceled)
			}
		})
	}
}
