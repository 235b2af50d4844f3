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
// inside slog.Group values are left alone. Records written with a context
// that holds a span carry its trace and span ids (see package tracing).
//
// # Trace and span ids in every format
//
// slogprov adds trace_id and span_id attributes (provobs.KeyTraceID,
// provobs.KeySpanID, hex) to every provider record written inside a valid
// span, so a JSON, text or tint line leads to its trace; on the otel format
// the bridge also fills the OTel record's native trace fields from the
// context (slogprov.WithTraceIDs(false) drops the duplicate attributes
// there).
//
// The bridge, not logenv, renames errors: a top-level attribute whose value
// is an error, under any key (provobs.KeyError among them), does not arrive
// as an attribute. otelslog moves it to the record's error, and the SDK
// records it as exception.message (the error's text) and exception.type
// (its Go type, such as *errors.errorString); the key is lost, and of two
// error attributes only the last is kept. An error inside a group stays an
// attribute holding its text. An error whose text a value detector masked
// reaches the bridge as a string, so it stays under its own key (error)
// with the masked text instead of becoming exception.message. Queries on
// a collector look for exception.message, not error.
//
// # Redaction
//
// Every sink is wrapped in redact.NewHandler(sink, Config.Redact), the
// outermost handler, so every format sees the same redacted record. A nil
// Config.Redact means RedactDefaults(): redact's defaults plus the message
// scan, with trace_id and span_id allowed. Each part is on by default, for every format; to turn one off,
// start from the defaults and change that field:
//
//	o := logenv.RedactDefaults()
//	o.Detectors = redact.AllDetectors &^ redact.CardNumbers
//	cfg.Redact = &o
//
//	part                                                 turn it off with (on o)
//	sensitive keys (DefaultKeys), by trailing words:     o.Keys = []string{} (no key matching)
//	  db_password, aws_secret_access_key, userPassword
//	struct fields, by Go name and json name              o.NoStructFields = true
//	vendor tokens (AWS, GitHub, GitLab, Slack, Stripe,   o.Detectors = redact.AllDetectors &^ redact.VendorTokens
//	  Google, npm, OpenAI-style sk-)
//	DSN passwords (URL userinfo of any scheme, mysql     o.Detectors = redact.AllDetectors &^ redact.DSNs
//	  user:pass@tcp(...)) and sensitive query parameters  (and KeyValuePairs: a query parameter is a pair too)
//	key=value pairs (libpq, JDBC, ADO.NET, form bodies)  o.Detectors = redact.AllDetectors &^ redact.KeyValuePairs
//	  and sensitive members of JSON bodies
//	card numbers, bearer tokens, JWTs, PEM private keys  o.Detectors = redact.AllDetectors &^ redact.CardNumbers (...)
//	every value detector                                 o.Detectors = redact.NoDetectors
//	the record's message scanned by the detectors        o.ScanMessage = false
//	all of it                                            Config.NoRedact
//
// Routing keys pass: session_id, instance_id, tokens_used, password_hint,
// every key of provobs's vocabulary, and a DSN without a password; the
// values of trace_id and span_id are not scanned (RedactDefaults allows
// them: a span id of 16 decimal digits can pass the Luhn check). A
// generated corpus of 12,000 realistic lines has no false positive
// (TestGeneratedCorpus; BENCHMARKS.md, "Redaction"). With
// nothing to redact the handler allocates nothing, struct values included;
// BENCHMARKS.md ("Redaction") has its time per part.
//
// Tint gets the same defaults as the production formats. The format is
// chosen by whether the writer is a terminal, so a production binary run
// by hand, under "docker run -t" or in a CI job with a pseudo-terminal logs
// through tint; what a terminal shows ends up in scrollback, screenshots,
// pasted issues and CI logs, and at a terminal's rate of records the cost
// does not matter.
package logenv
