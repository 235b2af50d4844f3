package retry

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/internal/clock"
)

// Defaults applied to the zero fields of Config.
const (
	DefaultMaxAttempts = 4
	DefaultBaseDelay   = 10 * time.Millisecond
	DefaultMaxDelay    = time.Second
)

// DefaultOps returns the operations retried when Config.Ops is empty:
// provobs.OpAckOrch and provobs.OpAckWorker. The slice is new on each call.
func DefaultOps() []provobs.Op { return []provobs.Op{provobs.OpAckOrch, provobs.OpAckWorker} }

// Config configures Middleware. Its zero value retries acks with the
// defaults.
type Config struct {
	// MaxAttempts caps the attempts of one call, the first included; 1
	// disables retries. Zero or less means the default.
	// (Default: DefaultMaxAttempts, that is 1 call and up to 3 retries)
	MaxAttempts int
	// BaseDelay is the backoff before the first retry, doubled for each
	// further one; see the package documentation for the jitter. Zero or
	// less means the default. (Default: DefaultBaseDelay)
	BaseDelay time.Duration
	// MaxDelay caps the backoff. Zero or less means the default; a value
	// below BaseDelay is raised to BaseDelay. (Default: DefaultMaxDelay)
	MaxDelay time.Duration
	// Ops lists the operations to retry; invalid ops are ignored. Empty
	// means the default. (Default: DefaultOps())
	Ops []provobs.Op
	// OnRetry, when not nil, is called before each re-invocation with the
	// number of the attempt about to run (2 for the first retry) and the
	// error of the attempt before it. It runs on the caller's goroutine and
	// must not block. (Default: nil)
	OnRetry func(ctx context.Context, op provobs.Op, attempt int, err error)
}

// Middleware returns a middleware that retries the retryable failures of
// cfg.Ops as the package documentation describes:
// provobs.Intercept(Interceptor(cfg)), so the wrapped provider's Admin and
// io.Closer capabilities survive.
func Middleware(cfg Config) provobs.Middleware {
	return provobs.Intercept(Interceptor(cfg))
}

// Interceptor returns the provobs.Interceptor that retries the retryable
// failures of cfg.Ops, for a provobs.Stack around another storage
// interface.
func Interceptor(cfg Config) provobs.Interceptor {
	r := &retrier{
		maxAttempts: cfg.MaxAttempts,
		base:        cfg.BaseDelay,
		max:         cfg.MaxDelay,
		onRetry:     cfg.OnRetry,
	}
	if r.maxAttempts <= 0 {
		r.maxAttempts = DefaultMaxAttempts
	}
	if r.base <= 0 {
		r.base = DefaultBaseDelay
	}
	if r.max <= 0 {
		r.max = DefaultMaxDelay
	}
	r.max = max(r.max, r.base)
	ops := cfg.Ops
	if len(ops) == 0 {
		ops = DefaultOps()
	}
	for _, op := range ops {
		if op.Valid() {
			r.ops[op] = true
		}
	}
	return r
}

type retrier struct {
	maxAttempts int
	base, max   time.Duration
	ops         [provobs.NumOps]bool
	onRetry     func(ctx context.Context, op provobs.Op, attempt int, err error)
}

var _ provobs.Interceptor = (*retrier)(nil)

func (r *retrier) Intercept(ctx context.Context, c *provobs.Call) error {
	err := c.Invoke(ctx)
	op := c.Op()
	if err == nil || !op.Valid() || !r.ops[op] {
		return err
	}
	for attempt := 2; attempt <= r.maxAttempts && provobs.IsRetryable(err); attempt++ {
		d := r.backoff(attempt - 1)
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) <= d {
			return err
		}
		if werr := clock.Sleep(ctx, d); werr != nil {
			// canceled or deadline_exceeded, as the context ended
			// (provobs.ContextError), wrapping both errors.
			cerr := provobs.ContextError(op, werr)
			cerr.Err = fmt.Errorf("%w while waiting to retry after: %w", werr, err)
			return cerr
		}
		if r.onRetry != nil {
			r.onRetry(ctx, op, attempt, err)
		}
		err = c.Invoke(ctx)
	}
	return err
}

// backoff returns the wait before retry n (n >= 1): equal jitter over
// min(max, base·2^(n-1)).
func (r *retrier) backoff(n int) time.Duration {
	d := r.base
	for i := 1; i < n && d < r.max; i++ {
		if d > r.max/2 {
			d = r.max
			break
		}
		d *= 2
	}
	d = min(d, r.max)
	half := d / 2
	return half + rand.N(d-half+1)
}
