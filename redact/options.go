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

// Reason says why a value was redacted; it is given to the [WithAudit]
// callback.
type Reason string

const (
	// ReasonKey: the attribute's key is sensitive.
	ReasonKey Reason = "key"
	// ReasonSecret: the value is a [Secret].
	ReasonSecret Reason = "secret"
	// ReasonValue: a value detector matched part of a string or error text.
	ReasonValue Reason = "value"
	// ReasonDepth: a value nested deeper than the walk goes (32 levels of
	// maps, slices, pointers and structs) could hold something to redact.
	ReasonDepth Reason = "depth"
)

// Option configures [NewHandler].
type Option interface {
	apply(*config)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// config is built once by NewHandler and never changed afterwards.
type config struct {
	base      []string // nil means the default keys
	added     []string
	allowed   []string
	wholeKeys bool
	noStructs bool
	mode      Mode
	detect    Detector
	patterns  []*regexp.Regexp
	message   bool
	audit     func(path string, reason Reason)
}

// WithKeys adds sensitive keys to the list in use (the default list, or the
// one given to [WithOnlyKeys]). Keys are normalised (see [NormalizeKey]).
// Repeated uses accumulate. (Default: none added.)
func WithKeys(keys ...string) Option {
	keys = append([]string(nil), keys...)
	return optionFunc(func(c *config) { c.added = append(c.added, keys...) })
}

// WithOnlyKeys replaces the default list with keys; [WithKeys] still adds to
// it. WithOnlyKeys() with no keys disables key matching. The last use wins.
// (Default: [DefaultKeys].)
func WithOnlyKeys(keys ...string) Option {
	keys = append([]string{}, keys...)
	return optionFunc(func(c *config) { c.base = keys })
}

// WithAllowedKeys names keys that are never redacted because of their key,
// whatever [DefaultKeys], [WithKeys] or [WithOnlyKeys] say, and whose string
// or error values are not scanned by value detectors. A key is allowed when
// its whole normalised form is listed. A [Secret] under an allowed key is
// still redacted, and attributes nested under an allowed group are matched
// by their own keys. (Default: none.)
func WithAllowedKeys(keys ...string) Option {
	keys = append([]string(nil), keys...)
	return optionFunc(func(c *config) { c.allowed = append(c.allowed, keys...) })
}

// WithWholeKeys makes a key sensitive only when its whole normalised form
// is listed, as before trailing-word matching: "password" and "Pass_Word"
// match, "db_password" and "userPassword" do not. (Default: off; a key is
// sensitive when its trailing words form a listed key.)
func WithWholeKeys() Option {
	return optionFunc(func(c *config) { c.wholeKeys = true })
}

// WithoutStructFields leaves struct values to the sink's marshaller: their
// fields are not matched by key. (Default: off; the exported fields of a
// struct, or of a struct a pointer points to, are matched by name and json
// tag.)
func WithoutStructFields() Option {
	return optionFunc(func(c *config) { c.noStructs = true })
}

// WithMode sets what happens to a redacted attribute: [Drop] removes it,
// [Mask] replaces its value with [Redacted]. Value detectors always mask the
// matched text only, whatever the mode. (Default: [Drop].)
func WithMode(m Mode) Option {
	return optionFunc(func(c *config) { c.mode = m })
}

// WithDetectors turns on the built-in value detectors d (see [Detector]),
// in addition to those already on. (Default: none.)
func WithDetectors(d Detector) Option {
	return optionFunc(func(c *config) { c.detect |= d & AllDetectors })
}

// WithoutDetectors turns off the built-in value detectors d, for example
// after a preset such as logenv's turned them on. (Default: none turned
// off.)
func WithoutDetectors(d Detector) Option {
	return optionFunc(func(c *config) { c.detect &^= d })
}

// WithCardNumbers is WithDetectors([CardNumbers]). (Default: off.)
func WithCardNumbers() Option { return WithDetectors(CardNumbers) }

// WithBearerTokens is WithDetectors([BearerTokens]). (Default: off.)
func WithBearerTokens() Option { return WithDetectors(BearerTokens) }

// WithJWTs is WithDetectors([JWTs]). (Default: off.)
func WithJWTs() Option { return WithDetectors(JWTs) }

// WithPatterns adds value detectors: every non-empty match of each regular
// expression is masked. Nil expressions are ignored. (Default: none.)
func WithPatterns(res ...*regexp.Regexp) Option {
	var keep []*regexp.Regexp
	for _, re := range res {
		if re != nil {
			keep = append(keep, re)
		}
	}
	return optionFunc(func(c *config) { c.patterns = append(c.patterns, keep...) })
}

// WithMessageScan makes the value detectors scan the record's message too;
// matches are masked and audited under the path "msg". It has no effect
// without a detector. (Default: off.)
func WithMessageScan() Option {
	return optionFunc(func(c *config) { c.message = true })
}

// WithoutMessageScan undoes [WithMessageScan]. (Default: the message is not
// scanned.)
func WithoutMessageScan() Option {
	return optionFunc(func(c *config) { c.message = false })
}

// WithAudit calls fn once for every redaction with the dotted key path of
// the redacted attribute ("user.password", including the names of groups
// opened by WithGroup; slice indices are omitted) and the reason. It never
// receives a value. fn is called synchronously from Handle, and from
// WithAttrs for attributes given to Logger.With (once, at that time, not
// for every record), so it may be called concurrently and must be fast and
// safe for concurrent use: an atomic or metrics counter is ideal. Map keys
// and struct field names become part of a path. (Default: no audit.)
func WithAudit(fn func(path string, reason Reason)) Option {
	return optionFunc(func(c *config) { c.audit = fn })
}
