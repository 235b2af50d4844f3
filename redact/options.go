package redact

import "regexp"

// Mode says what happens to a value that must be redacted.
type Mode uint8

const (
	// Drop removes the attribute, as if it had never been logged. A group
	// left with no attributes is removed too.
	Drop Mode = iota
	// Mask keeps the key and replaces the value with the string [Redacted].
	Mask
)

// String returns "drop" or "mask".
func (m Mode) String() string {
	if m == Mask {
		return "mask"
	}
	return "drop"
}

// Reason says why a value was redacted; it is given to [Options.Audit].
type Reason string

const (
	// ReasonKey: the attribute's key is sensitive.
	ReasonKey Reason = "key"
	// ReasonSecret: the value is a [Secret].
	ReasonSecret Reason = "secret"
	// ReasonValue: a value detector matched part of a string or error text.
	ReasonValue Reason = "value"
	// ReasonDepth: a value nested deeper than the walk goes (32 levels of
	// groups, maps, slices, pointers, structs and LogValuers) could hold
	// something to redact.
	ReasonDepth Reason = "depth"
)

// Options configures [NewHandler]. The zero Options, like a nil *Options,
// is the default: every listed key, struct fields, every built-in detector
// on attribute values, mode [Drop], no message scan, no audit.
type Options struct {
	// Keys is the list of sensitive keys, compared in normal form (see
	// [NormalizeKey]) by trailing words: a key is sensitive when its last
	// words form a listed key. A non-nil empty slice turns key matching
	// off. To add keys to the default list, append to [DefaultKeys]().
	// (Default: nil, [DefaultKeys].)
	Keys []string

	// AllowKeys names keys that are never redacted because of their key and
	// whose string or error values are not scanned by the detectors. A key
	// is allowed when its whole normal form is listed. A [Secret] under an
	// allowed key is still redacted, and attributes nested under an
	// allowed group are matched by their own keys. (Default: none.)
	AllowKeys []string

	// Mode says what happens to a value redacted because of its key or
	// because it is a [Secret]: [Drop] removes it, [Mask] replaces it with
	// [Redacted]. Detectors always mask the matched text only, and a
	// sensitive member of a JSON body is always masked, so the body still
	// parses. (Default: [Drop].)
	Mode Mode

	// Detectors are the built-in value detectors that scan strings, error
	// texts and []byte values. [NoDetectors] runs none. (Default: 0,
	// [AllDetectors].)
	Detectors Detector

	// Patterns are caller value detectors: every non-empty match of each
	// regular expression is masked. Nil expressions are ignored.
	// (Default: none.)
	Patterns []*regexp.Regexp

	// ScanMessage makes the detectors scan the record's message too;
	// matches are masked and audited under the path "msg". (Default:
	// false; package logenv turns it on.)
	ScanMessage bool

	// NoStructFields leaves struct values to the sink's marshaller: their
	// fields are not matched by key. (Default: false; the exported fields
	// of a struct, or of a struct a pointer points to, are matched by Go
	// name and by json name.)
	NoStructFields bool

	// Audit is called once for every redaction with the dotted key path of
	// the redacted value ("user.password", including the names of groups
	// opened by WithGroup; slice indices are omitted) and the reason; it
	// never receives a value. It is called synchronously from Handle, and
	// from WithAttrs for attributes given to Logger.With (once, then), so it
	// must be fast and safe for concurrent use: an atomic or metrics
	// counter is ideal. (Default: nil, no audit.)
	Audit func(path string, reason Reason)
}
