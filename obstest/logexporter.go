package obstest

import (
	"context"
	"sync"

	sdklog "go.opentelemetry.io/otel/sdk/log"
)

// LogExporter is an OpenTelemetry sdk/log exporter that keeps every record
// it is given, for tests of what reaches the otelslog bridge. Use it with
// sdklog.NewSimpleProcessor so records arrive synchronously. It is safe for
// concurrent use.
type LogExporter struct {
	mu   sync.Mutex
	recs []sdklog.Record
}

var _ sdklog.Exporter = (*LogExporter)(nil)

// Export keeps a clone of each record.
func (e *LogExporter) Export(_ context.Context, recs []sdklog.Record) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	for i := range recs {
		e.recs = append(e.recs, recs[i].Clone())
	}
	return nil
}

// Shutdown does nothing.
func (e *LogExporter) Shutdown(context.Context) error { return nil }

// ForceFlush does nothing: records are kept as they are exported.
func (e *LogExporter) ForceFlush(context.Context) error { return nil }

// Records returns a copy of the records exported so far.
func (e *LogExporter) Records() []sdklog.Record {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]sdklog.Record(nil), e.recs...)
}
