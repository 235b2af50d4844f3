package redact

import (
	"sync"
	"unsafe"
)

// roRange is the address range of the read-only segment that holds the
// program's string literals, [lo, lo+n); n is 0 where it is not known.
// The bytes there cannot change (a write would fault), so a string whose
// data lies in it names one content for as long as the program runs: the
// value cache (see [core.matches]) remembers detector results for such
// strings, the messages and constant values of log calls, and for no
// other.
type roRange struct{ lo, n uintptr }

// has reports whether s's bytes lie in the range.
func (r roRange) has(s string) bool {
	p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
	return p-r.lo < r.n && uintptr(len(s)) <= r.n-(p-r.lo)
}

// roProbe is a string literal: the segment that holds it holds the others.
const roProbe = "redact: read-only data probe"

// literals returns the read-only range that holds the program's string
// literals, found once (see rodataOf, per operating system).
var literals = sync.OnceValue(func() roRange {
	lo, hi, ok := rodataOf(uintptr(unsafe.Pointer(unsafe.StringData(roProbe))))
	if !ok || hi <= lo {
		return roRange{}
	}
	return roRange{lo: lo, n: hi - lo}
})
