package redact

import (
	"encoding"
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
)

var (
	secretType        = reflect.TypeFor[Secret]()
	logValuerType     = reflect.TypeFor[slog.LogValuer]()
	errorType         = reflect.TypeFor[error]()
	attrType          = reflect.TypeFor[slog.Attr]()
	attrsType         = reflect.TypeFor[[]slog.Attr]()
	valueType         = reflect.TypeFor[slog.Value]()
	jsonMarshalerType = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
)

// typeInfo is what the walk knows of a type, decided once per reflect.Type
// and handler (core.types), so that a value of a type with nothing to
// redact costs one map lookup.
type typeInfo struct {
	need   bool        // a value of the type can hold something to redact
	hides  bool        // struct: a field json does not write has a sensitive name
	fields []fieldInfo // struct: the fields json writes, in order
}

// fieldInfo is a struct field as json writes it.
type fieldInfo struct {
	index     []int
	name      string // the json name: the tag's, or the field's
	sensitive bool   // the Go name or the json name is a sensitive key
	scan      bool   // detectors apply to the field's strings
	walk      bool   // the field's type can hold something to redact
}

// info returns the cached typeInfo of t.
func (c *core) info(t reflect.Type) *typeInfo {
	if v, ok := c.types.Load(t); ok {
		return v.(*typeInfo)
	}
	ti := &typeInfo{need: c.needs(t, map[reflect.Type]bool{})}
	if ti.need && t.Kind() == reflect.Struct {
		ti.fields, ti.hides = c.fields(t, nil, map[reflect.Type]bool{})
	}
	v, _ := c.types.LoadOrStore(t, ti)
	return v.(*typeInfo)
}

// mayHold reports whether v can hold something to redact.
func (c *core) mayHold(v slog.Value) bool {
	if v.Kind() != slog.KindAny {
		return v.Kind() == slog.KindGroup || v.Kind() == slog.KindLogValuer
	}
	x := v.Any()
	return x != nil && c.info(reflect.TypeOf(x)).need
}

// leftToMethod reports whether the sink renders values of the type t with
// a method of its own rather than field by field.
func leftToMethod(t reflect.Type) bool {
	return t.Implements(jsonMarshalerType) || t.Implements(textMarshalerType)
}

// needs reports whether a value of type t can hold something to redact;
// seen breaks cycles (a type met again adds nothing new).
func (c *core) needs(t reflect.Type, seen map[reflect.Type]bool) bool {
	if seen[t] {
		return false
	}
	seen[t] = true
	switch {
	case t == secretType || t == attrType || t == valueType || t.Implements(logValuerType):
		return true
	case t.Implements(errorType):
		return c.scan
	}
	switch t.Kind() {
	case reflect.Interface:
		return true
	case reflect.String:
		return c.scan
	case reflect.Map: // keys are matched when they are strings; values are walked whatever the keys
		return t.Key().Kind() == reflect.String && len(c.keys.all) > 0 || c.needs(t.Elem(), seen)
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return c.scan
		}
		return c.needs(t.Elem(), seen)
	case reflect.Pointer:
		if t.Elem() == secretType {
			return true
		}
		if t.Elem().Kind() == reflect.Struct && (!c.structs || leftToMethod(t)) {
			return false
		}
		return c.needs(t.Elem(), seen)
	case reflect.Struct:
		if !c.structs || leftToMethod(t) {
			return false
		}
		for i := range t.NumField() {
			f := t.Field(i)
			if c.sensitive(f.Name) || c.sensitive(jsonName(f)) || c.needs(f.Type, seen) {
				return true
			}
		}
	}
	return false
}

// jsonName returns the name json gives f ("-" when it skips f).
func jsonName(f reflect.StructField) string {
	tag := f.Tag.Get("json")
	if tag == "-" {
		return "-"
	}
	if name, _, _ := strings.Cut(tag, ","); name != "" {
		return name
	}
	return f.Name
}

// fields lists the fields of struct type t that json writes, with embedded
// structs without a json name flattened as json does, and reports whether
// a field json does not write (unexported or tagged "-") has a sensitive
// name: fmt would still print it.
func (c *core) fields(t reflect.Type, index []int, seen map[reflect.Type]bool) (out []fieldInfo, hides bool) {
	if seen[t] {
		return nil, false
	}
	seen[t] = true
	for i := range t.NumField() {
		f := t.Field(i)
		idx := append(index[:len(index):len(index)], i)
		name := jsonName(f)
		if f.Anonymous && f.Tag.Get("json") == "" {
			et := f.Type
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				sub, h := c.fields(et, idx, seen)
				out, hides = append(out, sub...), hides || h
				continue
			}
		}
		if !f.IsExported() || name == "-" {
			hides = hides || c.sensitive(f.Name)
			continue
		}
		out = append(out, fieldInfo{
			index:     idx,
			name:      name,
			sensitive: c.sensitive(f.Name) || c.sensitive(name),
			scan:      c.scans(name),
			walk:      c.needs(f.Type, map[reflect.Type]bool{}),
		})
	}
	return out, hides
}

// reflect walks the values the typed cases of any do not know: maps with
// string keys (http.Header, url.Values, named map types), slices and
// arrays, structs and pointers to any of them, but only when their type
// can hold something to redact. A changed container becomes a
// map[string]any or []any, a changed struct a map[string]any keyed by json
// names.
func (s *state) reflect(x any, scan bool) (slog.Value, outcome) {
	ti := s.c.info(reflect.TypeOf(x))
	if !ti.need {
		return slog.Value{}, unchanged
	}
	return s.reflectValue(reflect.ValueOf(x), ti, scan)
}

func (s *state) reflectValue(rv reflect.Value, ti *typeInfo, scan bool) (slog.Value, outcome) {
	switch rv.Kind() {
	case reflect.Pointer:
		if rv.IsNil() {
			return slog.Value{}, unchanged
		}
		return s.elem(rv.Elem(), scan)
	case reflect.Struct:
		return s.structValue(rv, ti)
	case reflect.Map:
		// A map with string keys is matched by key; one with other keys
		// (ints, structs) has its values walked, and once one changes it
		// becomes a map[string]any keyed by the keys as fmt prints them.
		var e edits
		for it := rv.MapRange(); it.Next(); {
			k := mapKey(it.Key())
			var v slog.Value
			var o outcome
			if it.Key().Kind() == reflect.String {
				v, o = s.rmember(k, s.c.sensitive(k), s.c.scans(k), it.Value())
			} else {
				v, o = s.rmember(k, false, s.c.scan, it.Value())
			}
			e.note(0, k, v, o)
		}
		if len(e.at) == 0 {
			return slog.Value{}, unchanged
		}
		m := make(map[string]any, rv.Len())
		for it := rv.MapRange(); it.Next(); {
			if it.Value().CanInterface() {
				m[mapKey(it.Key())] = it.Value().Interface()
			}
		}
		return slog.AnyValue(applyMap(m, e, toAny)), replaced
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.IsNil() {
			return slog.Value{}, unchanged
		}
		var e edits
		for i := range rv.Len() {
			v, o := s.elem(rv.Index(i), scan)
			e.note(i, "", v, o)
		}
		if len(e.at) == 0 {
			return slog.Value{}, unchanged
		}
		l := make([]any, rv.Len())
		for i := range l {
			if ev := rv.Index(i); ev.CanInterface() {
				l[i] = ev.Interface()
			}
		}
		return slog.AnyValue(applySeq(l, e, func(_ any, v slog.Value) any { return toAny(v) })), replaced
	}
	return slog.Value{}, unchanged
}

// mapKey is the string form of a map key: the string itself, or what fmt
// prints for it.
func mapKey(k reflect.Value) string {
	if k.Kind() == reflect.String {
		return k.String()
	}
	if !k.CanInterface() {
		return k.Kind().String()
	}
	return fmt.Sprint(k.Interface())
}

// structValue walks the fields of a struct that json writes. Once a field
// changes (or always, when a field json skips has a sensitive name) the
// struct becomes a map[string]any of its fields by json name.
func (s *state) structValue(rv reflect.Value, ti *typeInfo) (slog.Value, outcome) {
	var e edits
	for i, f := range ti.fields {
		if !f.sensitive && !f.walk {
			continue
		}
		fv, err := rv.FieldByIndexErr(f.index)
		if err != nil || !fv.CanInterface() {
			continue // a nil embedded pointer, or a field of an unexported embedded struct
		}
		v, o := s.rmember(f.name, f.sensitive, f.scan, fv)
		e.note(i, f.name, v, o)
	}
	if len(e.at) == 0 && !ti.hides {
		return slog.Value{}, unchanged
	}
	m := make(map[string]any, len(ti.fields))
	for _, f := range ti.fields {
		if fv, err := rv.FieldByIndexErr(f.index); err == nil && fv.CanInterface() {
			m[f.name] = fv.Interface()
		}
	}
	return slog.AnyValue(applyMap(m, e, toAny)), replaced
}

// rmember is member for a value reached through reflection.
func (s *state) rmember(key string, sensitive, scan bool, v reflect.Value) (slog.Value, outcome) {
	if sensitive {
		return s.member(key, true, slog.Value{})
	}
	n := s.push(key)
	nv, o := s.elem(v, scan)
	s.pop(n)
	return nv, o
}

// elem walks a value reached through reflection: a field, a map value, an
// element of a slice or array, or what a pointer points to. Strings, and
// slices, arrays, structs and pointers of types without methods, are
// walked as reflect.Values, without boxing them (which would allocate);
// the rest go through value.
func (s *state) elem(v reflect.Value, scan bool) (slog.Value, outcome) {
	t := v.Type()
	if t.NumMethod() == 0 && t != attrsType {
		switch v.Kind() {
		case reflect.String:
			if m, ok := s.scanIf(scan, v.String()); ok {
				return slog.StringValue(m), replaced
			}
			return slog.Value{}, unchanged
		case reflect.Slice, reflect.Array, reflect.Struct, reflect.Pointer:
			ti := s.c.info(t)
			if !ti.need {
				return slog.Value{}, unchanged
			}
			if !s.enter() {
				return s.redact(ReasonDepth)
			}
			nv, o := s.reflectValue(v, ti, scan)
			s.leave()
			return nv, o
		}
	}
	if !v.CanInterface() {
		return slog.Value{}, unchanged
	}
	return s.value(slog.AnyValue(v.Interface()), scan)
}
