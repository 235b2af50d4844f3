package redact

import (
	"context"
	"log/slog"
	"slices"
	"sync"
)

// handler is the redacting slog.Handler. It is immutable: WithAttrs and
// WithGroup return new handlers that share the immutable core.
type handler struct {
	next slog.Handler
	c    *core
	path string // dotted names of the groups opened by WithGroup, for audit
}

var _ slog.Handler = (*handler)(nil)

// core is the configuration shared by a handler and all handlers derived
// from it. Only the type cache changes after NewHandler returns.
type core struct {
	keys    keySet // sensitive keys minus allowed keys
	allowed keySet // whole keys only
	mode    Mode
	det     detectors
	scan    bool // some detector is on
	message bool
	structs bool
	audit   func(path string, reason Reason)
	types   sync.Map // reflect.Type -> *typeInfo
}

// NewHandler returns a handler that redacts sensitive attributes and then
// passes every record, and every WithAttrs and WithGroup call, to next. With
// no options it drops the attributes whose keys end in a key of
// [DefaultKeys], the sensitive fields of struct values and every [Secret];
// see the package documentation for the rules. It panics if next is nil.
func NewHandler(next slog.Handler, opts ...Option) slog.Handler {
	if next == nil {
		panic("redact: NewHandler called with a nil next handler")
	}
	var cfg config
	for _, o := range opts {
		if o != nil {
			o.apply(&cfg)
		}
	}
	base := cfg.base
	if base == nil {
		base = defaultKeys[:]
	}
	allowed := make(map[string]struct{}, len(cfg.allowed))
	for _, k := range cfg.allowed {
		if n := NormalizeKey(k); n != "" {
			allowed[n] = struct{}{}
		}
	}
	keys := make(map[string]struct{}, len(base)+len(cfg.added))
	for _, k := range slices.Concat(base, cfg.added) {
		n := NormalizeKey(k)
		if _, ok := allowed[n]; n != "" && !ok {
			keys[n] = struct{}{}
		}
	}
	c := &core{
		keys:    newKeySet(keys, cfg.wholeKeys),
		allowed: newKeySet(allowed, true),
		mode:    cfg.mode,
		structs: !cfg.noStructs,
		audit:   cfg.audit,
	}
	c.det = newDetectors(cfg.detect, cfg.patterns, &c.keys, &c.allowed)
	c.scan = c.det.active()
	c.message = cfg.message && c.scan
	return &handler{next: next, c: c}
}

// Enabled reports whether next handles records at level l.
func (h *handler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

// Handle redacts r and passes it to next. A record that needs no change is
// passed on as it is, without allocating; otherwise a new record is built
// and r, its attributes and their slices are left untouched.
//
// Each attribute is walked once. The walk stops at the first attribute that
// changes; the new record then takes the attributes before it as they are,
// that attribute's result, and the rest walked as they are added.
func (h *handler) Handle(ctx context.Context, r slog.Record) error {
	s := state{c: h.c}
	msg, msgChanged := r.Message, false
	if h.c.message { // audited as "msg", outside any group
		s.push(slog.MessageKey)
		msg, msgChanged = s.scanString(r.Message)
		s.path = s.path[:0]
	}
	s.start(h.path)
	first := -1 // index of the first attribute that changes
	var (
		firstVal slog.Value
		firstOut outcome
	)
	i := 0
	r.Attrs(func(a slog.Attr) bool {
		if v, o := s.attr(a); o != unchanged {
			first, firstVal, firstOut = i, v, o
			return false
		}
		i++
		return true
	})
	if first < 0 && !msgChanged {
		return h.next.Handle(ctx, r)
	}
	nr := slog.NewRecord(r.Time, r.Level, msg, r.PC)
	i = 0
	r.Attrs(func(a slog.Attr) bool {
		switch {
		case first < 0 || i < first:
			nr.AddAttrs(a)
		case i == first:
			if firstOut == replaced {
				nr.AddAttrs(slog.Attr{Key: a.Key, Value: firstVal})
			}
		default:
			s.appendAttr(&nr, a)
		}
		i++
		return true
	})
	return h.next.Handle(ctx, nr)
}

// WithAttrs redacts attrs once, now, and returns a handler whose next has
// the redacted copy. attrs is never modified or retained.
func (h *handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return h
	}
	s := state{c: h.c}
	s.start(h.path)
	out := make([]slog.Attr, 0, len(attrs))
	for _, a := range attrs {
		switch v, o := s.attr(a); o {
		case unchanged:
			out = append(out, a)
		case replaced:
			out = append(out, slog.Attr{Key: a.Key, Value: v})
		}
	}
	if len(out) == 0 {
		return h
	}
	return &handler{next: h.next.WithAttrs(out), c: h.c, path: h.path}
}

// WithGroup returns a handler whose next has the group opened. The group's
// name is not matched as a key; it prefixes the audit paths.
func (h *handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	path := name
	if h.path != "" {
		path = h.path + "." + name
	}
	return &handler{next: h.next.WithGroup(name), c: h.c, path: path}
}

// sensitive reports whether an attribute under key is redacted by its key.
func (c *core) sensitive(key string) bool {
	return c.keys.match(key) && !c.allowed.hasWhole(key)
}

// scans reports whether value detectors apply to the value under key.
func (c *core) scans(key string) bool {
	return c.scan && !c.allowed.hasWhole(key)
}
