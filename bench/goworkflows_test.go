package bench

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/cschleiden/go-workflows/backend"
	"github.com/cschleiden/go-workflows/backend/history"
	"github.com/cschleiden/go-workflows/core"
	"github.com/cschleiden/go-workflows/workflow"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// gated holds every workflow task completion until open is closed (so no
// instance can finish before then) and records the deadline of each
// CreateWorkflowInstance.
type gated struct {
	backend.Backend
	open chan struct{}

	mu        sync.Mutex
	deadlines []time.Time
}

func (g *gated) CreateWorkflowInstance(ctx context.Context, instance *workflow.Instance, event *history.Event) error {
	if d, ok := ctx.Deadline(); ok {
		g.mu.Lock()
		g.deadlines = append(g.deadlines, d)
		g.mu.Unlock()
	}
	return g.Backend.CreateWorkflowInstance(ctx, instance, event)
}

func (g *gated) CompleteWorkflowTask(ctx context.Context, task *backend.WorkflowTask, state core.WorkflowInstanceState,
	executed, activities, timers []*history.Event, events []*history.WorkflowEvent) error {
	select {
	case <-g.open:
	case <-ctx.Done():
		return ctx.Err()
	}
	return g.Backend.CompleteWorkflowTask(ctx, task, state, executed, activities, timers, events)
}

// TestGoWorkflowsInstanceTimeout checks that the go-workflows driver waits
// for each instance exactly Workload.InstanceTimeout, whatever it is: a
// limit shorter than the work (completions held back) fails every instance
// with ErrInstanceTimeout, and a limit longer than the fixed 30 s the driver
// once had is the deadline each instance runs under, and the run completes.
func TestGoWorkflowsInstanceTimeout(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		timeout time.Duration
		held    bool // completions held until the run has returned
	}{
		{name: "shorter than the work", timeout: 50 * time.Millisecond, held: true},
		{name: "longer than 30s", timeout: time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gate := &gated{open: make(chan struct{})}
			if !tt.held {
				close(gate.open)
			}
			g, err := OpenGoWorkflowsWrapped(ctx, "", func(b backend.Backend) backend.Backend {
				gate.Backend = b
				return gate
			})
			require.NoError(t, err)
			w := Workload{Instances: 3, MaxConcurrent: 3, InstanceTimeout: tt.timeout}
			before := time.Now()
			s, err := g.Run(ctx, w, "timeout-")
			after := time.Now()
			if tt.held {
				close(gate.open)
			}
			require.NoError(t, g.Close())

			if tt.held {
				require.ErrorIs(t, err, ErrInstanceTimeout)
				assert.Contains(t, err.Error(), tt.timeout.String())
				assert.EqualValues(t, 0, s.Completed)
				assert.EqualValues(t, 3, s.Failed)
			} else {
				require.NoError(t, err)
				assert.EqualValues(t, 3, s.Completed)
			}
			gate.mu.Lock()
			defer gate.mu.Unlock()
			require.Len(t, gate.deadlines, 3, "every create runs under the instance's deadline")
			for _, d := range gate.deadlines {
				// Each deadline is its instance's start plus the limit, and
				// every start lies between before and after.
				assert.False(t, d.Before(before.Add(tt.timeout)), "deadline %v before %v", d, before.Add(tt.timeout))
				assert.False(t, d.After(after.Add(tt.timeout)), "deadline %v after %v", d, after.Add(tt.timeout))
			}
		})
	}
}
