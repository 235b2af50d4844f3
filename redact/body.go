package redact

import (
	"encoding/json"
	"strings"
)

// looksJSON reports whether s, space aside, starts with '{' or '[' and
// ends with the matching bracket: a JSON body is tried as JSON.
func looksJSON(s string) bool {
	s = strings.TrimSpace(s)
	return len(s) >= 2 && (s[0] == '{' && s[len(s)-1] == '}' || s[0] == '[' && s[len(s)-1] == ']')
}

// maxBodyDepth bounds the nesting of a JSON body rewritten as JSON; a
// deeper body is masked as text.
const maxBodyDepth = 32

// maskJSON rewrites the JSON document s: the value of a member whose name
// is a sensitive key becomes "[REDACTED]" (whatever its type), and the
// detectors mask inside the other strings, which are re-encoded, so the
// result is JSON. valid is false when s is not JSON (or nests deeper than
// maxBodyDepth), and the caller masks it as text.
func (d *detectors) maskJSON(s string) (out string, changed, valid bool) {
	j := jsonRewriter{d: d, s: s}
	j.ws()
	if !j.value(0) {
		return "", false, false
	}
	j.ws()
	if j.p != len(s) {
		return "", false, false
	}
	if !j.changed {
		return s, false, true
	}
	j.b.WriteString(s[j.last:])
	return j.b.String(), true, true
}

// jsonRewriter is one pass of maskJSON: a recursive-descent parser that
// copies s to b from last, writing only where something changes.
type jsonRewriter struct {
	d       *detectors
	s       string
	p       int // the next byte to parse
	last    int // the end of what was copied to b
	b       strings.Builder
	changed bool
	quiet   int // > 0: inside a value that is replaced whole, nothing else is
}

// replace writes s[last:i], then repl, and skips to j.
func (j *jsonRewriter) replace(i, k int, repl string) {
	if !j.changed {
		j.changed = true
		j.b.Grow(len(j.s))
	}
	j.b.WriteString(j.s[j.last:i])
	j.b.WriteString(repl)
	j.last = k
}

func (j *jsonRewriter) ws() {
	for j.p < len(j.s) && isSpace(j.s[j.p]) {
		j.p++
	}
}

// value parses one JSON value at p.
func (j *jsonRewriter) value(depth int) bool {
	if depth > maxBodyDepth || j.p >= len(j.s) {
		return false
	}
	switch c := j.s[j.p]; {
	case c == '{':
		return j.object(depth)
	case c == '[':
		return j.array(depth)
	case c == '"':
		i := j.p
		str, ok := j.str()
		if !ok {
			return false
		}
		if j.quiet == 0 && j.d.match(str) {
			if m, changed := j.d.mask(str); changed {
				q, _ := json.Marshal(m) // a string always marshals
				j.replace(i, j.p, string(q))
			}
		}
		return true
	default: // number, true, false, null
		i := j.p
		for j.p < len(j.s) && (isAlnum(j.s[j.p]) || j.s[j.p] == '-' || j.s[j.p] == '+' || j.s[j.p] == '.') {
			j.p++
		}
		return j.p > i && json.Valid([]byte(j.s[i:j.p]))
	}
}

// str parses a JSON string at p and returns its decoded text.
func (j *jsonRewriter) str() (string, bool) {
	i := j.p
	j.p++
	esc := false
	for j.p < len(j.s) && j.s[j.p] != '"' {
		if j.s[j.p] == '\\' {
			esc = true
			j.p++
		} else if j.s[j.p] < 0x20 {
			return "", false
		}
		j.p++
	}
	if j.p >= len(j.s) {
		return "", false
	}
	j.p++
	lit := j.s[i:j.p]
	if !esc {
		return lit[1 : len(lit)-1], true
	}
	var out string
	if err := json.Unmarshal([]byte(lit), &out); err != nil {
		return "", false
	}
	return out, true
}

func (j *jsonRewriter) object(depth int) bool {
	j.p++ // '{'
	j.ws()
	if j.p < len(j.s) && j.s[j.p] == '}' {
		j.p++
		return true
	}
	for {
		j.ws()
		if j.p >= len(j.s) || j.s[j.p] != '"' {
			return false
		}
		name, ok := j.str()
		if !ok {
			return false
		}
		j.ws()
		if j.p >= len(j.s) || j.s[j.p] != ':' {
			return false
		}
		j.p++
		j.ws()
		v := j.p
		sensitive := j.quiet == 0 && j.d.keys.match(name) && !j.d.allowed.hasWhole(name)
		if sensitive {
			j.quiet++
		}
		ok = j.value(depth + 1)
		if sensitive {
			j.quiet--
		}
		if !ok {
			return false
		}
		if sensitive {
			j.replace(v, j.p, `"`+Redacted+`"`)
		}
		if more, ok := j.sep('}'); !more {
			return ok
		}
	}
}

func (j *jsonRewriter) array(depth int) bool {
	j.p++ // '['
	j.ws()
	if j.p < len(j.s) && j.s[j.p] == ']' {
		j.p++
		return true
	}
	for {
		j.ws()
		if !j.value(depth + 1) {
			return false
		}
		if more, ok := j.sep(']'); !more {
			return ok
		}
	}
}

// sep reads what follows a member or an element: a comma (more is true),
// or close, which ends the object or array (ok is true); anything else is
// malformed (both false).
func (j *jsonRewriter) sep(close byte) (more, ok bool) {
	j.ws()
	if j.p >= len(j.s) {
		return false, false
	}
	switch j.s[j.p] {
	case ',':
		j.p++
		return true, true
	case close:
		j.p++
		return false, true
	}
	return false, false
}
