// Package redact provides a [log/slog] handler that removes secrets before
// any sink sees them — tint on a console, [slog.JSONHandler] in production,
// the otelslog bridge where a collector runs.
//
//	logger := slog.New(redact.NewHandler(slog.NewJSONHandler(os.Stderr, nil), nil))
//
// [NewHandler] wraps the next handler and forwards Enabled, Handle,
// WithAttrs and WithGroup to it. It is configured by an [Options] struct
// whose zero value is the default; each field documents its default.
//
// # What is guaranteed
//
// Keys. A value whose key is sensitive is dropped, or masked ([Mode]). A
// key is split into words at '_', '-', '.', ' ' and changes of case
// ("userPassword" is user, Password; "APIKey" is API, Key) and is
// sensitive when its trailing words, in normal form ([NormalizeKey]), form
// a listed key: "password", "Pass_Word", "db_password", "userPassword" and
// "aws_secret_access_key" are sensitive; "password_hint", "tokens_used",
// "session_id", "passwordless" and every key of provobs's vocabulary
// (operation, method, instance_id, duration_ms, error_type, error,
// trace_id, span_id, ...) are not. The list is [DefaultKeys] unless
// [Options.Keys] replaces it. The same rule applies to attribute keys,
// group keys (a sensitive group goes whole), map keys, struct fields (by
// Go name and by json name: a Password field tagged json:"pw" and a Pw
// field tagged json:"password" are both sensitive, in embedded structs and
// behind pointers too) and the member names of JSON bodies.
//
// Secrets. A [Secret] is always redacted, under any key, without its
// LogValue being called. Outside this handler it still prints as
// [Redacted].
//
// Values. With the default [Options.Detectors] every string value, error
// text, []byte and json.RawMessage, at any depth, is scanned, and what a
// detector finds is masked in place ("[REDACTED]"), the rest of the text
// kept:
//
//   - vendor credentials by prefix, length, alphabet and checksum
//     ([VendorTokens]): AWS access key ids, GitHub classic (CRC32
//     checksum checked) and fine-grained tokens, GitLab, Slack, Stripe
//     secret and restricted keys, Google API keys, npm, OpenAI-style sk-;
//   - connection strings ([DSNs], [KeyValuePairs]): URL userinfo of any
//     scheme, libpq keyword/value, go-sql-driver/mysql
//     user:pass@tcp(host)/db, JDBC and ADO.NET key=value; lists,
//     percent-encoded passwords; the user name and the host stay
//     readable;
//   - bodies ([KeyValuePairs]): in a JSON object or array held in a
//     string, []byte or json.RawMessage, the members with sensitive names
//     are masked and the result still parses (a json.RawMessage stays
//     raw JSON); in a form-encoded body, the sensitive fields;
//   - key=value and key: value pairs in free text, Bearer tokens, JWTs,
//     PEM private-key blocks, Luhn-valid card numbers;
//   - matches of [Options.Patterns].
//
// With [Options.ScanMessage] the record's message is scanned too. A
// value under a key in [Options.AllowKeys] is neither redacted by key nor
// scanned.
//
// Not redacted (the corpus test and BENCHMARKS.md's false-positive count
// check it): trace and span ids, UUIDs, git SHAs, epoch milliseconds,
// order numbers, base64 hashes, durations, queue names. There is no "long
// random string" rule.
//
// Paths. Record attributes; attributes given to Logger.With, redacted
// once, when With is called; groups at any depth, inline groups included;
// LogValuer values, resolved once (a LogValuer under a sensitive key is
// not resolved; one that panics or returns itself is logged as the error
// slog makes of it); values of kind Any: maps with string keys, slices,
// arrays, structs and pointers to them. A changed container is copied —
// map[string]any, map[string]string, []any, []string and []slog.Attr keep
// their type, others become map[string]any or []any, a struct a
// map[string]any by json name — and the caller's values are never
// modified. A value nested deeper than 32 levels that could hold
// something to redact is redacted ([ReasonDepth]), so a cyclic value ends.
//
// Bad input does not panic and costs time linear in its size: invalid
// UTF-8, strings of megabytes, deep or cyclic values, maps with
// non-string keys (their values are left to the sink's own printing).
//
// # Modes
//
// [Drop] (the default) removes a value redacted by key or as a Secret; a
// group left empty is removed too. [Mask] keeps the key and writes
// [Redacted]. In a map or a struct a dropped entry is deleted; in a slice
// a dropped element is removed. Detectors, and sensitive JSON members,
// always mask.
//
// # Audit
//
// [Options.Audit] receives the dotted key path of each redaction
// ("req.user.password") and a [Reason], never the value.
//
// # Concurrency and cost
//
// A handler is immutable once built and safe for concurrent use; WithAttrs
// and WithGroup return new handlers. A record with nothing to redact is
// passed on as it is, without allocating. The detectors share one pass
// over a string, dispatched by the byte that starts each format (and the
// byte after it); key decisions are remembered per handler by the key
// string's address, which holds for string literals and for any string
// whose bytes are not changed after it was made. What the detectors find
// in a string literal (a message, a constant value) is remembered too,
// by address, but only for strings in the program's read-only segment
// (on Linux, where /proc/self/maps locates it), whose bytes cannot
// change; other strings are scanned every time. Figures against a bare
// slog.JSONHandler are in BENCHMARKS.md, section "Redaction", with their
// commands.
//
// # Migration from the functional options
//
// NewHandler(next, opts...) became NewHandler(next, *Options):
//
//	WithKeys(k...)              Options{Keys: append(DefaultKeys(), k...)}
//	WithOnlyKeys(k...)          Options{Keys: k} (an empty non-nil slice: no key matching)
//	WithAllowedKeys(k...)       Options{AllowKeys: k}
//	WithMode(m)                 Options{Mode: m}
//	WithDetectors(d)            Options{Detectors: d} (the default is now AllDetectors)
//	WithCardNumbers(), WithBearerTokens(), WithJWTs()
//	                            gone: aliases of WithDetectors; on by default
//	WithoutDetectors(d)         Options{Detectors: AllDetectors &^ d}
//	WithPatterns(re...)         Options{Patterns: re}
//	WithMessageScan()           Options{ScanMessage: true}
//	WithoutMessageScan()        gone: leave ScanMessage false
//	WithoutStructFields()       Options{NoStructFields: true}
//	WithAudit(fn)               Options{Audit: fn}
//	WithWholeKeys()             gone: keys match by trailing words
//	URLCredentials              DSNs
package redact
