package redact

import (
	"bytes"
	"os"
	"strconv"
)

// rodataOf returns the bounds of the mapping that holds address p, from
// /proc/self/maps, when that mapping is not writable.
func rodataOf(p uintptr) (lo, hi uintptr, ok bool) {
	maps, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return 0, 0, false
	}
	for line := range bytes.SplitSeq(maps, []byte{'\n'}) {
		// "lo-hi perms offset dev inode path"
		f := bytes.Fields(line)
		if len(f) < 2 {
			continue
		}
		r := bytes.SplitN(f[0], []byte{'-'}, 2)
		if len(r) != 2 {
			continue
		}
		l, err1 := strconv.ParseUint(string(r[0]), 16, 64)
		h, err2 := strconv.ParseUint(string(r[1]), 16, 64)
		if err1 != nil || err2 != nil || uintptr(l) > p || p >= uintptr(h) {
			continue
		}
		perms := f[1]
		return uintptr(l), uintptr(h), len(perms) >= 2 && perms[0] == 'r' && perms[1] == '-'
	}
	return 0, 0, false
}
