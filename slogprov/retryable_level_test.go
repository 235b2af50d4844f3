package slogprov_test

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/faults"
	"github.com/provobs/provobs/slogprov"
	"github.com/provobs/provobs/sqlite/sqlitetest"
)

// levelHandler keeps the level of every record.
type levelHandler struct {
	mu     sync.Mutex
	levels []slog.Level
}

func (h *levelHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *levelHandler) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *levelHandler) WithGroup(string) slog.Handler            { return h }
func (h *levelHandler) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.levels = append(h.levels, r.Level)
	return nil
}

// TestLevelForEveryErrorType fails one enqueue with each error type and
// checks the level of its record: WARN for both retryable types
// (lock_timeout and transaction_failed) and for deadline_exceeded, DEBUG
// for canceled (the caller's cancellation, provobs.OutcomeOf), ERROR for
// every other. Only exported API: a real store under the faults middleware.
func TestLevelForEveryErrorType(t *testing.T) {
	t.Parallel()
	level := map[provobs.ErrorType]slog.Level{
		provobs.TypeLockTimeout:       slog.LevelWarn,
		provobs.TypeTransactionFailed: slog.LevelWarn,
		provobs.TypeDeadlineExceeded:  slog.LevelWarn,
		provobs.TypeCanceled:          slog.LevelDebug,
	}
	for _, typ := range provobs.ErrorTypes() {
		t.Run(fmt.Sprint(typ), func(t *testing.T) {
			t.Parallel()
			h := &levelHandler{}
			in := faults.New(faults.Config{Rules: []faults.Rule{faults.OnCall(provobs.OpEnqueue, typ, 1)}})
			p := provobs.Chain(sqlitetest.New(t), slogprov.Middleware(slog.New(h)), in.Middleware())
			err := p.EnqueueOrchestrator(context.Background(), provobs.WorkItem{Kind: provobs.KindStartOrchestration, InstanceID: "a"}, 0)
			if provobs.TypeOf(err) != typ {
				t.Fatalf("injected %v, got %v", typ, err)
			}
			want, ok := level[typ]
			if !ok {
				want = slog.LevelError
			}
			if len(h.levels) != 1 || h.levels[0] != want {
				t.Fatalf("a %v failure logged at %v, want one record at %v", typ, h.levels, want)
			}
		})
	}
}
