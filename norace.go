//go:build !race

package provobs

// pooled says whether the wrapper reuses its calls (see pools in wrap.go).
const pooled = true
