package main

import (
	"bytes"
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/redact"
	"github.com/provobs/provobs/sqlite"
	"github.com/provobs/provobs/stress"
)

// The spec's "Testing Observability": a short stress run through the full
// chain that the command builds populates every operation's histogram, puts
// instance_id on the records, and lets no planted secret reach the logs.
func TestFullChainIntegration(t *testing.T) {
	const secret = "hunter2-planted-secret"
	var logs bytes.Buffer
	ob, err := newObservability(options{logFormat: "json", logLevel: "debug"}, &logs)
	require.NoError(t, err)
	// Secrets on every path a runtime might put them: the activity payload, a
	// sensitive attribute of the logger, a redact.Secret value.
	ob.logger = ob.logger.With(slog.String("password", secret), slog.Any("activity_token", redact.NewSecret(secret)))

	ctx := context.Background()
	store, err := sqlite.Open(ctx, t.TempDir()+"/it.db", sqlite.WithLogger(ob.logger))
	require.NoError(t, err)
	defer func() { _ = store.Close() }()
	p := ob.chain(store)

	res, err := stress.Run(ctx, p, stress.Config{
		Instances:        10,
		MaxConcurrent:    5,
		TasksPerInstance: 2,
		ActivityDelay:    300 * time.Millisecond,
		LockTimeout:      400 * time.Millisecond, // activities renew their locks
		PollTimeout:      20 * time.Millisecond,
		ActivityInput:    []byte(`{"card":"` + secret + `"}`),
		Logger:           ob.logger,
	})
	require.NoError(t, err)
	require.EqualValues(t, 10, res.Completed, "%+v", res)

	// The operations the workload does not need, as an operator would call
	// them through the same chain.
	admin := p.(provobs.Admin)
	list, err := admin.ListInstances(ctx, provobs.ListOptions{})
	require.NoError(t, err)
	require.NotEmpty(t, list)
	_, err = admin.InstanceInfo(ctx, list[0].InstanceID)
	require.NoError(t, err)
	_, err = p.ReadHistory(ctx, list[0].InstanceID, 0)
	require.NoError(t, err)
	_, err = admin.QueueDepths(ctx)
	require.NoError(t, err)
	_, err = p.RenewSessionLock(ctx, []string{"owner"}, time.Second, time.Second)
	require.NoError(t, err)
	_, err = p.CleanupOrphanedSessions(ctx, time.Second)
	require.NoError(t, err)
	require.NoError(t, p.EnqueueOrchestrator(ctx, provobs.WorkItem{Kind: provobs.KindStartOrchestration, InstanceID: "extra"}, 0))
	item, err := p.FetchOrchestrationItem(ctx, provobs.FetchOptions{})
	require.NoError(t, err)
	require.NotNil(t, item)
	ictx := provobs.WithInstance(ctx, item.InstanceID)
	require.NoError(t, p.RenewOrchestrationItemLock(ictx, item.LockToken, time.Second))
	require.NoError(t, p.AbandonOrchestrationItem(ictx, item.LockToken, provobs.AbandonOptions{}))
	require.NoError(t, p.EnqueueWorker(ctx, provobs.WorkItem{Kind: provobs.KindActivityExecute, InstanceID: "extra", ExecutionID: 1, CorrelationID: 9}))
	w, err := p.DequeueWorker(ctx, provobs.FetchOptions{}, nil)
	require.NoError(t, err)
	require.NotNil(t, w)
	require.NoError(t, p.AbandonWorker(provobs.WithInstance(ctx, "extra"), w.LockToken, provobs.AbandonOptions{}))

	rep := &report{}
	rep.readMetrics(ob.metrics)
	require.NoError(t, rep.parseErr)
	seen := map[provobs.Op]uint64{}
	for _, s := range rep.ops {
		seen[s.op] = s.count
	}
	for _, op := range provobs.MethodOps() {
		assert.Positive(t, seen[op], "histogram of %s populated", op)
	}
	assert.Positive(t, seen[provobs.OpRenewWorker], "long activities renewed their locks")

	require.NoError(t, ob.close(ctx))
	out := logs.Bytes()
	assert.NotContains(t, string(out), secret, "no planted secret reaches the logs")
	records := jsonLines(t, out)
	var withInstance int
	for _, r := range records {
		if r["msg"] == "provider operation" {
			op, _ := r["operation"].(string)
			if op == "renew_session_lock" || op == "cleanup_orphaned_sessions" || op == "list_instances" || op == "queue_depths" {
				continue // these concern no single instance
			}
			if assert.NotEmpty(t, r["instance_id"], "record of %s carries instance_id", op) {
				withInstance++
			}
		}
	}
	assert.Greater(t, withInstance, 50)
}
