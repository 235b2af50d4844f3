package logenv

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"go.opentelemetry.io/otel/log"

	"github.com/provobs/provobs/redact"
)

// Format names a sink.
type Format string

// The formats. The zero Format picks FormatTint when the writer is a
// terminal and FormatJSON otherwise.
const (
	FormatTint Format = "tint"
	FormatJSON Format = "json"
	FormatText Format = "text"
	FormatOTel Format = "otel"
)

// The environment variables FromEnv reads.
const (
	EnvFormat  = "PROVOBS_LOG_FORMAT"
	EnvLevel   = "PROVOBS_LOG_LEVEL"
	EnvNoColor = "NO_COLOR"
)

// Config says which handler New builds. The zero Config is a valid choice:
// tint on a terminal else JSON, to os.Stderr, at INFO, redacted with
// every part on (see the package documentation).
type Config struct {
	// Format is the sink. (Default: "", tint when Writer is a terminal,
	// else json.)
	Format Format
	// Level is the minimum level logged; a *slog.LevelVar changes it at run
	// time. (Default: nil, slog.LevelInfo.)
	Level slog.Leveler
	// Writer receives tint, json and text output, and the OpenTelemetry
	// JSON of a LoggerProvider New builds. (Default: nil, os.Stderr.)
	Writer io.Writer
	// AddSource adds the caller's source location to records.
	// (Default: false.)
	AddSource bool
	// NoColor turns tint's colour off even on a terminal. (Default: false;
	// colour is always off when Writer is not a terminal.)
	NoColor bool
	// Redact configures the redaction handler. It is used as given: start
	// from RedactDefaults() to change one part and keep the rest.
	// (Default: nil, RedactDefaults(): every detector and the message
	// scan.)
	Redact *redact.Options
	// NoRedact leaves the redaction handler out. (Default: false.)
	NoRedact bool
	// LoggerProvider receives records in the otel format; the caller shuts
	// it down. (Default: nil, New builds one that writes to Writer; see the
	// package documentation.)
	LoggerProvider log.LoggerProvider
	// ServiceName is the service.name resource attribute of a
	// LoggerProvider New builds; it is ignored otherwise. (Default: "", the
	// SDK's default: OTEL_SERVICE_NAME or unknown_service:<executable>.)
	ServiceName string
}

// FromEnv returns a Config with Format and Level read from
// PROVOBS_LOG_FORMAT and PROVOBS_LOG_LEVEL, and NoColor set when NO_COLOR is
// not empty. Unset or empty variables leave the zero values (the defaults).
// An unknown value is an error naming the accepted ones; both variables are
// checked.
func FromEnv() (Config, error) {
	var cfg Config
	f, errF := ParseFormat(os.Getenv(EnvFormat))
	l, errL := ParseLevel(os.Getenv(EnvLevel))
	if err := errors.Join(errF, errL); err != nil {
		return Config{}, err
	}
	cfg.Format = f
	if strings.TrimSpace(os.Getenv(EnvLevel)) != "" {
		cfg.Level = l
	}
	cfg.NoColor = os.Getenv(EnvNoColor) != ""
	return cfg, nil
}

// ParseFormat parses tint, json, text or otel, in any case and ignoring
// surrounding space; "" is the zero Format (pick by terminal).
func ParseFormat(s string) (Format, error) {
	f := Format(strings.ToLower(strings.TrimSpace(s)))
	switch f {
	case "", FormatTint, FormatJSON, FormatText, FormatOTel:
		return f, nil
	}
	return "", fmt.Errorf("logenv: %s=%q: unknown log format, want tint, json, text or otel", EnvFormat, s)
}

// ParseLevel parses a level as slog writes it, in any case and ignoring
// surrounding space: debug, info, warn or error, optionally with an offset
// (debug-4, warn+2). "" is slog.LevelInfo.
func ParseLevel(s string) (slog.Level, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return slog.LevelInfo, nil
	}
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, fmt.Errorf("logenv: %s=%q: unknown log level, want debug, info, warn or error, optionally with an offset such as debug-4", EnvLevel, s)
	}
	return l, nil
}
