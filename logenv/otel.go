package logenv

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"

	"go.opentelemetry.io/contrib/bridges/otelslog"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/stdout/stdoutlog"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/sdk/resource"

	"github.com/provobs/provobs"
)

// newOTel builds the otelslog sink and, without cfg.LoggerProvider, the
// LoggerProvider it writes to.
func newOTel(cfg Config, w io.Writer, level slog.Leveler) (slog.Handler, func(context.Context) error, error) {
	shutdown := func(context.Context) error { return nil }
	lp := cfg.LoggerProvider
	if lp == nil {
		exp, err := stdoutlog.New(stdoutlog.WithWriter(w))
		if err != nil {
			return nil, nil, fmt.Errorf("logenv: otel: stdout exporter: %w", err)
		}
		res := resource.Default()
		if cfg.ServiceName != "" {
			res, err = resource.Merge(res, resource.NewSchemaless(attribute.String("service.name", cfg.ServiceName)))
			if err != nil {
				return nil, nil, fmt.Errorf("logenv: otel: resource: %w", err)
			}
		}
		sdk := sdklog.NewLoggerProvider(sdklog.WithResource(res), sdklog.WithProcessor(sdklog.NewBatchProcessor(exp)))
		lp = sdk
		shutdown = sdk.Shutdown // flushes the batch processor, then shuts down
	}
	h := otelslog.NewHandler(ScopeName, otelslog.WithLoggerProvider(lp), otelslog.WithSource(cfg.AddSource))
	return &otelSink{next: h, level: level}, shutdown, nil
}

// otelSink filters by level and renames the top-level error_type
// attribute to OpenTelemetry's error.type before the otelslog bridge.
type otelSink struct {
	next  slog.Handler
	level slog.Leveler
}

var _ slog.Handler = (*otelSink)(nil)

func (h *otelSink) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.level.Level() && h.next.Enabled(ctx, l)
}

func (h *otelSink) Handle(ctx context.Context, r slog.Record) error {
	found := false
	r.Attrs(func(a slog.Attr) bool {
		found = a.Key == provobs.KeyErrorType
		return !found
	})
	if found {
		r2 := slog.NewRecord(r.Time, r.Level, r.Message, r.PC)
		r.Attrs(func(a slog.Attr) bool {
			r2.AddAttrs(renameErrorType(a))
			return true
		})
		r = r2
	}
	return h.next.Handle(ctx, r)
}

func (h *otelSink) WithAttrs(attrs []slog.Attr) slog.Handler {
	out, copied := attrs, false
	for i, a := range attrs {
		if a.Key == provobs.KeyErrorType {
			if !copied {
				out, copied = slices.Clone(attrs), true // never modify the caller's slice
			}
			out[i] = renameErrorType(a)
		}
	}
	return &otelSink{next: h.next.WithAttrs(out), level: h.level}
}

func (h *otelSink) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	return &otelSink{next: h.next.WithGroup(name), level: h.level}
}

func renameErrorType(a slog.Attr) slog.Attr {
	if a.Key == provobs.KeyErrorType {
		a.Key = provobs.KeyOTelErrorType
	}
	return a
}
