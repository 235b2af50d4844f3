package redact

import (
	"sync/atomic"
	"unsafe"
)

// keyCache remembers, per handler, whether a key string is sensitive, by
// the key's address and length: the keys of log calls are mostly string
// literals, met again on every record. (The same type remembers, in
// core.vals, whether a detector matches in a string literal.) Only strings
// whose bytes lie in the read-only segment of literals are stored (see
// roRange): there (address, length) names one content for the life of the
// program, so a key built with unsafe.String over a buffer that is reused
// later is never trusted by its address; where the segment is not known
// (not Linux), nothing is cached. The cache is filled once: a key is stored only in an
// empty slot of its set (two slots, by a multiplicative hash of the
// address), and nothing is evicted, so keys never thrash; a key that
// finds its set full is decided by the trie every time, as without the
// cache. At most keyCacheSize strings are kept alive. Nothing is
// allocated. Measured against the trie alone in alternating runs of
// BenchmarkBudget: defaults 1.315 -> 1.268 x-bare, logenv preset 1.364 ->
// 1.302 (BENCHMARKS.md, "Redaction, issue 21").
type keyCache struct {
	slots [keyCacheSize]keySlot
}

const keyCacheSize = 1024 // a power of two; 512 sets of two slots

// keySlot is read and written with the functions of sync/atomic (the
// typed wrappers cost more than the inlining budget of lookup allows).
type keySlot struct {
	ptr  unsafe.Pointer // the key's data; nil while the slot is empty
	meta uint64         // len<<2 | 2 (valid) | 1 (sensitive)
}

// setOf returns the first slot of the set of the key at p with length n.
func setOf(p unsafe.Pointer, n int) int {
	h := (uint64(uintptr(unsafe.Pointer(p))) ^ uint64(n)) * 0x9E3779B97F4A7C15
	return int(h>>55) &^ 1 // the top 9 bits, even: 512 sets
}

// lookup returns the remembered decision for key, if any, from the first
// slot of its set (small enough to be inlined); lookupSecond probes the
// second. A slot is written once, meta before pointer, so a published
// pointer's meta is its own. The empty key (nil data) meets an empty
// slot and is answered "not sensitive", which it is.
func (kc *keyCache) lookup(key string) (sensitive, ok bool) {
	return kc.slots[setOf(unsafe.Pointer(unsafe.StringData(key)), len(key))].get(key)
}

func (kc *keyCache) lookupSecond(key string) (sensitive, ok bool) {
	return kc.slots[setOf(unsafe.Pointer(unsafe.StringData(key)), len(key))+1].get(key)
}

// get returns the decision the slot holds for key, if it holds key.
func (sl *keySlot) get(key string) (sensitive, ok bool) {
	if atomic.LoadPointer(&sl.ptr) == unsafe.Pointer(unsafe.StringData(key)) {
		if m := atomic.LoadUint64(&sl.meta); m>>2 == uint64(len(key)) {
			return m&1 != 0, true
		}
	}
	return false, false
}

// store remembers the decision for key in an empty slot of its set, if
// there is one.
func (kc *keyCache) store(key string, sensitive bool) {
	p := unsafe.Pointer(unsafe.StringData(key))
	if p == nil || !literals().has(key) {
		return // only literals: their bytes cannot change
	}
	i := setOf(p, len(key))
	m := uint64(len(key))<<2 | 2
	if sensitive {
		m |= 1
	}
	for k := i; k < i+2; k++ {
		sl := &kc.slots[k]
		if atomic.LoadPointer(&sl.ptr) != nil {
			continue
		}
		// Claim the empty slot by its meta, then publish the pointer.
		if atomic.CompareAndSwapUint64(&sl.meta, 0, m) {
			atomic.StorePointer(&sl.ptr, p)
			return
		}
	}
}
