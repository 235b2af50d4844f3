// Package logenv builds the slog.Handler for an environment: tint on a
// developer's terminal, JSON in production, the OpenTelemetry log bridge
// (otelslog) where a collector runs, always behind the redacting handler of
// package redact unless the caller opts out.
//
//	cfg, err := logenv.FromEnv() // PROVOBS_LOG_FORMAT, PROVOBS_LOG_LEVEL
//	if err != nil { ... }
//	h, shutdown, err := logenv.New(cfg)
//	if err != nil { ... }
//	defer shutdown(context.Background())
//	logger := slog.New(h)
//
// # Formats
//
//	format  sink                                          colour / shutdown
//	tint    tint.NewTextHandler(Writer)                   colour only when Writer is a terminal and NoColor is false
//	json    slog.NewJSONHandler(Writer)                   -
//	text    slog.NewTextHandler(Writer)                   -
//	otel    otelslog.NewHandler(ScopeName) on a LoggerProvider   shutdown flushes a provider New built
//	""      tint when Writer is a terminal, else json
//
// # Environment
//
//	variable             values                                           default
//	PROVOBS_LOG_FORMAT   tint, json, text, otel (any case)                tint on a terminal, else json
//	PROVOBS_LOG_LEVEL    debug, info, warn, error (any case), with an     info
//	                     optional offset as slog writes it: debug-4, warn+2
//	NO_COLOR             any non-empty value turns tint's colour off      colour on a terminal
//
// An unknown format or level is an error that names the accepted values.
//
// # OpenTelemetry
//
// The otel format sends records to Config.LoggerProvider through the
// otelslog bridge; the caller owns that provider and the shutdown function
// does nothing. Without one, New builds an sdk/log LoggerProvider with a
// batch processor over the stdoutlog exporter, which writes each record as
// OpenTelemetry JSON to Writer (useful to see what a collector would
// receive); its resource is the SDK default (OTEL_SERVICE_NAME,
// OTEL_RESOURCE_ATTRIBUTES) with service.name set to Config.ServiceName when
// given, and the shutdown function flushes and shuts it down.
//
// Records on their way to the bridge are filtered by Config.Level (the
// bridge itself asks only the provider), and an error_type attribute
// (provobs.KeyErrorType) of a record or of a Logger.With call is renamed to
// OpenTelemetry's error.type, the key tracing puts on failed spans; keys
// inside slog.Group values are left alone. Records written with a context that holds a span carry its
// trace and span ids (see package tracing).
//
// # Redaction
//
// Every sink is wrapped in redact.NewHandler(sink, Config.Redact...), the
// outermost handler, so every format sees the same redacted record. Set
// NoRedact to skip it.
package logenv
