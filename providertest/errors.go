package providertest

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/google/uuid"

	"github.com/provobs/provobs"
)

var errorCases = append([]testCase{
	{"lock_lost_is_typed", "an unknown token fails with a *provobs.Error that errors.Is matches to ErrLockLost, not retryable", lockLostTyped},
	{"conflict_is_typed", "a duplicate event id fails with a *provobs.Error of TypeConflict, not retryable", conflictTyped},
	{"invalid_argument_is_typed", "bad input fails with a *provobs.Error matching ErrInvalidArgument, not retryable", invalidArgumentTyped},
	{"canceled_is_typed", "a cancelled context fails with a *provobs.Error matching ErrCanceled, not retryable", canceledTyped},
	{"canceled_wraps_context_error", "the canceled error wraps the context's error, so errors.Is(err, context.Canceled) holds", canceledWrapsCause},
	{"deadline_exceeded_is_typed", "a context whose deadline passed fails with a *provobs.Error of TypeDeadlineExceeded that wraps context.DeadlineExceeded, not retryable", deadlineExceededTyped},
	{"closed_provider_fails_with_closed", "after Close (when the provider is an io.Closer) calls fail with TypeClosed", closedProvider},
}, errorOpCases()...)

// asProviderError fails the case unless err is (wraps) a *provobs.Error.
func (h *harness) asProviderError(err error) *provobs.Error {
	h.Helper()
	var pe *provobs.Error
	if !errors.As(err, &pe) {
		h.Fatalf("error %v (%T) is not a *provobs.Error", err, err)
	}
	return pe
}

func (h *harness) wantPermanent(err error, t provobs.ErrorType, sentinel error) {
	h.Helper()
	pe := h.asProviderError(err)
	if pe.Type != t {
		h.Fatalf("error type %q, want %q (%v)", pe.Type, t, err)
	}
	if !errors.Is(err, sentinel) {
		h.Fatalf("errors.Is(err, %v) is false for %v", sentinel, err)
	}
	if provobs.IsRetryable(err) || pe.Retryable {
		h.Fatalf("a %s error is marked retryable: %v", t, err)
	}
}

func lockLostTyped(h *harness) {
	err := h.p.AckOrchestrationItem(h.ctx(), uuid.NewString(), provobs.OrchestrationAck{ExecutionID: 1})
	h.wantPermanent(err, provobs.TypeLockLost, provobs.ErrLockLost)
}

func conflictTyped(h *harness) {
	_, err := h.failDuplicate()
	h.wantPermanent(err, provobs.TypeConflict, provobs.ErrConflict)
}

func invalidArgumentTyped(h *harness) {
	err := h.p.EnqueueOrchestrator(h.ctx(), startMsg(""), 0)
	h.wantPermanent(err, provobs.TypeInvalidArgument, provobs.ErrInvalidArgument)
}

func canceledTyped(h *harness) {
	h.enqueue(startMsg("a"))
	_, err := h.p.FetchOrchestrationItem(canceledCtx(), provobs.FetchOptions{})
	h.wantPermanent(err, provobs.TypeCanceled, provobs.ErrCanceled)
}

func canceledWrapsCause(h *harness) {
	_, err := h.p.DequeueWorker(canceledCtx(), provobs.FetchOptions{}, nil)
	h.wantType(err, provobs.TypeCanceled, "DequeueWorker with a cancelled context")
	if !errors.Is(err, context.Canceled) {
		h.Fatalf("errors.Is(err, context.Canceled) is false for %v", err)
	}
}

func deadlineExceededTyped(h *harness) {
	ctx, cancel := context.WithDeadline(h.ctx(), time.Now().Add(-time.Second))
	defer cancel()
	err := h.p.EnqueueOrchestrator(ctx, startMsg("a"), 0)
	h.wantPermanent(err, provobs.TypeDeadlineExceeded, provobs.ErrDeadlineExceeded)
	if !errors.Is(err, context.DeadlineExceeded) {
		h.Fatalf("errors.Is(err, context.DeadlineExceeded) is false for %v", err)
	}
	h.fetchNone("the enqueue with an expired deadline stored nothing")
}

func closedProvider(h *harness) {
	c, ok := h.p.(io.Closer)
	if !ok {
		h.Skip("the provider is not an io.Closer")
	}
	h.enqueue(startMsg("a"))
	h.must(c.Close(), "Close")
	err := h.p.EnqueueOrchestrator(h.ctx(), startMsg("b"), 0)
	h.wantType(err, provobs.TypeClosed, "EnqueueOrchestrator after Close")
	_, err = h.p.FetchOrchestrationItem(h.ctx(), provobs.FetchOptions{})
	h.wantType(err, provobs.TypeClosed, "FetchOrchestrationItem after Close")
	_, err = h.p.ReadHistory(h.ctx(), "a", 0)
	h.wantType(err, provobs.TypeClosed, "ReadHistory after Close")
}

// errorOpCases checks, for every operation, that a failure names it in
// Error.Op: that is what logs and metric labels report.
func errorOpCases() []testCase {
	garbage := "not-a-lock-token"
	type fail func(h *harness) error
	byOp := []struct {
		op  provobs.Op
		how string
		fn  fail
	}{
		{provobs.OpFetch, "cancelled context", func(h *harness) error {
			_, err := h.p.FetchOrchestrationItem(canceledCtx(), provobs.FetchOptions{})
			return err
		}},
		{provobs.OpAckOrch, "unknown token", func(h *harness) error {
			return h.p.AckOrchestrationItem(h.ctx(), garbage, provobs.OrchestrationAck{ExecutionID: 1})
		}},
		{provobs.OpAbandonOrch, "unknown token", func(h *harness) error {
			return h.p.AbandonOrchestrationItem(h.ctx(), garbage, provobs.AbandonOptions{})
		}},
		{provobs.OpRenewOrch, "unknown token", func(h *harness) error {
			return h.p.RenewOrchestrationItemLock(h.ctx(), garbage, longLock)
		}},
		{provobs.OpEnqueue, "empty instance id", func(h *harness) error {
			return h.p.EnqueueOrchestrator(h.ctx(), startMsg(""), 0)
		}},
		{provobs.OpEnqueueWorker, "empty instance id", func(h *harness) error {
			return h.p.EnqueueWorker(h.ctx(), activity("", 1, 1))
		}},
		{provobs.OpDequeue, "cancelled context", func(h *harness) error {
			_, err := h.p.DequeueWorker(canceledCtx(), provobs.FetchOptions{}, nil)
			return err
		}},
		{provobs.OpAckWorker, "unknown token", func(h *harness) error {
			return h.p.AckWorker(h.ctx(), garbage, nil)
		}},
		{provobs.OpAbandonWorker, "unknown token", func(h *harness) error {
			return h.p.AbandonWorker(h.ctx(), garbage, provobs.AbandonOptions{})
		}},
		{provobs.OpRenewWorker, "unknown token", func(h *harness) error {
			return h.p.RenewWorkerLock(h.ctx(), garbage, longLock)
		}},
		{provobs.OpRenewSessionLock, "cancelled context", func(h *harness) error {
			_, err := h.p.RenewSessionLock(canceledCtx(), []string{"w"}, longLease, longLease)
			return err
		}},
		{provobs.OpCleanupOrphanedSessions, "cancelled context", func(h *harness) error {
			_, err := h.p.CleanupOrphanedSessions(canceledCtx(), 0)
			return err
		}},
		{provobs.OpReadHistory, "empty instance id", func(h *harness) error {
			_, err := h.p.ReadHistory(h.ctx(), "", 0)
			return err
		}},
		{provobs.OpQueueDepths, "cancelled context", func(h *harness) error {
			_, err := h.admin().QueueDepths(canceledCtx())
			return err
		}},
		{provobs.OpListInstances, "cancelled context", func(h *harness) error {
			_, err := h.admin().ListInstances(canceledCtx(), provobs.ListOptions{})
			return err
		}},
		{provobs.OpInstanceInfo, "cancelled context", func(h *harness) error {
			_, err := h.admin().InstanceInfo(canceledCtx(), "a")
			return err
		}},
	}
	cases := make([]testCase, 0, len(byOp))
	for _, c := range byOp {
		cases = append(cases, testCase{
			name: "op_" + c.op.String(),
			doc:  "a failed " + c.op.Method() + " (" + c.how + ") returns a *provobs.Error whose Op is " + c.op.String(),
			fn: func(h *harness) {
				err := c.fn(h)
				if err == nil {
					h.Fatalf("%s with %s: no error", c.op.Method(), c.how)
				}
				if pe := h.asProviderError(err); pe.Op != c.op {
					h.Fatalf("%s failed with Op %v, want %v (%v)", c.op.Method(), pe.Op, c.op, err)
				}
			},
		})
	}
	return cases
}
