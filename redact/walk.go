package redact

import (
	"encoding/json"
	"log/slog"
	"maps"
)

// outcome says what the walk did to a value.
type outcome uint8

const (
	unchanged outcome = iota // the value passes as it is
	replaced                 // the value is replaced by the one returned
	dropped                  // the value is removed
)

// maxDepth bounds how deep the walk follows groups, LogValuers, maps,
// slices, pointers and structs; a cyclic value would otherwise never end.
const maxDepth = 32

// state carries one walk through a record's attributes (or the attributes
// of one WithAttrs call), as log/slog's handleState carries one record
// through a handler. Every value, whatever holds it, is walked as a
// slog.Value and comes back with an outcome and its replacement.
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

// masked is the value that replaces a masked one.
var masked = slog.StringValue(Redacted)

// redact is the one redaction step: it audits the value at the current
// path and applies the mode.
func (s *state) redact(reason Reason) (slog.Value, outcome) {
	s.report(reason)
	if s.c.mode == Mask {
		return masked, replaced
	}
	return slog.Value{}, dropped
}

// enter is the one depth guard: it reports whether the walk may go one
// level deeper, and if so goes; leave comes back.
func (s *state) enter() bool {
	if s.depth >= maxDepth {
		return false
	}
	s.depth++
	return true
}

func (s *state) leave() { s.depth-- }

// attr walks one attribute. The common cases are settled here, without a
// call but the group's walk: a key met before that is not sensitive, with
// a scalar value, a string shorter than any match or a literal known to
// hold none (see core.matches), or a group.
func (s *state) attr(a *slog.Attr) (slog.Value, outcome) {
	if a.Key == "" { // an inline group: its attributes are matched by their keys
		return s.value(a.Value, s.c.scan)
	}
	sens, ok := s.c.cache.lookup(a.Key)
	if !ok {
		sens = s.c.decide(a.Key)
	}
	if sens {
		return s.member(a.Key, true, a.Value)
	}
	switch a.Value.Kind() {
	case slog.KindString:
		if !s.c.scan {
			return a.Value, unchanged
		}
		str := a.Value.String()
		if len(str) < s.c.det.minLen {
			return a.Value, unchanged
		}
		if s.c.ro.has(str) {
			if m, ok := s.c.vals.lookup(str); ok && !m {
				return a.Value, unchanged
			}
		}
		if !s.c.matches(str) {
			return a.Value, unchanged
		}
	case slog.KindGroup:
		if !s.enter() {
			break
		}
		n := s.push(a.Key)
		as, o := s.attrs(a.Value.Group())
		s.pop(n)
		s.leave()
		if o == replaced {
			return slog.GroupValue(as...), replaced
		}
		return a.Value, o
	case slog.KindAny, slog.KindLogValuer:
	default:
		return a.Value, unchanged
	}
	return s.member(a.Key, false, a.Value)
}

// member walks the value v under key: an attribute, a map entry or a
// struct field. This is the one place of the fast-path rule: a value under
// a sensitive key is redacted; otherwise a scalar passes, and so does a
// string in which no detector finds anything; only groups, LogValuers,
// values of kind Any and strings with a match are walked further.
func (s *state) member(key string, sensitive bool, v slog.Value) (slog.Value, outcome) {
	if sensitive {
		n := s.push(key)
		nv, o := s.redact(ReasonKey)
		s.pop(n)
		return nv, o
	}
	switch v.Kind() {
	case slog.KindGroup: // the common nesting, walked here without value's dispatch
		if !s.enter() {
			break
		}
		n := s.push(key)
		as, o := s.attrs(v.Group())
		s.pop(n)
		s.leave()
		if o == replaced {
			return slog.GroupValue(as...), replaced
		}
		return v, o
	case slog.KindAny, slog.KindLogValuer:
	case slog.KindString:
		if !s.c.scan || !s.c.matches(v.String()) {
			return v, unchanged
		}
	default:
		return v, unchanged
	}
	n := s.push(key)
	nv, o := s.value(v, s.c.scans(key))
	s.pop(n)
	return nv, o
}

// value walks v; scan says whether detectors apply to its strings.
func (s *state) value(v slog.Value, scan bool) (slog.Value, outcome) {
	switch v.Kind() {
	case slog.KindString:
		if scan {
			if m, ok := s.scanString(v.String()); ok {
				return slog.StringValue(m), replaced
			}
		}
		return v, unchanged
	case slog.KindGroup, slog.KindAny, slog.KindLogValuer:
	default:
		return v, unchanged
	}
	if !s.enter() {
		if s.c.mayHold(v) {
			return s.redact(ReasonDepth)
		}
		return v, unchanged
	}
	nv, o := s.nested(v, scan)
	s.leave()
	return nv, o
}

// nested walks a group, a LogValuer or a value of kind Any, one level down.
func (s *state) nested(v slog.Value, scan bool) (slog.Value, outcome) {
	switch v.Kind() {
	case slog.KindLogValuer:
		if isSecret(v.Any()) {
			return s.redact(ReasonSecret) // never resolved
		}
		r := v.Resolve() // once, here; Resolve recovers a panic and stops a LogValuer that returns itself
		if nv, o := s.value(r, scan); o != unchanged {
			return nv, o
		}
		return r, replaced
	case slog.KindGroup:
		as, o := s.attrs(v.Group())
		if o == replaced {
			return slog.GroupValue(as...), replaced
		}
		return v, o
	}
	return s.any(v.Any(), scan)
}

// attrs walks a group's attributes. A non-empty group left empty is
// dropped, as slog handlers omit empty groups.
func (s *state) attrs(as []slog.Attr) ([]slog.Attr, outcome) {
	var e edits
	for i := range as {
		a := &as[i]
		v, o := s.attr(a)
		e.note(i, a.Key, v, o)
	}
	if len(e.at) == 0 {
		return as, unchanged
	}
	out := applySeq(as, e, func(a slog.Attr, v slog.Value) slog.Attr { return slog.Attr{Key: a.Key, Value: v} })
	if len(out) == 0 {
		return nil, dropped
	}
	return out, replaced
}

// scanString masks what the detectors find in str and audits it.
func (s *state) scanString(str string) (string, bool) {
	if !s.c.scan || !s.c.matches(str) {
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

// any walks a Go value held by a slog.Value of kind Any. A container that
// changes is copied (the common types keep their type, others become
// map[string]any or []any), never modified.
func (s *state) any(x any, scan bool) (slog.Value, outcome) {
	switch t := x.(type) {
	case nil:
	case Secret, *Secret:
		return s.redact(ReasonSecret)
	case slog.Attr:
		if v, o := s.attr(&t); o != unchanged {
			return slog.AnyValue(slog.Attr{Key: t.Key, Value: v}), o
		}
	case slog.Value:
		return s.value(t, scan)
	case error:
		if m, ok := s.scanIf(scan, t.Error()); ok {
			return slog.StringValue(m), replaced
		}
	case []byte:
		if m, ok := s.scanIf(scan, string(t)); ok {
			return slog.StringValue(m), replaced
		}
	case json.RawMessage:
		if m, ok := s.scanIf(scan, string(t)); ok {
			if json.Valid([]byte(m)) {
				return slog.AnyValue(json.RawMessage(m)), replaced
			}
			return slog.StringValue(m), replaced
		}
	case map[string]any:
		return walkMap(s, t, slog.AnyValue, toAny)
	case map[string]string:
		return walkMap(s, t, slog.StringValue, slog.Value.String)
	case []any:
		return walkSlice(s, t, scan, slog.AnyValue, toAny)
	case []string:
		return walkSlice(s, t, scan, slog.StringValue, slog.Value.String)
	case []slog.Attr:
		out, o := s.attrs(t)
		if o == dropped {
			return slog.AnyValue([]slog.Attr{}), replaced
		}
		return slog.AnyValue(out), o
	default:
		return s.reflect(x, scan)
	}
	return slog.Value{}, unchanged
}

// scanIf is scanString when scan is set.
func (s *state) scanIf(scan bool, str string) (string, bool) {
	if !scan {
		return str, false
	}
	return s.scanString(str)
}

// edit is the outcome of the element at index i (under key, for maps) of
// a container, when it is not unchanged.
type edit struct {
	i   int
	key string
	v   slog.Value
	o   outcome
}

// edits is the one copy-on-change helper: a container's walk notes the
// outcome of each element, nothing is allocated until an element
// changes, and the copy is built from the original and its edits.
type edits struct{ at []edit }

func (e *edits) note(i int, key string, v slog.Value, o outcome) {
	if o != unchanged {
		e.at = append(e.at, edit{i, key, v, o})
	}
}

// applySeq returns a copy of the sequence in with e's edits applied, in
// order: a replaced element is with(old, new), a dropped one is removed.
func applySeq[T any](in []T, e edits, with func(T, slog.Value) T) []T {
	out := make([]T, 0, len(in))
	k := 0
	for i, x := range in {
		if k < len(e.at) && e.at[k].i == i {
			if e.at[k].o == replaced {
				out = append(out, with(x, e.at[k].v))
			}
			k++
			continue
		}
		out = append(out, x)
	}
	return out
}

// applyMap returns a copy of m with e's edits applied by key.
func applyMap[V any](m map[string]V, e edits, conv func(slog.Value) V) map[string]V {
	out := maps.Clone(m)
	for _, ed := range e.at {
		if ed.o == replaced {
			out[ed.key] = conv(ed.v)
		} else {
			delete(out, ed.key)
		}
	}
	return out
}

// walkMap walks a map by its keys and values (wrap makes an element a
// slog.Value, conv makes it back); the copy keeps the map's type.
func walkMap[V any](s *state, m map[string]V, wrap func(V) slog.Value, conv func(slog.Value) V) (slog.Value, outcome) {
	var e edits
	for k, x := range m {
		v, o := s.member(k, s.c.sensitive(k), wrap(x))
		e.note(0, k, v, o)
	}
	if len(e.at) == 0 {
		return slog.Value{}, unchanged
	}
	return slog.AnyValue(applyMap(m, e, conv)), replaced
}

// walkSlice walks each element; a dropped element is removed.
func walkSlice[V any](s *state, l []V, scan bool, wrap func(V) slog.Value, conv func(slog.Value) V) (slog.Value, outcome) {
	var e edits
	for i, x := range l {
		v, o := s.value(wrap(x), scan)
		e.note(i, "", v, o)
	}
	if len(e.at) == 0 {
		return slog.Value{}, unchanged
	}
	return slog.AnyValue(applySeq(l, e, func(_ V, v slog.Value) V { return conv(v) })), replaced
}

// toAny converts a walked value back to a plain Go value for a map or a
// slice: a group becomes a map[string]any.
func toAny(v slog.Value) any {
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
		m[a.Key] = toAny(a.Value)
	}
}
