package redact

import (
	"sync/atomic"
	"unsafe"
)

// keyCache remembers, per handler, whether a key string is sensitive, by
// the key's address and length: the keys of log calls are mostly string
// literals, met again on every record. A slot holds the key's data
// pointer, which keeps those bytes alive, so no other string can take the
// address while the slot holds it, and (address, length) names one
// immutable content (a string made with unsafe.String over bytes that
// are later changed breaks Go's own rule for unsafe.String, and would
// break this cache). A miss, or a slot overwritten concurrently, falls
// back to the trie. Nothing is allocated. Measured against the trie alone
// in alternating runs of BenchmarkBudget: defaults 1.33 -> 1.26 x-bare,
// logenv preset 1.36 -> 1.29 (BENCHMARKS.md, "Redaction, issue 21").
type keyCache struct {
	slots [keyCacheSize]keySlot
}

const keyCacheSize = 256 // a power of two

type keySlot struct {
	ptr  atomic.Pointer[byte] // the key's data
	meta atomic.Uint64        // len<<2 | 2 (valid) | 1 (sensitive)
}

func slotOf(p *byte, n int) int {
	a := uintptr(unsafe.Pointer(p))
	return int((a>>3)^(a>>11)^uintptr(n)) & (keyCacheSize - 1)
}

// lookup returns the remembered decision for key, if any.
func (kc *keyCache) lookup(key string) (sensitive, ok bool) {
	if len(key) == 0 {
		return false, false
	}
	p := unsafe.StringData(key)
	sl := &kc.slots[slotOf(p, len(key))]
	if sl.ptr.Load() != p {
		return false, false
	}
	m := sl.meta.Load()
	if sl.ptr.Load() != p || m>>2 != uint64(len(key)) || m&2 == 0 {
		return false, false
	}
	return m&1 != 0, true
}

// store remembers the decision for key.
func (kc *keyCache) store(key string, sensitive bool) {
	if len(key) == 0 {
		return
	}
	p := unsafe.StringData(key)
	sl := &kc.slots[slotOf(p, len(key))]
	m := uint64(len(key))<<2 | 2
	if sensitive {
		m |= 1
	}
	sl.ptr.Store(nil)
	sl.meta.Store(m)
	sl.ptr.Store(p)
}
