package redact

import (
	"fmt"
	"log/slog"
	"strconv"
)

// Redacted is the text that replaces a masked value (mode [Mask]), a masked
// substring found by a value detector, and every rendering of a [Secret].
const Redacted = "[REDACTED]"

// Secret holds a string that is never revealed by logging or formatting:
// it is a [slog.LogValuer] whose value is [Redacted], and its String,
// GoString, Format (every verb, including %v, %+v, %#v, %s, %q and %x),
// MarshalJSON and MarshalText all produce [Redacted]. [NewHandler] drops or
// masks a Secret wherever it appears, like a sensitive key. Only [Secret.Reveal]
// returns the value.
//
// The value is held behind a pointer, so even fmt's printing of a struct
// with an unexported Secret field (where fmt cannot call methods) shows an
// address, not the text. The zero Secret holds "". Secrets compare equal
// only when copied from the same [NewSecret] call.
type Secret struct {
	v *string
}

// NewSecret wraps value in a [Secret].
func NewSecret(value string) Secret { return Secret{v: &value} }

// Reveal returns the wrapped value. It is the only way to read it.
func (s Secret) Reveal() string {
	if s.v == nil {
		return ""
	}
	return *s.v
}

// LogValue implements [slog.LogValuer]: a Secret logs as [Redacted] even
// through a handler that does not redact.
func (s Secret) LogValue() slog.Value { return slog.StringValue(Redacted) }

// String returns [Redacted].
func (s Secret) String() string { return Redacted }

// GoString returns a Go-syntax placeholder that holds no part of the value.
func (s Secret) GoString() string { return `redact.Secret("` + Redacted + `")` }

// Format implements [fmt.Formatter]: %q writes [Redacted] quoted, %#v writes
// the GoString form and every other verb writes [Redacted]. Width and flags
// are ignored.
func (s Secret) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'q':
		_, _ = f.Write([]byte(strconv.Quote(Redacted)))
	case verb == 'v' && f.Flag('#'):
		_, _ = f.Write([]byte(s.GoString()))
	default:
		_, _ = f.Write([]byte(Redacted))
	}
}

// MarshalJSON returns [Redacted] as a JSON string.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + Redacted + `"`), nil }

// MarshalText returns [Redacted].
func (s Secret) MarshalText() ([]byte, error) { return []byte(Redacted), nil }
