// Package redact provides a [log/slog] handler that removes secrets before
// any sink sees them — tint on a console, [slog.JSONHandler] in production,
// the otelslog bridge where a collector runs.
//
//	logger := slog.New(redact.NewHandler(slog.NewJSONHandler(os.Stderr, nil)))
//
// [NewHandler] wraps the next handler and forwards Enabled, Handle,
// WithAttrs and WithGroup to it, rebuilding only what must change. Options
// are functional ([Option]); each documents its default.
//
// # What is matched
//
// Keys. An attribute whose key is sensitive is dropped, or masked (see
// Modes). A key is split into words at the separators '_', '-', '.' and
// ' ' and at changes of case ("userPassword" is user, Password; "APIKey"
// is API, Key), and it is sensitive when its trailing words, compared in
// normal form ([NormalizeKey]: lower case, separators removed), form a
// listed key. So "password", "Pass_Word", "db_password", "userPassword"
// and "aws_secret_access_key" are sensitive, while "password_hint",
// "tokens_used", "session_id" and "passwordless" are not, and none of the
// keys of provobs's vocabulary (operation, method, instance_id,
// duration_ms, error_type, error, empty_polls, trace_id, span_id,
// messages, events, items, sessions_renewed, sessions_cleaned, instances)
// is redacted.
// A key with no case change or separator is one word: "userpassword" is
// not sensitive. [WithWholeKeys] matches whole keys only. Substring
// matching is not offered: it redacts innocent keys ("instance_id" holds
// "id") and still misses secrets under innocent keys, which value
// detectors and [Secret] cover instead.
//
// The default list is [DefaultKeys], defined in keys.go: passwords and
// generic secrets, tokens and API keys, HTTP authentication, cookies and
// sessions, payment-card and identity numbers. session_id is not listed:
// in provobs a session id is a worker-affinity routing key, not a
// credential; add it with [WithKeys] where it is one. [WithKeys] adds keys,
// [WithOnlyKeys] replaces the default list, and [WithAllowedKeys] names
// keys that always pass. Keys of any length and script are matched.
//
// The key of a group attribute is matched like any other key, and a
// sensitive group is redacted whole. A group opened with Logger.WithGroup is
// not matched: it names a namespace, and the attributes inside it are matched
// by their own keys.
//
// Struct fields. A struct value, or a pointer to one, is walked field by
// field as encoding/json sees it: exported fields by their json name (the
// tag's, else the field's), embedded structs flattened, fields tagged "-"
// skipped. A field whose Go name or json name is sensitive is redacted,
// and the values of the others are walked like any value. A struct that
// changes becomes a map[string]any keyed by json name, without the fields
// json skips; so does a struct whose unexported or "-" field has a
// sensitive name, since fmt (the text handler) would print it. A type that
// marshals itself (json.Marshaler or encoding.TextMarshaler) is left to
// its method, and an error is rendered by its text, which the detectors
// scan. What a type can hold is decided once per reflect.Type and handler
// and cached, so a struct with nothing to redact costs one map lookup.
// [WithoutStructFields] leaves structs to the sink.
//
// Secrets. A [Secret] is always redacted, under any key. Outside this
// handler it still logs and prints as [Redacted].
//
// Values. Detectors mask only the part of a string that matches; they are
// off unless turned on with [WithDetectors] (package logenv turns them all
// on) and off again with [WithoutDetectors]: [CardNumbers] (13–19 digits,
// grouped by single spaces or dashes or not, Luhn-checked),
// [BearerTokens] ("Bearer <token>": the token), [JWTs] (three base64url
// segments starting "eyJ"), [URLCredentials] (the password in
// "scheme://user:password@host", and the value of a query parameter with
// a sensitive name), [PrivateKeys] (PEM "PRIVATE KEY" blocks),
// [KeyValuePairs] ("password=...", "db_password: ...", `"api_key":"..."`
// with the key rules above), and [WithPatterns] (caller regular
// expressions). They scan string values, the text of error values,
// strings inside maps, slices and structs, and with [WithMessageScan] the
// record's message. An error is replaced by its masked text only when a
// detector matched; otherwise it reaches the sink as an error. All
// built-in detectors run in one pass over a string that stops only at the
// bytes one of them starts from (b, B, J, ':', '=', and digits once a
// string holds 13 of them).
//
// # Modes
//
// [Drop] (the default) removes a redacted attribute; a group left empty is
// removed too, as slog handlers omit empty groups. [Mask] keeps the key and
// replaces the value with the constant [Redacted] ("[REDACTED]"). In a map
// or a struct a dropped entry is deleted; in a slice a dropped element is
// removed. Value detectors always mask.
//
// # Paths covered
//
//   - Record attributes.
//   - Attributes given to Logger.With (WithAttrs): redacted once, when With
//     is called, not for every record; the caller's slice is copied, never
//     modified or retained.
//   - WithGroup: attributes in a group are matched by their own keys; audit
//     paths include the group names.
//   - Groups nested at any depth, including inline groups (empty key).
//   - LogValuer values, resolved once with [slog.Value.Resolve] and the
//     result redacted. A LogValuer under a sensitive key is redacted without
//     being resolved.
//   - error values: a sensitive key drops them; detectors scan their text.
//   - Values passed with slog.Any that hold keys and values:
//     map[string]any, map[string]string, []any, []string and []slog.Attr
//     are searched directly, other maps with string keys (http.Header,
//     url.Values, named map types), other slices and arrays, structs and
//     pointers to any of these through reflection when their type can hold
//     something to redact. A container that must change is copied — the
//     common types keep their type, others become map[string]any or []any —
//     and a LogValuer inside one is resolved (a group becomes a
//     map[string]any). The walk follows at most 32 levels of nesting; a
//     deeper value that could hold something to redact is redacted
//     ([ReasonDepth]), so a cyclic value ends.
//
// The caller's attributes, slices, maps and structs are never modified: a
// record that needs a change is rebuilt (slog.NewRecord with the redacted
// attributes).
//
// # How the walk works
//
// One walk visits each attribute once, as log/slog's handlers carry one
// handleState through a record: a state (the audit path, the depth) and,
// for each value, an outcome — unchanged, replaced or dropped — with the
// replacement. Nothing is copied until something changes: a record whose
// attributes all come back unchanged is passed on as it is; at the first
// change the new record takes the attributes before it as they are, and
// a group, map or slice is copied from its first changed element. The
// fast-path rule is written once, in the attribute step: a sensitive key
// is redacted; otherwise a scalar passes, and so does a string in which no
// detector finds anything.
//
// # Audit
//
// [WithAudit] calls a function with the dotted key path of each redaction
// ("req.user.password") and a [Reason] — never the value — so that a counter
// can count redactions. With attributes are audited once, at With time.
//
// # Concurrency
//
// A handler is immutable once built and safe for concurrent use; WithAttrs
// and WithGroup return new handlers. The audit function is called from
// whichever goroutine logs, so it must be safe for concurrent use.
//
// # Performance
//
// A record with nothing to redact costs no allocation, and a struct value
// in it none either when its fields are strings and scalars. Key matching
// walks a reversed trie of the listed keys from the key's last byte and
// stops at the first byte no listed key has there, usually after one or
// two bytes; BenchmarkKeyMatch measures it against the plain way
// (normalise, then one map lookup per run of trailing words). With
// attributes are redacted once, at With time, so they cost nothing per
// record. The figures, per part (trailing words, each detector, the
// message scan, struct values) and against a bare slog.JSONHandler, are in
// BENCHMARKS.md, section "Redaction", with their commands.
package redact
