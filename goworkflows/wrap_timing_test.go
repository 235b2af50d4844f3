package goworkflows_test

import (
	"context"
	"io"
	"log/slog"
	"syscall"
	"testing"
	"time"

	"github.com/cschleiden/go-workflows/backend"
	"github.com/cschleiden/go-workflows/workflow"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/goworkflows"
	"github.com/provobs/provobs/metrics"
	"github.com/provobs/provobs/retry"
	"github.com/provobs/provobs/slogprov"
	"github.com/provobs/provobs/tracing"
)

// emptyPoller answers every GetWorkflowTask with no task and nothing else:
// the cost left is the decorator's.
type emptyPoller struct{ backend.Backend }

func (emptyPoller) GetWorkflowTask(context.Context, []workflow.Queue) (*backend.WorkflowTask, error) {
	return nil, nil
}

// BenchmarkWrapEmptyPoll measures one GetWorkflowTask (an empty poll, the
// call the 2+2 pollers make most) on a backend that does nothing: bare,
// through the chain without tracing (retry, slogprov at INFO, metrics),
// and through the full chain with an SDK TracerProvider that records and
// exports nothing.
func BenchmarkWrapEmptyPoll(b *testing.B) {
	m := metrics.New()
	logger := slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
	tp := sdktrace.NewTracerProvider()
	defer tp.Shutdown(context.Background())
	base := []provobs.Interceptor{
		retry.Interceptor(retry.Config{OnRetry: m.RetryHook()}),
		slogprov.Interceptor(logger, slogprov.WithEmptyPollSampling(100)),
		m.Interceptor(),
	}
	for _, bc := range []struct {
		name string
		b    backend.Backend
	}{
		{"bare", emptyPoller{}},
		{"chain=retry,slogprov,metrics", goworkflows.Wrap(emptyPoller{}, base...)},
		{"chain=full", goworkflows.Wrap(emptyPoller{}, append([]provobs.Interceptor{tracing.Interceptor(tp)}, base...)...)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			ctx := context.Background()
			queues := []workflow.Queue{workflow.QueueDefault}
			b.ReportAllocs()
			before := cpuTime()
			for b.Loop() {
				if _, err := bc.b.GetWorkflowTask(ctx, queues); err != nil {
					b.Fatal(err)
				}
			}
			// Process CPU time (GC included) per call: on a shared machine
			// ns/op is wall time and counts the waits for a CPU.
			b.ReportMetric(float64(cpuTime()-before)/float64(b.N), "cpu-ns/op")
		})
	}
}

// cpuTime returns the user and system CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
