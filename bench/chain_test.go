package bench

import (
	"context"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// TestTracedChain checks what BenchmarkChain's tracing cases measure: with
// an unsampled parent under ParentBased no span is recorded, with
// AlwaysSample every call records one span.
func TestTracedChain(t *testing.T) {
	tests := []struct {
		name    string
		sampler sdktrace.Sampler
		ctx     context.Context
		spans   int
	}{
		{name: "unsampled parent", sampler: sdktrace.ParentBased(sdktrace.AlwaysSample()), ctx: unsampledParent(), spans: 0},
		{name: "always sample", sampler: sdktrace.AlwaysSample(), ctx: context.Background(), spans: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := tracetest.NewSpanRecorder()
			tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(tt.sampler), sdktrace.WithSpanProcessor(rec))
			defer func() { require.NoError(t, tp.Shutdown(context.Background())) }()
			p, _, err := TracedChain(newStub(), tp, slog.LevelInfo, nil)
			require.NoError(t, err)
			for range 3 {
				require.NoError(t, p.EnqueueOrchestrator(tt.ctx, newStub().Orch.Messages[0], 0))
			}
			assert.Len(t, rec.Started(), tt.spans)
			assert.Len(t, rec.Ended(), tt.spans)
		})
	}
}
