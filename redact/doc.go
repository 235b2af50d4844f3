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
// Modes). Keys are compared after normalisation ([NormalizeKey]): lower
// case, with '_', '-', '.' and ' ' removed, so "creditCard", "credit_card",
// "Credit-Card" and "CREDITCARD" are one key. The whole normalised key must
// equal a listed key: "token" matches "Token" and "TOKEN" but not
// "tokens_used", "password" does not match "password_hint", and none of the
// keys of the provobs logging middleware (operation, instance_id,
// duration_ms, error_type, error, messages, sessions_renewed,
// sessions_cleaned, events) is redacted. Whole-key matching is deliberate:
// substring matching redacts innocent keys ("instance_id" holds "id") and
// still misses secrets under innocent keys, which value detectors and
// [Secret] cover instead.
//
// The default list is [DefaultKeys], defined in keys.go: passwords and
// generic secrets, tokens and API keys, HTTP authentication, cookies and
// sessions, payment-card and identity numbers. session_id is not listed: in
// provobs a session id is a worker-affinity routing key, not a credential;
// add it with [WithKeys] where it is one. [WithKeys] adds keys,
// [WithOnlyKeys] replaces the default list, and [WithAllowedKeys] names keys
// that always pass.
//
// The key of a group attribute is matched like any other key, and a
// sensitive group is redacted whole. A group opened with Logger.WithGroup is
// not matched: it names a namespace, and the attributes inside it are matched
// by their own keys.
//
// Secrets. A [Secret] is always redacted, under any key. Outside this
// handler it still logs and prints as [Redacted].
//
// Values. Opt-in detectors mask only the part of a string that matches:
// [WithCardNumbers] (13–19 digits, grouped by single spaces or dashes or not,
// Luhn-checked), [WithBearerTokens] ("Bearer <token>": the token),
// [WithJWTs] (three base64url segments starting "eyJ") and [WithPatterns]
// (caller regular expressions). They scan string values, the text of error
// values, strings inside maps and slices, and with [WithMessageScan] the
// record's message. An error is replaced by its masked text only when a
// detector matched; otherwise it reaches the sink as an error.
//
// # Modes
//
// [Drop] (the default) removes a redacted attribute; a group left empty is
// removed too, as slog handlers omit empty groups. [Mask] keeps the key and
// replaces the value with the constant [Redacted] ("[REDACTED]"). In a map a
// dropped entry is deleted; in a slice a dropped element is removed. Value
// detectors always mask.
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
//     url.Values, named map types) and other slices through reflection when
//     their element type can hold something to redact. A container that must
//     change is copied — the common types keep their type, others become
//     map[string]any or []any — and a LogValuer inside one is resolved (a
//     group becomes a map[string]any).
//
// The caller's attributes, slices and maps are never modified: a record that
// needs a change is rebuilt (slog.NewRecord with the redacted attributes).
// Not covered: fields of arbitrary structs, whose rendering belongs to the
// sink (json.Marshal, fmt); give such types a LogValue method or hold their
// secrets in a [Secret].
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
// A record with nothing to redact is checked in one pass over its
// attributes, without allocating, and passed on unchanged; only a record
// that must change is rebuilt. Key matching rejects most keys by their first
// and last bytes, then by length and a Bloom filter, before any map lookup.
// With attributes are redacted once, at With time, so they cost nothing per
// record.
//
// BenchmarkHandler (handler_timing_test.go) sends a record of eight
// attributes, one a nested group, to slog.JSONHandler writing to io.Discard,
// bare and wrapped. Medians of six runs on a shared, loaded 2-vCPU AMD EPYC
// VM, Go 1.26 (cpu-ns/op is the process CPU time per record, steadier than
// wall-clock ns/op on a busy machine):
//
//	go test -run='^$' -bench=. -benchmem -count=6 ./redact/
//
//	BenchmarkHandler/                        ns/op  cpu-ns/op  B/op  allocs/op
//	bare-json                                 1250       1163     0          0
//	redact-json-nothing-redacted              1381       1326     0          0
//	redact-json-nothing-redacted-detectors    3096       1794     0          0
//	redact-json-redacting                     2836       2169   208          3
//	bare-discard                                18          8     0          0
//	redact-discard-nothing-redacted            277        196     0          0
//
// With nothing to redact the wrapped handler costs 1.10× the bare one
// (1.14× in CPU time) and no allocation; the discard pair puts the
// handler's own cost near 200 ns per record of 11 keys, counting the
// group's. Wall-clock times on that machine swing by up to 2× between runs,
// so the ratio was also taken from 16 to 20 back-to-back pairs, each pair
// one run of
//
//	go test -c -o redact.test ./redact/
//	./redact.test -test.run='^$' -test.benchtime=300ms \
//	    -test.bench='Handler/(bare-json|redact-json-nothing-redacted)$'
//
// whose median ratio redact/bare was 1.11× to 1.23× across repetitions,
// inside the 1.3× budget.
package redact
