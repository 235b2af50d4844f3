package logenv

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/lmittmann/tint"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/internal/term"
	"github.com/provobs/provobs/redact"
)

// ScopeName is the instrumentation scope of the otelslog handler New builds.
const ScopeName = "github.com/provobs/provobs"

// New builds the handler cfg describes, wrapped in the redaction handler
// unless cfg.NoRedact, and returns it with a shutdown function that flushes
// and shuts down what New started (a LoggerProvider for the otel format
// without cfg.LoggerProvider) and otherwise does nothing. Call shutdown
// once, when logging is over. An unknown format is an error.
func New(cfg Config) (slog.Handler, func(context.Context) error, error) {
	w := cfg.Writer
	if w == nil {
		w = os.Stderr
	}
	var level slog.Leveler = slog.LevelInfo
	if cfg.Level != nil {
		level = cfg.Level
	}
	format := cfg.Format
	if format == "" {
		format = FormatJSON
		if term.IsTerminal(w) {
			format = FormatTint
		}
	}

	shutdown := func(context.Context) error { return nil }
	var h slog.Handler
	switch format {
	case FormatTint:
		h = tint.NewTextHandler(w, &tint.Options{
			Level:     level,
			AddSource: cfg.AddSource,
			NoColor:   cfg.NoColor || !term.IsTerminal(w),
		})
	case FormatJSON:
		h = slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level, AddSource: cfg.AddSource})
	case FormatText:
		h = slog.NewTextHandler(w, &slog.HandlerOptions{Level: level, AddSource: cfg.AddSource})
	case FormatOTel:
		var err error
		h, shutdown, err = newOTel(cfg, w, level)
		if err != nil {
			return nil, nil, err
		}
	default:
		return nil, nil, fmt.Errorf("logenv: unknown log format %q, want tint, json, text or otel", cfg.Format)
	}
	if !cfg.NoRedact {
		opts := cfg.Redact
		if opts == nil {
			d := RedactDefaults()
			opts = &d
		}
		h = redact.NewHandler(h, opts)
	}
	return h, shutdown, nil
}

// RedactDefaults returns the options New gives the redaction handler when
// Config.Redact is nil: redact's defaults (every listed key by trailing
// words, struct fields, every value detector), the scan of record
// messages, and trace_id and span_id (provobs.KeyTraceID,
// provobs.KeySpanID) as allowed keys, whose hex ids are never scanned: a
// span id of 16 decimal digits can pass the Luhn check. Every format gets
// the same; see the package documentation ("Redaction") for how to turn
// each part off.
func RedactDefaults() redact.Options {
	return redact.Options{
		Detectors:   redact.AllDetectors,
		ScanMessage: true,
		AllowKeys:   []string{provobs.KeyTraceID, provobs.KeySpanID},
	}
}
