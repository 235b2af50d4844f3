// Package obstest helps provider and middleware authors assert on what their
// code logs.
//
// Handler is a capturing slog.Handler: it stores every record it is given,
// with the attributes already resolved (LogValuers called) and flattened
// (groups and WithGroup prefixes joined with dots, "g.k"), so a test asks
// for a key and a value instead of walking groups:
//
//	h := obstest.NewHandler(nil)
//	p := provobs.Chain(store, slogprov.Middleware(slog.New(h)))
//	// ... drive p, for example with obstest.Exercise ...
//	for _, r := range h.WithAttr(provobs.KeyErrorType, "lock_lost") {
//		v, _ := r.Attr(provobs.KeyOperation)
//		t.Log(r.Level, v)
//	}
//
// Exercise drives every provider and admin operation at least once, and
// Calls counts the operations that pass through a chain, so a test can check
// that each operation is observed exactly once per call.
//
// Buffer is a bytes.Buffer safe for concurrent use, for log output a test
// reads while it is written. Stub is a provider that answers with canned
// results (by default: none) or fails every call with one error, and counts
// the runs of each method: the one fake provider of the module's tests, and
// the baseline of benchmarks that should measure a middleware alone.
// LogExporter is an in-memory OpenTelemetry log exporter, for tests of what
// reaches the otelslog bridge. Binary finds an external program a test
// needs (promtool, prometheus, ...) and skips the test without it, or fails
// it when CI is set.
//
// obstest is light: it compiles neither a store nor the metrics middleware
// nor the Prometheus parser. The real store for a middleware's tests is
// sqlite/sqlitetest (New: an in-memory reference provider closed with the
// test), and the reader of the metrics exposition is metrics/metricstest
// (Snapshot, ParseMetrics, ScrapeMetrics).
package obstest
