package provobs_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/metrics"
	"github.com/provobs/provobs/slogprov"
)

// Queue is another storage interface: a toy of two methods.
type Queue interface {
	Push(ctx context.Context, instance string, msg []byte) error
	Pop(ctx context.Context) (instance string, msg []byte, err error)
}

// memQueue is a Queue in memory.
type memQueue struct{ items [][2]string }

func (q *memQueue) Push(_ context.Context, instance string, msg []byte) error {
	q.items = append(q.items, [2]string{instance, string(msg)})
	return nil
}

func (q *memQueue) Pop(context.Context) (string, []byte, error) {
	if len(q.items) == 0 {
		return "", nil, errors.New("queue is empty")
	}
	it := q.items[0]
	q.items = q.items[1:]
	return it[0], []byte(it[1]), nil
}

// observedQueue instruments a Queue with the interceptors of provobs: each
// method runs as the provobs operation that does its job.
type observedQueue struct {
	next  Queue
	stack provobs.Stack
}

func (q observedQueue) Push(ctx context.Context, instance string, msg []byte) error {
	return q.stack.Run(ctx, provobs.OpEnqueue, "Push", instance, func(ctx context.Context, _ *provobs.Call) error {
		return q.next.Push(ctx, instance, msg)
	})
}

func (q observedQueue) Pop(ctx context.Context) (instance string, msg []byte, err error) {
	err = q.stack.Run(ctx, provobs.OpFetch, "Pop", "", func(ctx context.Context, c *provobs.Call) error {
		var err error
		instance, msg, err = q.next.Pop(ctx)
		if err == nil {
			c.SetInstance(instance)
			c.SetSize(1)
		}
		return err
	})
	return instance, msg, err
}

// A Stack instruments any storage interface with the same interceptors as
// a Provider chain: the same records and metrics, under the same operations.
func ExampleStack() {
	// Drop the time and the duration so the output is stable.
	stable := func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey || a.Key == provobs.KeyDurationMS {
			return slog.Attr{}
		}
		return a
	}
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{Level: slog.LevelDebug, ReplaceAttr: stable}))
	m := metrics.New()
	q := observedQueue{next: &memQueue{}, stack: provobs.NewStack(slogprov.Interceptor(logger), m.Interceptor())}

	ctx := context.Background()
	_ = q.Push(ctx, "order-1", []byte("paid"))
	_, _, _ = q.Pop(ctx)
	_, _, _ = q.Pop(ctx)

	var buf bytes.Buffer
	m.WritePrometheus(&buf)
	for line := range strings.Lines(buf.String()) {
		if strings.HasPrefix(line, provobs.OpFetch.MetricName()+"_count") ||
			strings.HasPrefix(line, provobs.MetricInfrastructureErrors+`{operation="fetch",error_type="unknown"}`) {
			fmt.Print(line)
		}
	}
	// Output:
	// level=DEBUG msg="provider operation" operation=enqueue instance_id=order-1 method=Push
	// level=DEBUG msg="provider operation" operation=fetch instance_id=order-1 messages=1 method=Pop
	// level=ERROR msg="provider operation failed" operation=fetch error_type=unknown error="queue is empty" method=Pop
	// provider_fetch_orchestration_item_duration_ms_count 2
	// provider_infrastructure_errors_total{operation="fetch",error_type="unknown"} 1
}
