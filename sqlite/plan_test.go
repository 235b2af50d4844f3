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
	}{
		{"fetch candidate", sqlFetchCandidate, []any{1}, "SEARCH q USING INDEX orchestrator_queue_by_visible"},
		{"fetch candidate except", sqlFetchCandidateExcept, []any{1, "[]"}, "SEARCH q USING INDEX orchestrator_queue_by_visible"},
		{"lock instance", sqlLockInstance, []any{"a", "t", 1, 1}, ""},
		{"tag batch", sqlTagBatch, []any{"t", "a", 1}, "USING INDEX orchestrator_queue_by_instance"},
		{"select batch", sqlSelectBatch, []any{"a", "t"}, "USING INDEX orchestrator_queue_by_instance"},
		{"history", sqlSelectEvents, []any{"a", 1}, "SEARCH history USING PRIMARY KEY"},
		{"latest history", sqlSelectLatestEvents, []any{"a"}, "SEARCH history USING PRIMARY KEY"},
		{"ack lock", sqlAckLock, []any{"t", 1}, "SEARCH instance_locks USING INDEX"},
		{"delete batch", sqlDeleteBatch, []any{"a", "t"}, "USING INDEX orchestrator_queue_by_instance"},
		{"cancel activity", sqlDeleteCancelled, []any{"a", 1, 1}, "USING INDEX worker_queue_by_activity"},
		{"dequeue", sqlDequeuePlain, []any{1}, "SEARCH worker_queue USING INDEX worker_queue_by_session"},
		{"dequeue session", sqlDequeueSession, []any{1, "o"}, "SEARCH s USING PRIMARY KEY"},
		{"ack worker", sqlAckWorker, []any{"t", 1}, "SEARCH worker_queue USING INDEX"},
		{"renew worker", sqlRenewWorker, []any{1, "t", 1}, "SEARCH worker_queue USING INDEX"},
		{"cleanup sessions", sqlCleanupSessions, []any{1, nil}, "USING COVERING INDEX worker_queue_by_session"},
		{"instance info", sqlInstanceInfo, []any{"a"}, "SEARCH i USING PRIMARY KEY"},
		{"list by status", sqlListInstancesByStatus, []any{"", 10, "Running"}, "SEARCH i USING"},
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
			text := strings.Join(plan, "\n")
			t.Log(text)
			for _, bad := range []string{"SCAN history", "SCAN instances", "SCAN i\b", "SCAN executions", "SCAN e\b", "SCAN l\b", "SCAN instance_locks", "TEMP B-TREE"} {
				assert.NotContains(t, text+"\b", bad, "plan:\n%s", text)
			}
			if c.mustSearch != "" {
				assert.Contains(t, text, c.mustSearch, "plan:\n%s", text)
			}
		})
	}
}
