package main

import (
	"bytes"
	"context"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// -metrics otel: the run records through otelmetrics, and the summary's
// per-operation table is read back from the exporter's families.
func TestRunOTelMetrics(t *testing.T) {
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{
		"-metrics=otel", "-instances=20", "-tasks=2", "-activity-delay=1ms", "-metrics-addr=127.0.0.1:0",
		"-log-format=json", "-log-level=warn", "-progress=100ms",
	}, &out, &errb)
	require.Equal(t, 0, code, "stderr:\n%s", errb.String())
	s := out.String()
	assert.Contains(t, s, "full (spans, retry, redacted logs, OpenTelemetry metrics)")
	assert.Contains(t, s, "operation latency (from db.client.operation.duration, every outcome;")
	assert.Regexp(t, `(?m)^errors\s+none$`, s)
	assert.Regexp(t, `(?m)^cancellations\s+`, s)
	// 20 orchestrations: 20 enqueues, and as many orchestration acks as
	// fetches that returned work.
	m := regexp.MustCompile(`(?m)^\s+enqueue\s+(\d+)\s`).FindStringSubmatch(s)
	require.NotNil(t, m, "enqueue row in:\n%s", s)
	n, err := strconv.Atoi(m[1])
	require.NoError(t, err)
	assert.Equal(t, 20, n)
	for _, op := range []string{"fetch", "ack_orch", "dequeue", "ack_worker"} {
		assert.Regexp(t, regexp.MustCompile(`(?m)^\s+`+op+`\s+[1-9]\d*\s`), s, "per-operation latency row for %s", op)
	}
	assert.Contains(t, errb.String(), "metrics: http://127.0.0.1:")
}
