package redact

import (
	"log/slog"
	"maps"
	"slices"
)

// outcome says what the walk did to a value.
type outcome uint8

const (
	unchanged outcome = iota // the value passes as it is
	replaced                 // the value is replaced by the one returned
	dropped                  // the value is removed
)

// maxDepth bounds how deep the walk follows maps, slices, pointers and
// structs; a cyclic value would otherwise never end.
const maxDepth = 32

// state carries one walk through a record's attributes (or the attributes
// of one WithAttrs call), as log/slog's handleState carries one record
// through a handler. The walk returns, for each value, an outcome and the
// replacement; it copies a group, map or slice only once something in it
// changes, and never modifies what it was given.
type state struct {
	c     *core
	path  []byte // dotted key path of the value walked, kept only for audit
	depth int
}

// start sets the path to the names of the groups opened by WithGroup.
func (s *state) start(prefix string) {
	s.path = s.path[:0]
	if s.c.audit != nil {
		s.path = append(s.path, prefix...)
	}
}

// push appends key to the path and returns the length to pop back to.
func (s *state) push(key string) int {
	n := len(s.path)
	if s.c.audit != nil {
		if n > 0 {
			s.path = append(s.path, '.')
		}
		s.path = append(s.path, key...)
	}
	return n
}

func (s *state) pop(n int) { s.path = s.path[:n] }

// report calls the audit hook with the current path.
func (s *state) report(reason Reason) {
	if s.c.audit != nil {
		s.c.audit(string(s.path), reason)
	}
}

// attr walks one attribute. This is the one place of the fast-path rule:
// an attribute under a sensitive key is redacted; otherwise a scalar
// passes, and so does a string in which no detector finds anything; only
// groups, LogValuers, values of kind Any and strings with a match are
// walked further.
func (s *state) attr(a slog.Attr) (slog.Value, outcome) {
	if a.Key == "" { // an inline group: its attributes are matched by their keys
		return s.value(a.Value, s.c.scan)
	}
	if s.c.sensitive(a.Key) {
		n := s.push(a.Key)
		v, o := s.redact(ReasonKey)
		s.pop(n)
		return v, o
	}
	switch a.Value.Kind() {
	case slog.KindGroup, slog.KindAny, slog.KindLogValuer:
	case slog.KindString:
		if !s.c.scan || !s.c.det.match(a.Value.String()) {
			return a.Value, unchanged
		}
	default:
		return a.Value, unchanged
	}
	n := s.push(a.Key)
	v, o := s.value(a.Value, s.c.scans(a.Key))
	s.pop(n)
	return v, o
}

// appendAttr adds the walked form of a to r, unless it is dropped.
func (s *state) appendAttr(r *slog.Record, a slog.Attr) {
	switch v, o := s.attr(a); o {
	case unchanged:
		r.AddAttrs(a)
	case replaced:
		r.AddAttrs(slog.Attr{Key: a.Key, Value: v})
	}
}

// redact applies the mode to the value at the current path.
func (s *state) redact(reason Reason) (slog.Value, outcome) {
	s.report(reason)
	if s.c.mode == Mask {
		return slog.StringValue(Redacted), replaced
	}
	return slog.Value{}, dropped
}

// redactAny is redact for a value inside a map, slice or struct.
func (s *state) redactAny(reason Reason) (any, outcome) {
	s.report(reason)
	if s.c.mode == Mask {
		return Redacted, replaced
	}
	return nil, dropped
}

// value walks v; scan says whether detectors apply to its strings.
func (s *state) value(v slog.Value, scan bool) (slog.Value, outcome) {
	o := unchanged
	if v.Kind() == slog.KindLogValuer {
		if isSecret(v.Any()) {
			return s.redact(ReasonSecret) // never resolved
		}
		v, o = v.Resolve(), replaced // resolved once, here
	}
	switch v.Kind() {
	case slog.KindGroup:
		switch as, go_ := s.attrs(v.Group()); go_ {
		case dropped:
			return slog.Value{}, dropped
		case replaced:
			return slog.GroupValue(as...), replaced
		}
	case slog.KindString:
		if scan {
			if m, ok := s.scanString(v.String()); ok {
				return slog.StringValue(m), replaced
			}
		}
	case slog.KindAny:
		switch x, xo := s.any(v.Any(), scan); xo {
		case dropped:
			return slog.Value{}, dropped
		case replaced:
			return slog.AnyValue(x), replaced
		}
	}
	return v, o
}

// attrs walks a group's attributes, copying the slice once something
// changes. A non-empty group left empty is dropped, as slog handlers omit
// empty groups.
func (s *state) attrs(as []slog.Attr) ([]slog.Attr, outcome) {
	var out []slog.Attr
	for i, a := range as {
		v, o := s.attr(a)
		if o == unchanged {
			if out != nil {
				out = append(out, a)
			}
			continue
		}
		if out == nil {
			out = make([]slog.Attr, i, len(as))
			copy(out, as[:i])
		}
		if o == replaced {
			out = append(out, slog.Attr{Key: a.Key, Value: v})
		}
	}
	switch {
	case out == nil:
		return as, unchanged
	case len(out) == 0:
		return nil, dropped
	}
	return out, replaced
}

// scanString masks what the detectors find in str and audits it.
func (s *state) scanString(str string) (string, bool) {
	if !s.c.scan || !s.c.det.match(str) {
		return str, false
	}
	m, ok := s.c.det.mask(str)
	if ok {
		s.report(ReasonValue)
	}
	return m, ok
}

func isSecret(x any) bool {
	switch x.(type) {
	case Secret, *Secret:
		return true
	}
	return false
}

// any walks a value held by a slog.Value of kind Any, or an element of a
// map, slice or struct. A container that changes is copied (the common
// types keep their type, others become map[string]any or []any), never
// modified.
func (s *state) any(x any, scan bool) (any, outcome) {
	if s.depth >= maxDepth {
		if x != nil && s.c.mayNeed(x) {
			return s.redactAny(ReasonDepth)
		}
		return x, unchanged
	}
	s.depth++
	defer func() { s.depth-- }()
	switch t := x.(type) {
	case nil:
	case Secret, *Secret:
		return s.redactAny(ReasonSecret)
	case slog.LogValuer:
		v, o := s.value(slog.AnyValue(t).Resolve(), scan)
		if o == dropped {
			return nil, dropped
		}
		return valueToAny(v), replaced
	case slog.Attr:
		v, o := s.attr(t)
		if o == replaced {
			return slog.Attr{Key: t.Key, Value: v}, replaced
		}
		return x, o
	case slog.Value:
		v, o := s.value(t, scan)
		if o == replaced {
			return v, replaced
		}
		return x, o
	case error:
		if scan {
			if m, ok := s.scanString(t.Error()); ok {
				return m, replaced
			}
		}
	case string:
		if scan {
			if m, ok := s.scanString(t); ok {
				return m, replaced
			}
		}
	case []byte:
		if scan && s.c.scan {
			if m, ok := s.scanString(string(t)); ok {
				return m, replaced
			}
		}
	case map[string]any:
		if out, o := s.mapAny(t); o != unchanged {
			return out, o
		}
	case map[string]string:
		if out, o := s.mapString(t); o != unchanged {
			return out, o
		}
	case []any:
		if out, o := s.sliceAny(t); o != unchanged {
			return out, o
		}
	case []string:
		if out, o := s.sliceString(t); o != unchanged {
			return out, o
		}
	case []slog.Attr:
		if out, o := s.attrs(t); o != unchanged {
			if o == dropped {
				out = []slog.Attr{}
			}
			return out, replaced
		}
	default:
		return s.reflect(x)
	}
	return x, unchanged
}

// entry walks the value e under map key k.
func (s *state) entry(k string, e any) (any, outcome) {
	n := s.push(k)
	defer s.pop(n)
	if s.c.sensitive(k) {
		return s.redactAny(ReasonKey)
	}
	return s.any(e, s.c.scans(k))
}

// mapAny walks a map by its keys and values; the copy keeps the map's type.
func (s *state) mapAny(m map[string]any) (map[string]any, outcome) {
	var out map[string]any
	for k, e := range m {
		ne, o := s.entry(k, e)
		if o == unchanged {
			continue
		}
		if out == nil {
			out = maps.Clone(m)
		}
		if o == replaced {
			out[k] = ne
		} else {
			delete(out, k)
		}
	}
	if out == nil {
		return m, unchanged
	}
	return out, replaced
}

// mapString walks a map by its keys and values; the copy keeps the map's
// type.
func (s *state) mapString(m map[string]string) (map[string]string, outcome) {
	var out map[string]string
	for k, e := range m {
		ne, o := s.entry(k, e)
		if o == unchanged {
			continue
		}
		if out == nil {
			out = maps.Clone(m)
		}
		if o == replaced {
			out[k] = ne.(string)
		} else {
			delete(out, k)
		}
	}
	if out == nil {
		return m, unchanged
	}
	return out, replaced
}

// sliceAny walks each element; a dropped element is removed.
func (s *state) sliceAny(l []any) ([]any, outcome) {
	var out []any
	for i, e := range l {
		ne, o := s.any(e, s.c.scan)
		if o == unchanged {
			if out != nil {
				out = append(out, e)
			}
			continue
		}
		if out == nil {
			out = make([]any, i, len(l))
			copy(out, l[:i])
		}
		if o == replaced {
			out = append(out, ne)
		}
	}
	if out == nil {
		return l, unchanged
	}
	return out, replaced
}

// sliceString applies the detectors to each element.
func (s *state) sliceString(l []string) ([]string, outcome) {
	if !s.c.scan {
		return l, unchanged
	}
	var out []string
	for i, e := range l {
		m, ok := s.scanString(e)
		if !ok {
			continue
		}
		if out == nil {
			out = slices.Clone(l)
		}
		out[i] = m
	}
	if out == nil {
		return l, unchanged
	}
	return out, replaced
}

// valueToAny converts a resolved, walked value back to a plain Go value
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
