package redact

import (
	"context"
	"log/slog"
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
	anyOK   bool   // some key is allowed
	mode    Mode
	det     detectors
	scan    bool // some detector is on
	message bool
	structs bool
	audit   func(path string, reason Reason)
	types   sync.Map // reflect.Type -> *typeInfo
	cache   keyCache // decisions of sensitive, by key address
	ro      roRange  // where string literals are: values there are cached
	vals    keyCache // results of det.match for strings in ro, by address
}

// NewHandler returns a handler that redacts what opts describes (nil
// opts: the defaults, see [Options]) and then passes every record, and
// every WithAttrs and WithGroup call, to next. It panics if next is nil,
// a programming error.
func NewHandler(next slog.Handler, opts *Options) slog.Handler {
	if next == nil {
		panic("redact: NewHandler called with a nil next handler")
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	base := o.Keys
	if base == nil {
		base = defaultKeys[:]
	}
	allowed := make(map[string]struct{}, len(o.AllowKeys))
	for _, k := range o.AllowKeys {
		if n := NormalizeKey(k); n != "" {
			allowed[n] = struct{}{}
		}
	}
	keys := make(map[string]struct{}, len(base))
	for _, k := range base {
		n := NormalizeKey(k)
		if _, ok := allowed[n]; n != "" && !ok {
			keys[n] = struct{}{}
		}
	}
	det := o.Detectors
	switch {
	case det == 0:
		det = AllDetectors
	case det&NoDetectors != 0:
		det = 0
	}
	c := &core{
		keys:    newKeySet(keys, false),
		allowed: newKeySet(allowed, true),
		mode:    o.Mode,
		structs: !o.NoStructFields,
		audit:   o.Audit,
		ro:      literals(),
	}
	c.anyOK = len(allowed) > 0
	c.det = newDetectors(det, o.Patterns, &c.keys, &c.allowed)
	c.scan = c.det.active()
	c.message = o.ScanMessage && c.scan
	return &handler{next: next, c: c}
}

// Enabled reports whether next handles records at level l.
func (h *handler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

// Handle redacts r and passes it to next. A record that needs no change is
// passed on as it is, without allocating; otherwise a new record is built
// from the walk's edits, and r, its attributes and their slices are left
// untouched.
func (h *handler) Handle(ctx context.Context, r slog.Record) error {
	s := state{c: h.c}
	msg, msgChanged := r.Message, false
	if h.c.message { // audited as "msg", outside any group
		s.push(slog.MessageKey)
		msg, msgChanged = s.scanString(r.Message)
	}
	s.start(h.path)
	e := s.record(&r)
	if len(e.at) == 0 && !msgChanged {
		return h.next.Handle(ctx, r)
	}
	nr := slog.NewRecord(r.Time, r.Level, msg, r.PC)
	i, k := 0, 0
	r.Attrs(func(a slog.Attr) bool {
		if k < len(e.at) && e.at[k].i == i {
			if e.at[k].o == replaced {
				nr.AddAttrs(slog.Attr{Key: a.Key, Value: e.at[k].v})
			}
			k++
		} else {
			nr.AddAttrs(a)
		}
		i++
		return true
	})
	return h.next.Handle(ctx, nr)
}

// record walks r's attributes and returns their edits (none, and nothing
// allocated, when nothing changes). It is apart from Handle so that its
// loop keeps few values live across the calls of attr.
func (s *state) record(r *slog.Record) edits {
	var e edits
	i := 0
	r.Attrs(func(a slog.Attr) bool {
		v, o := s.attr(&a)
		e.note(i, a.Key, v, o)
		i++
		return true
	})
	return e
}

// WithAttrs redacts attrs once, now, and returns a handler whose next has
// the redacted copy. attrs is never modified or retained.
func (h *handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return h
	}
	s := state{c: h.c}
	s.start(h.path)
	out, o := s.attrs(attrs)
	switch o {
	case dropped:
		return h
	case unchanged:
		out = append([]slog.Attr(nil), attrs...)
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

// sensitive reports whether a value under key is redacted by its key. A
// key met before is answered by the cache, inline.
func (c *core) sensitive(key string) bool {
	if s, ok := c.cache.lookup(key); ok {
		return s
	}
	return c.decide(key)
}

// decide is sensitive for a key not in the first slot of its cache set:
// the second slot, else the key sets, and the decision is remembered.
func (c *core) decide(key string) bool {
	if s, ok := c.cache.lookupSecond(key); ok {
		return s
	}
	s := c.keys.match(key) && (!c.anyOK || !c.allowed.hasWhole(key))
	c.cache.store(key, s)
	return s
}

// matches reports whether a detector finds something in str. For a string
// in read-only data (a literal: a message, a constant value) the result
// is remembered by the string's address, as key decisions are; such
// bytes cannot change.
func (c *core) matches(str string) bool {
	if len(str) < c.det.minLen {
		return false
	}
	if !c.ro.has(str) {
		return c.det.candidate(str)
	}
	if m, ok := c.vals.lookup(str); ok {
		return m
	}
	return c.matchStore(str)
}

// matchStore is matches for a literal not in the first slot of its set.
func (c *core) matchStore(str string) bool {
	if m, ok := c.vals.lookupSecond(str); ok {
		return m
	}
	m := c.det.candidate(str)
	c.vals.store(str, m)
	return m
}

// scans reports whether value detectors apply to the value under key.
func (c *core) scans(key string) bool {
	return c.scan && (!c.anyOK || !c.allowed.hasWhole(key))
}
