package sqlite

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestQueryPlans checks with EXPLAIN QUERY PLAN that the hot statements use
// indexes: no full scan of history, instances or executions, no temporary
// sort, and the fetch and session-less dequeue search an index. (The
// session-aware dequeue walks the live worker queue in id order, which is
// the queue itself.)
func TestQueryPlans(t *testing.T) {
	t.Parallel()
	p := openFile(t)
	// Some rows; no ANALYZE, as the provider never runs it.
	for i := range 50 {
		id := fmt.Sprintf("i%03d", i)
		require.NoError(t, p.EnqueueOrchestrator(bgctx, start(id), 0))
		require.NoError(t, p.EnqueueWorker(bgctx, activity(id, 1, "")))
	}

	cases := []struct {
		name, query string
		args        []any
		mustSearch  string // a SEARCH with an index on this table
		sorts       bool   // may sort a small set (the expired locks' messages)
	}{
		{"fetch ready", sqlFetchReady, []any{1}, "SEARCH q USING INDEX orchestrator_queue_ready", false},
		{"fetch expired", sqlFetchExpired, []any{1}, "SEARCH l USING COVERING INDEX instance_locks_by_expiry", true},
		{"next visible", sqlNextVisible, []any{1}, "USING INDEX orchestrator_queue_ready", false},
		{"lock instance", sqlLockInstance, []any{"a", "t", 1, 1}, "", false},
		{"tag batch", sqlTagBatch, []any{"t", "a", 1}, "USING INDEX orchestrator_queue_by_instance", false},
		{"select batch", sqlSelectBatch, []any{"a", "t"}, "USING INDEX orchestrator_queue_by_instance", false},
		{"history", sqlSelectEvents, []any{"a", 1}, "SEARCH history USING PRIMARY KEY", false},
		{"latest history", sqlSelectLatestEvents, []any{"a"}, "SEARCH history USING PRIMARY KEY", false},
		{"ack lock", sqlAckLock, []any{"t", 1}, "SEARCH instance_locks USING INDEX", false},
		{"delete batch", sqlDeleteBatch, []any{"a", "t"}, "USING INDEX orchestrator_queue_by_instance", false},
		{"cancel activity", sqlDeleteCancelled, []any{"a", 1, 1}, "USING INDEX worker_queue_by_activity", false},
		{"dequeue", sqlDequeuePlain, []any{1}, "SEARCH worker_queue USING INDEX worker_queue_by_session", false},
		{"dequeue session", sqlDequeueSession, []any{1, "o"}, "SEARCH s USING PRIMARY KEY", false},
		{"ack worker", sqlAckWorker, []any{"t", 1}, "SEARCH worker_queue USING INDEX", false},
		{"renew worker", sqlRenewWorker, []any{1, "t", 1}, "SEARCH worker_queue USING INDEX", false},
		{"cleanup sessions", sqlCleanupSessions, []any{1, nil}, "USING COVERING INDEX worker_queue_by_session", false},
		{"instance info", sqlInstanceInfo, []any{"a"}, "SEARCH i USING PRIMARY KEY", false},
		{"list by status", sqlListInstancesByStatus, []any{"", 10, "Running"}, "SEARCH i USING", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rows, err := p.w.conn.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+c.query, c.args...)
			require.NoError(t, err)
			var plan []string
			for rows.Next() {
				var id, parent, notused int
				var detail string
				require.NoError(t, rows.Scan(&id, &parent, &notused, &detail))
				plan = append(plan, detail)
			}
			require.NoError(t, rows.Close())
			// Every line ends with \b, so a pattern ending in \b (a whole
			// table alias such as "SCAN i\b") matches on any line.
			text := strings.Join(plan, "\b\n") + "\b"
			t.Log(text)
			bad := []string{"SCAN history", "SCAN instances", "SCAN i\b", "SCAN executions", "SCAN e\b", "SCAN l\b", "SCAN instance_locks", "SCAN q\b", "SCAN orchestrator_queue"}
			if !c.sorts {
				bad = append(bad, "TEMP B-TREE")
			}
			for _, b := range bad {
				assert.NotContains(t, text, b, "plan:\n%s", text)
			}
			if c.mustSearch != "" {
				assert.Contains(t, text, c.mustSearch, "plan:\n%s", text)
			}
		})
	}
}
