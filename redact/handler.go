package redact

import (
	"context"
	"log/slog"
	"maps"
	"reflect"
	"slices"
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
// from it. It is never written after NewHandler returns.
type core struct {
	keys    keySet // sensitive keys minus allowed keys
	allowed keySet
	mode    Mode
	det     detectors
	message bool
	audit   func(path string, reason Reason)
}

// NewHandler returns a handler that redacts sensitive attributes and then
// passes every record, and every WithAttrs and WithGroup call, to next. With
// no options it drops the attributes whose keys are in [DefaultKeys] and
// every [Secret]; see the package documentation for the rules. It panics if
// next is nil.
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
	return &handler{next: next, c: &core{
		keys:    keySet(keys),
		allowed: keySet(allowed),
		mode:    cfg.mode,
		det:     slices.Clone(cfg.detectors),
		message: cfg.message && len(cfg.detectors) > 0,
		audit:   cfg.audit,
	}}
}

// Enabled reports whether next handles records at level l.
func (h *handler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

// Handle redacts r and passes it to next. A record that needs no change is
// passed on as it is, without allocating; otherwise a new record is built
// and r, its attributes and their slices are left untouched.
func (h *handler) Handle(ctx context.Context, r slog.Record) error {
	c := h.c
	msgHit := c.message && c.det.match(r.Message)
	if !msgHit && !c.recordNeeds(&r) {
		return h.next.Handle(ctx, r)
	}
	msg := r.Message
	if msgHit {
		msg, _ = c.det.mask(msg)
		c.report(slog.MessageKey, ReasonValue)
	}
	nr := slog.NewRecord(r.Time, r.Level, msg, r.PC)
	var buf [16]slog.Attr
	attrs := buf[:0]
	r.Attrs(func(a slog.Attr) bool {
		attrs = c.appendAttr(attrs, a, h.path)
		return true
	})
	nr.AddAttrs(attrs...)
	return h.next.Handle(ctx, nr)
}

// WithAttrs redacts attrs once, now, and returns a handler whose next has
// the redacted copy. attrs is never modified or retained.
func (h *handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return h
	}
	out := make([]slog.Attr, 0, len(attrs))
	for _, a := range attrs {
		out = h.c.appendAttr(out, a, h.path)
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

// recordNeeds reports whether any attribute of r must change. It never
// allocates, never calls LogValue and never calls the audit hook.
func (c *core) recordNeeds(r *slog.Record) bool {
	need := false
	r.Attrs(func(a slog.Attr) bool {
		need = c.needs(a)
		return !need
	})
	return need
}

// needs reports whether a must change; it is attr in a dry run with the
// common case, a scalar and no detectors, inlined.
func (c *core) needs(a slog.Attr) bool {
	switch a.Value.Kind() {
	case slog.KindGroup, slog.KindAny, slog.KindLogValuer:
	case slog.KindString:
		if len(c.det) > 0 {
			break
		}
		return c.keys.has(a.Key)
	default:
		return c.keys.has(a.Key)
	}
	_, _, ch := c.attr(a, "", true)
	return ch
}

// appendAttr appends the redacted form of a, if it is kept, to dst.
func (c *core) appendAttr(dst []slog.Attr, a slog.Attr, parent string) []slog.Attr {
	if v, keep, _ := c.attr(a, parent, false); keep {
		dst = append(dst, slog.Attr{Key: a.Key, Value: v})
	}
	return dst
}

// The walkers below (attr, value, any and their helpers) serve two passes
// with one set of rules. With dry set they only report, as soon as they
// know, whether anything would change: they do not allocate, resolve
// LogValuers, build paths or audit. With dry unset they return the redacted
// value, whether to keep it, and whether it changed, never modifying what
// they were given.

// attr redacts one attribute found under the path parent.
func (c *core) attr(a slog.Attr, parent string, dry bool) (slog.Value, bool, bool) {
	if dry {
		if k := a.Value.Kind(); k != slog.KindGroup && k != slog.KindAny && k != slog.KindLogValuer &&
			(k != slog.KindString || len(c.det) == 0) {
			return a.Value, true, c.keys.has(a.Key) // a scalar changes only by its key
		}
	}
	if a.Key == "" {
		return c.value(a.Value, parent, true, dry)
	}
	path := c.child(parent, a.Key, dry)
	if c.keys.has(a.Key) {
		return c.redact(path, ReasonKey, dry)
	}
	return c.value(a.Value, path, c.scans(a.Key), dry)
}

// scans reports whether value detectors apply to the value under key.
func (c *core) scans(key string) bool {
	return len(c.det) > 0 && !c.allowed.has(key)
}

// value redacts v found at path. scan says whether detectors apply to it.
func (c *core) value(v slog.Value, path string, scan, dry bool) (slog.Value, bool, bool) {
	changed := false
	if v.Kind() == slog.KindLogValuer {
		if isSecret(v.Any()) {
			return c.redact(path, ReasonSecret, dry)
		}
		if dry {
			return v, true, true // resolved only once, when rebuilding
		}
		v, changed = v.Resolve(), true
	}
	switch v.Kind() {
	case slog.KindGroup:
		as := v.Group()
		out, ch := c.attrs(as, path, dry)
		switch {
		case dry || !ch:
			return v, true, changed || ch
		case len(out) == 0 && len(as) > 0:
			return slog.Value{}, false, true
		}
		return slog.GroupValue(out...), true, true
	case slog.KindString:
		if s, ok := c.scan(v.String(), path, scan, dry); ok {
			return slog.StringValue(s), true, true
		}
	case slog.KindAny:
		x, keep, ch := c.any(v.Any(), path, scan, dry)
		if ch {
			return slog.AnyValue(x), keep, true
		}
	}
	return v, true, changed
}

// attrs redacts a group's attributes, copying the slice only when
// something changes.
func (c *core) attrs(as []slog.Attr, path string, dry bool) ([]slog.Attr, bool) {
	var out []slog.Attr
	for i, a := range as {
		v, keep, ch := c.attr(a, path, dry)
		if ch && dry {
			return nil, true
		}
		if ch && out == nil {
			out = make([]slog.Attr, i, len(as))
			copy(out, as[:i])
		}
		if out != nil && keep {
			out = append(out, slog.Attr{Key: a.Key, Value: v})
		}
	}
	return out, out != nil
}

// scan applies the detectors to s when scan is set; it reports whether
// they matched.
func (c *core) scan(s, path string, scan, dry bool) (string, bool) {
	if !scan || len(c.det) == 0 {
		return s, false
	}
	if dry {
		return s, c.det.match(s)
	}
	m, ok := c.det.mask(s)
	if ok {
		c.report(path, ReasonValue)
	}
	return m, ok
}

// redact applies the mode to a value that must go.
func (c *core) redact(path string, reason Reason, dry bool) (slog.Value, bool, bool) {
	if !dry {
		c.report(path, reason)
	}
	if c.mode == Mask {
		return slog.StringValue(Redacted), true, true
	}
	return slog.Value{}, false, true
}

// redactAny is redact for an element of a map or slice.
func (c *core) redactAny(path string, reason Reason, dry bool) (any, bool, bool) {
	v, keep, _ := c.redact(path, reason, dry)
	if !keep {
		return nil, false, true
	}
	return v.String(), true, true
}

// report calls the audit hook.
func (c *core) report(path string, reason Reason) {
	if c.audit != nil {
		c.audit(path, reason)
	}
}

// child returns the audit path of key under parent; it builds one only when
// an audit hook will receive it.
func (c *core) child(parent, key string, dry bool) string {
	if dry || c.audit == nil {
		return ""
	}
	if parent == "" {
		return key
	}
	return parent + "." + key
}

func isSecret(x any) bool {
	switch x.(type) {
	case Secret, *Secret:
		return true
	}
	return false
}

var (
	secretType    = reflect.TypeFor[Secret]()
	logValuerType = reflect.TypeFor[slog.LogValuer]()
	errorType     = reflect.TypeFor[error]()
	attrType      = reflect.TypeFor[slog.Attr]()
	valueType     = reflect.TypeFor[slog.Value]()
)

// any redacts a value held by a slog.Value of kind Any, or an element of a
// map or slice. Maps with string keys and slices are searched; a container
// that changes is copied (the common types keep their type, others become
// map[string]any or []any), never modified.
func (c *core) any(x any, path string, scan, dry bool) (any, bool, bool) {
	switch t := x.(type) {
	case nil:
		return x, true, false
	case Secret, *Secret:
		return c.redactAny(path, ReasonSecret, dry)
	case slog.LogValuer:
		if dry {
			return x, true, true
		}
		v, keep, _ := c.value(slog.AnyValue(t).Resolve(), path, scan, false)
		return valueToAny(v), keep, true
	case slog.Attr:
		v, keep, ch := c.attr(t, path, dry)
		return slog.Attr{Key: t.Key, Value: v}, keep, ch
	case slog.Value:
		return c.value(t, path, scan, dry)
	case error:
		if scan && len(c.det) > 0 {
			if s, ok := c.scan(t.Error(), path, scan, dry); ok {
				return s, true, true
			}
		}
		return x, true, false
	case string:
		if s, ok := c.scan(t, path, scan, dry); ok {
			return s, true, true
		}
		return x, true, false
	case []byte:
		if scan && len(c.det) > 0 {
			if s, ok := c.scan(string(t), path, scan, dry); ok {
				return s, true, true
			}
		}
		return x, true, false
	case map[string]any:
		if out, ch := c.mapAny(t, path, dry); ch {
			return out, true, true
		}
	case map[string]string:
		if out, ch := c.mapString(t, path, dry); ch {
			return out, true, true
		}
	case []any:
		if out, ch := c.sliceAny(t, path, dry); ch {
			return out, true, true
		}
	case []string:
		if out, ch := c.sliceString(t, path, dry); ch {
			return out, true, true
		}
	case []slog.Attr:
		if out, ch := c.attrs(t, path, dry); ch {
			return out, true, true
		}
	default:
		return c.reflect(x, path, dry)
	}
	return x, true, false
}

// mapAny redacts a map by its keys and values; the copy keeps the map's type.
func (c *core) mapAny(m map[string]any, path string, dry bool) (map[string]any, bool) {
	var out map[string]any
	for k, e := range m {
		kp := c.child(path, k, dry)
		var (
			ne       any
			keep, ch bool
		)
		if c.keys.has(k) {
			ne, keep, ch = c.redactAny(kp, ReasonKey, dry)
		} else {
			ne, keep, ch = c.any(e, kp, c.scans(k), dry)
		}
		if !ch {
			continue
		}
		if dry {
			return nil, true
		}
		if out == nil {
			out = maps.Clone(m)
		}
		if keep {
			out[k] = ne
		} else {
			delete(out, k)
		}
	}
	return out, out != nil
}

// mapString redacts a map by its keys and values; the copy keeps the map's
// type, masking with [Redacted].
func (c *core) mapString(m map[string]string, path string, dry bool) (map[string]string, bool) {
	var out map[string]string
	for k, e := range m {
		kp := c.child(path, k, dry)
		ne, keep, ch := e, true, false
		if c.keys.has(k) {
			if !dry {
				c.report(kp, ReasonKey)
			}
			ne, keep, ch = Redacted, c.mode == Mask, true
		} else {
			ne, ch = c.scan(e, kp, c.scans(k), dry)
		}
		if !ch {
			continue
		}
		if dry {
			return nil, true
		}
		if out == nil {
			out = maps.Clone(m)
		}
		if keep {
			out[k] = ne
		} else {
			delete(out, k)
		}
	}
	return out, out != nil
}

// sliceAny redacts each element; a dropped element is removed.
func (c *core) sliceAny(s []any, path string, dry bool) ([]any, bool) {
	var out []any
	for i, e := range s {
		ne, keep, ch := c.any(e, path, true, dry)
		if ch && dry {
			return nil, true
		}
		if ch && out == nil {
			out = make([]any, i, len(s))
			copy(out, s[:i])
		}
		if out != nil && keep {
			out = append(out, ne)
		}
	}
	return out, out != nil
}

// sliceString applies the detectors to each element.
func (c *core) sliceString(s []string, path string, dry bool) ([]string, bool) {
	if len(c.det) == 0 {
		return nil, false
	}
	var out []string
	for i, e := range s {
		ne, ch := c.scan(e, path, true, dry)
		if ch && dry {
			return nil, true
		}
		if ch && out == nil {
			out = slices.Clone(s)
		}
		if out != nil {
			out[i] = ne
		}
	}
	return out, out != nil
}

// reflect searches maps with string keys and slices or arrays of any other
// type (http.Header, url.Values, named map types, []map[string]any, ...),
// but only when their element type can hold something to redact. A changed
// container is rebuilt as map[string]any or []any.
func (c *core) reflect(x any, path string, dry bool) (any, bool, bool) {
	rv := reflect.ValueOf(x)
	switch rv.Kind() {
	case reflect.Map:
		t := rv.Type()
		if t.Key().Kind() != reflect.String || (len(c.keys) == 0 && !c.mayNeed(t.Elem(), 0)) {
			return x, true, false
		}
		var out map[string]any
		changed := false
		for it := rv.MapRange(); it.Next(); {
			k := it.Key().String()
			kp := c.child(path, k, dry)
			var (
				ne       any
				keep, ch bool
			)
			if c.keys.has(k) {
				ne, keep, ch = c.redactAny(kp, ReasonKey, dry)
			} else {
				ne, keep, ch = c.any(it.Value().Interface(), kp, c.scans(k), dry)
			}
			if ch && dry {
				return x, true, true
			}
			changed = changed || ch
			if !dry && keep {
				if out == nil {
					out = make(map[string]any, rv.Len())
				}
				out[k] = ne
			}
		}
		if !changed {
			return x, true, false
		}
		if out == nil {
			out = map[string]any{}
		}
		return out, true, true
	case reflect.Slice, reflect.Array:
		if (rv.Kind() == reflect.Slice && rv.IsNil()) || !c.mayNeed(rv.Type().Elem(), 0) {
			return x, true, false
		}
		var out []any
		changed := false
		for i := range rv.Len() {
			ne, keep, ch := c.any(rv.Index(i).Interface(), path, true, dry)
			if ch && dry {
				return x, true, true
			}
			changed = changed || ch
			if !dry && keep {
				out = append(out, ne)
			}
		}
		if !changed {
			return x, true, false
		}
		if out == nil {
			out = []any{}
		}
		return out, true, true
	}
	return x, true, false
}

// mayNeed reports whether a value of type t can hold something to redact,
// so that containers of plain data are not searched.
func (c *core) mayNeed(t reflect.Type, depth int) bool {
	if depth > 8 {
		return true
	}
	switch {
	case t == secretType || t == attrType || t == valueType || t.Implements(logValuerType):
		return true
	case t.Implements(errorType):
		return len(c.det) > 0
	}
	switch t.Kind() {
	case reflect.Interface:
		return true
	case reflect.String:
		return len(c.det) > 0
	case reflect.Map:
		return t.Key().Kind() == reflect.String && (len(c.keys) > 0 || c.mayNeed(t.Elem(), depth+1))
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return len(c.det) > 0
		}
		return c.mayNeed(t.Elem(), depth+1)
	case reflect.Pointer:
		return t.Elem() == secretType
	}
	return false
}

// valueToAny converts a resolved, redacted value back to a plain Go value
// for storing in a map or slice: a group becomes a map[string]any.
func valueToAny(v slog.Value) any {
	if v.Kind() != slog.KindGroup {
		return v.Any()
	}
	m := make(map[string]any, len(v.Group()))
	addGroup(m, v.Group())
	return m
}

func addGroup(m map[string]any, as []slog.Attr) {
	for _, a := range as {
		if a.Key == "" && a.Value.Kind() == slog.KindGroup {
			addGroup(m, a.Value.Group())
			continue
		}
		m[a.Key] = valueToAny(a.Value)
	}
}
