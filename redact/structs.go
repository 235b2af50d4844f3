package redact

import (
	"encoding"
	"encoding/json"
	"log/slog"
	"reflect"
	"strings"
)

var (
	secretType        = reflect.TypeFor[Secret]()
	logValuerType     = reflect.TypeFor[slog.LogValuer]()
	errorType         = reflect.TypeFor[error]()
	attrType          = reflect.TypeFor[slog.Attr]()
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
	sensitive bool   // the field name or json name is a sensitive key
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

// mayNeed reports whether x's type can hold something to redact.
func (c *core) mayNeed(x any) bool { return c.info(reflect.TypeOf(x)).need }

// leftToMethod reports whether the sink renders values of the struct type
// t (or pointer to one) with a method of its own rather than field by
// field.
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
	case reflect.Map:
		return t.Key().Kind() == reflect.String && (len(c.keys.all) > 0 || c.needs(t.Elem(), seen))
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
// names. The value returned with unchanged is meaningless.
func (s *state) reflect(x any) (any, outcome) {
	ti := s.c.info(reflect.TypeOf(x))
	if !ti.need {
		return nil, unchanged
	}
	return s.reflectValue(reflect.ValueOf(x), ti)
}

func (s *state) reflectValue(rv reflect.Value, ti *typeInfo) (any, outcome) {
	switch rv.Kind() {
	case reflect.Pointer:
		if rv.IsNil() {
			return nil, unchanged
		}
		e := rv.Elem()
		if e.Kind() != reflect.Struct {
			if !e.CanInterface() {
				return nil, unchanged
			}
			return s.any(e.Interface(), s.c.scan) // a pointer to a map or slice is walked like it
		}
		if s.depth >= maxDepth {
			return s.redactAny(ReasonDepth)
		}
		s.depth++
		defer func() { s.depth-- }()
		return s.structValue(e, s.c.info(e.Type()))
	case reflect.Struct:
		return s.structValue(rv, ti)
	case reflect.Map:
		return s.reflectMap(rv)
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.IsNil() {
			return nil, unchanged
		}
		var out []any
		for i := range rv.Len() {
			ev := rv.Index(i)
			if !ev.CanInterface() {
				return nil, unchanged
			}
			ne, o := s.elem(ev, s.c.scan)
			if o == unchanged {
				if out != nil {
					out = append(out, ev.Interface())
				}
				continue
			}
			if out == nil {
				out = make([]any, 0, rv.Len())
				for j := range i {
					out = append(out, rv.Index(j).Interface())
				}
			}
			if o == replaced {
				out = append(out, ne)
			}
		}
		if out == nil {
			return nil, unchanged
		}
		return out, replaced
	}
	return nil, unchanged
}

// reflectMap walks a map with string keys. On the first change it copies
// every entry, then the walk goes on writing changes into the copy: the
// entries already walked were unchanged.
func (s *state) reflectMap(rv reflect.Value) (any, outcome) {
	if rv.Type().Key().Kind() != reflect.String {
		return nil, unchanged
	}
	var out map[string]any
	for it := rv.MapRange(); it.Next(); {
		k := it.Key().String()
		ev := it.Value()
		if !ev.CanInterface() {
			return nil, unchanged
		}
		ne, o := s.entry(k, ev.Interface())
		if o == unchanged {
			continue
		}
		if out == nil {
			out = make(map[string]any, rv.Len())
			for it2 := rv.MapRange(); it2.Next(); {
				out[it2.Key().String()] = it2.Value().Interface()
			}
		}
		if o == replaced {
			out[k] = ne
		} else {
			delete(out, k)
		}
	}
	if out == nil {
		return nil, unchanged
	}
	return out, replaced
}

// structValue walks the fields of a struct that json writes. Once a field
// changes (or always, when a field json skips has a sensitive name) the
// struct becomes a map[string]any of its fields by json name.
func (s *state) structValue(rv reflect.Value, ti *typeInfo) (any, outcome) {
	var out map[string]any
	if ti.hides {
		out = make(map[string]any, len(ti.fields))
	}
	for i, f := range ti.fields {
		fv, err := rv.FieldByIndexErr(f.index)
		if err != nil || !fv.CanInterface() {
			continue // a nil embedded pointer, or a field of an unexported embedded struct
		}
		ne, o := s.field(f, fv)
		if o == unchanged && out == nil {
			continue
		}
		if out == nil {
			out = make(map[string]any, len(ti.fields))
			for _, pf := range ti.fields[:i] {
				if pv, err := rv.FieldByIndexErr(pf.index); err == nil && pv.CanInterface() {
					out[pf.name] = pv.Interface()
				}
			}
		}
		switch o {
		case unchanged:
			out[f.name] = fv.Interface()
		case replaced:
			out[f.name] = ne
		}
	}
	if out == nil {
		return nil, unchanged
	}
	return out, replaced
}

// field walks one struct field.
func (s *state) field(f fieldInfo, fv reflect.Value) (any, outcome) {
	if !f.sensitive && !f.walk {
		return nil, unchanged
	}
	n := s.push(f.name)
	defer s.pop(n)
	if f.sensitive {
		return s.redactAny(ReasonKey)
	}
	return s.elem(fv, f.scan)
}

var attrsType = reflect.TypeFor[[]slog.Attr]()

// elem walks a value reached through reflection: a field, or an element of
// a slice or array. Strings, and slices, arrays, structs and pointers of
// types without methods, are walked as reflect.Values, without boxing
// them (which would allocate for a value behind a pointer); the rest go
// through any.
func (s *state) elem(v reflect.Value, scan bool) (any, outcome) {
	t := v.Type()
	if t.NumMethod() == 0 && t != attrsType {
		switch v.Kind() {
		case reflect.String:
			if scan {
				if m, ok := s.scanString(v.String()); ok {
					return m, replaced
				}
			}
			return nil, unchanged
		case reflect.Slice, reflect.Array, reflect.Struct, reflect.Pointer:
			ti := s.c.info(t)
			if !ti.need {
				return nil, unchanged
			}
			if s.depth >= maxDepth {
				return s.redactAny(ReasonDepth)
			}
			s.depth++
			defer func() { s.depth-- }()
			return s.reflectValue(v, ti)
		}
	}
	if !v.CanInterface() {
		return nil, unchanged
	}
	return s.any(v.Interface(), scan)
}
