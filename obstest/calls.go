package obstest

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/provobs/provobs"
)

// Calls counts the operations that pass through its Middleware, so a test
// can compare what a provider was asked with what an observer recorded.
// The zero value is ready to use and safe for concurrent use.
type Calls struct {
	n [provobs.NumOps]atomic.Int64
}

// Middleware returns a middleware that counts each operation once, whatever
// its outcome.
func (c *Calls) Middleware() provobs.Middleware {
	return provobs.Observe(func(_ context.Context, call *provobs.Call, _ error, _ time.Duration) {
		c.n[call.Op()].Add(1)
	})
}

// Count returns how many op calls went through.
func (c *Calls) Count(op provobs.Op) int {
	if !op.Valid() {
		return 0
	}
	return int(c.n[op].Load())
}
