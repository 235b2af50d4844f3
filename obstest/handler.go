package obstest

import (
	"context"
	"log/slog"
	"reflect"
	"slices"
	"sync"
	"time"
)

// HandlerOptions configures NewHandler. A nil *HandlerOptions is the zero
// value.
type HandlerOptions struct {
	// Level is the minimum level captured. (Default: nil, every level,
	// DEBUG and below included.)
	Level slog.Leveler
}

// Handler is a slog.Handler that captures records in memory for tests. It is
// safe for concurrent use; handlers derived with WithAttrs and WithGroup
// share the captured records with the handler they came from.
type Handler struct {
	level  slog.Leveler
	prefix string      // WithGroup path, "a.b." or ""
	attrs  []slog.Attr // WithAttrs, resolved and flattened
	store  *store
}

type store struct {
	mu      sync.Mutex
	records []Record
}

var _ slog.Handler = (*Handler)(nil)

// NewHandler returns an empty capturing Handler.
func NewHandler(opts *HandlerOptions) *Handler {
	h := &Handler{store: &store{}}
	if opts != nil {
		h.level = opts.Level
	}
	return h
}

// Record is one captured record. Attrs holds the handler's With attributes
// followed by the record's own, resolved and flattened to dotted keys; empty
// attributes and empty groups are left out. A Record is never modified
// after it is captured.
type Record struct {
	Time    time.Time
	Level   slog.Level
	Message string
	PC      uintptr
	Attrs   []slog.Attr
}

// Attr returns the value of the attribute with the flattened key ("k",
// "g.k"); when a key repeats, the last one wins, as it would in a JSON
// object.
func (r Record) Attr(key string) (slog.Value, bool) {
	for i := len(r.Attrs) - 1; i >= 0; i-- {
		if r.Attrs[i].Key == key {
			return r.Attrs[i].Value, true
		}
	}
	return slog.Value{}, false
}

// Enabled reports whether level is at least the configured minimum.
func (h *Handler) Enabled(_ context.Context, level slog.Level) bool {
	return h.level == nil || level >= h.level.Level()
}

// Handle captures r.
func (h *Handler) Handle(_ context.Context, r slog.Record) error {
	rec := Record{Time: r.Time, Level: r.Level, Message: r.Message, PC: r.PC}
	rec.Attrs = make([]slog.Attr, len(h.attrs), len(h.attrs)+r.NumAttrs())
	copy(rec.Attrs, h.attrs)
	r.Attrs(func(a slog.Attr) bool {
		rec.Attrs = flatten(rec.Attrs, h.prefix, a)
		return true
	})
	h.store.mu.Lock()
	h.store.records = append(h.store.records, rec)
	h.store.mu.Unlock()
	return nil
}

// WithAttrs returns a Handler that adds attrs to every record.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	h2 := *h
	h2.attrs = slices.Clip(h.attrs)
	for _, a := range attrs {
		h2.attrs = flatten(h2.attrs, h.prefix, a)
	}
	return &h2
}

// WithGroup returns a Handler that prefixes later attribute keys with
// name and a dot. An empty name returns h.
func (h *Handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	h2 := *h
	h2.prefix = h.prefix + name + "."
	return &h2
}

// flatten appends a to dst with its value resolved and its key prefixed,
// expanding groups into dotted keys.
func flatten(dst []slog.Attr, prefix string, a slog.Attr) []slog.Attr {
	a.Value = a.Value.Resolve()
	if a.Value.Kind() == slog.KindGroup {
		if a.Key != "" { // an empty key inlines the group
			prefix += a.Key + "."
		}
		for _, g := range a.Value.Group() {
			dst = flatten(dst, prefix, g)
		}
		return dst
	}
	if a.Equal(slog.Attr{}) {
		return dst
	}
	a.Key = prefix + a.Key
	return append(dst, a)
}

// Records returns a copy of the captured records, oldest first.
func (h *Handler) Records() []Record {
	h.store.mu.Lock()
	defer h.store.mu.Unlock()
	return slices.Clone(h.store.records)
}

// Len returns the number of captured records.
func (h *Handler) Len() int {
	h.store.mu.Lock()
	defer h.store.mu.Unlock()
	return len(h.store.records)
}

// Reset forgets every captured record.
func (h *Handler) Reset() {
	h.store.mu.Lock()
	h.store.records = nil
	h.store.mu.Unlock()
}

// Find returns the records for which match is true, oldest first.
func (h *Handler) Find(match func(Record) bool) []Record {
	var out []Record
	for _, r := range h.Records() {
		if match(r) {
			out = append(out, r)
		}
	}
	return out
}

// ByMessage returns the records with message msg.
func (h *Handler) ByMessage(msg string) []Record {
	return h.Find(func(r Record) bool { return r.Message == msg })
}

// ByLevel returns the records at exactly level.
func (h *Handler) ByLevel(level slog.Level) []Record {
	return h.Find(func(r Record) bool { return r.Level == level })
}

// WithAttr returns the records whose attribute key (flattened, "g.k") equals
// value. value is compared as slog.AnyValue(value), so an int matches an
// int64 attribute and a string matches a string; a slog.Value is used as is.
func (h *Handler) WithAttr(key string, value any) []Record {
	want, ok := value.(slog.Value)
	if !ok {
		want = slog.AnyValue(value)
	}
	want = want.Resolve()
	return h.Find(func(r Record) bool {
		got, ok := r.Attr(key)
		return ok && valueEqual(got, want)
	})
}

func valueEqual(a, b slog.Value) bool {
	if a.Kind() == slog.KindAny && b.Kind() == slog.KindAny {
		return reflect.DeepEqual(a.Any(), b.Any()) // Value.Equal panics on uncomparable values
	}
	return a.Equal(b)
}
