package metrics

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"sync"
	"time"

	vm "github.com/VictoriaMetrics/metrics"
)

// DefaultPushInterval is the push interval Push uses when given zero.
const DefaultPushInterval = 10 * time.Second

// family is the exposition metadata of one metric family.
type family struct {
	typ  string // counter, gauge or histogram
	help string
}

func (m *Metrics) family(name, typ, help string) { m.families[name] = family{typ: typ, help: help} }

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// WritePrometheus writes every series of Set() to w in the Prometheus text
// exposition format (version 0.0.4), with one HELP and one TYPE line per
// family of this package: histograms are typed histogram, *_total series
// counter, queue depths gauge. Series the caller added to Set() are written
// as the library writes them. It reads only in-memory values: it never calls
// the provider, so a scrape never waits for a store.
func (m *Metrics) WritePrometheus(w io.Writer) {
	src := bufPool.Get().(*bytes.Buffer)
	dst := bufPool.Get().(*bytes.Buffer)
	src.Reset()
	dst.Reset()
	m.set.WritePrometheus(src)
	m.annotate(dst, src.Bytes())
	if m.processMetrics {
		vm.WriteProcessMetrics(dst)
	}
	_, _ = w.Write(dst.Bytes())
	bufPool.Put(src)
	bufPool.Put(dst)
}

// annotate copies the library's exposition from src to dst, dropping any
// metadata it wrote for our families (metrics.ExposeMetadata is global) and
// writing ours before the first sample of each. The Set groups each family's
// samples together, so each family gets one HELP and one TYPE line.
func (m *Metrics) annotate(dst *bytes.Buffer, src []byte) {
	var prev string
	for len(src) > 0 {
		line, rest, _ := bytes.Cut(src, []byte{'\n'})
		src = rest
		if len(line) == 0 {
			continue
		}
		if line[0] == '#' {
			if name := commentFamily(line); name != nil {
				if _, ours := m.families[string(name)]; ours {
					continue
				}
			}
			dst.Write(line)
			dst.WriteByte('\n')
			continue
		}
		name, f, ours := m.lookup(sampleName(line))
		switch {
		case !ours:
			prev = ""
		case name != prev:
			prev = name
			dst.WriteString("# HELP ")
			dst.WriteString(name)
			dst.WriteByte(' ')
			dst.WriteString(f.help)
			dst.WriteString("\n# TYPE ")
			dst.WriteString(name)
			dst.WriteByte(' ')
			dst.WriteString(f.typ)
			dst.WriteByte('\n')
		}
		dst.Write(line)
		dst.WriteByte('\n')
	}
}

// lookup finds the family of a sample name: the name itself, or for
// histogram samples the name without its _bucket, _sum or _count suffix.
func (m *Metrics) lookup(sample []byte) (string, family, bool) {
	for _, suffix := range [...]string{"", "_bucket", "_sum", "_count"} {
		base, ok := bytes.CutSuffix(sample, []byte(suffix))
		if !ok {
			continue
		}
		f, found := m.families[string(base)]
		if found && (suffix == "" || f.typ == "histogram") {
			return string(base), f, true
		}
	}
	return "", family{}, false
}

// sampleName returns the metric name of a sample line.
func sampleName(line []byte) []byte {
	if i := bytes.IndexAny(line, "{ "); i >= 0 {
		return line[:i]
	}
	return line
}

// commentFamily returns the family named by a "# HELP" or "# TYPE" line, or
// nil for any other comment.
func commentFamily(line []byte) []byte {
	rest, ok := bytes.CutPrefix(line, []byte("# HELP "))
	if !ok {
		if rest, ok = bytes.CutPrefix(line, []byte("# TYPE ")); !ok {
			return nil
		}
	}
	name, _, _ := bytes.Cut(rest, []byte{' '})
	return name
}

// Handler returns an http.Handler for a /metrics endpoint: it answers every
// request with WritePrometheus's output and Content-Type ContentType.
func (m *Metrics) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", ContentType)
		m.WritePrometheus(w)
	})
}

// Push starts pushing WritePrometheus's output to pushURL every interval
// (Default: DefaultPushInterval), the first push one interval from now,
// through the library's push support (metrics.InitPushExtWithOptions). For
// VictoriaMetrics use its /api/v1/import/prometheus endpoint. Pushing stops
// when ctx is done; opts.WaitGroup, if set, is released once it has stopped.
// opts may be nil. Push errors are passed to opts.LogErr and dropped when it
// is nil (the library's default would print them through the standard log
// package). Push returns an error only for an invalid URL or options.
func (m *Metrics) Push(ctx context.Context, pushURL string, interval time.Duration, opts *vm.PushOptions) error {
	if interval <= 0 {
		interval = DefaultPushInterval
	}
	return vm.InitPushExtWithOptions(ctx, pushURL, interval, m.WritePrometheus, pushOptions(opts))
}

// PushNow pushes WritePrometheus's output to pushURL once, as Push does on
// each tick; use it to send the final values when a program stops.
func (m *Metrics) PushNow(ctx context.Context, pushURL string, opts *vm.PushOptions) error {
	return vm.PushMetricsExt(ctx, pushURL, m.WritePrometheus, pushOptions(opts))
}

func pushOptions(opts *vm.PushOptions) *vm.PushOptions {
	var o vm.PushOptions
	if opts != nil {
		o = *opts
	}
	if o.LogErr == nil {
		o.LogErr = func(string, ...any) {}
	}
	return &o
}
