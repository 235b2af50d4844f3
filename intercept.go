package provobs

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Interceptor runs around operations: the Provider methods of a wrapped
// provider (Intercept) or any function run as an operation (Stack.Run).
// Intercept must call c.Invoke to run the rest of the call (once, several
// times to retry, or not at all to fail fast) and return the error the
// caller should see. It must not keep c, or call c.Invoke, after it returns
// (see Call's lifetime).
type Interceptor interface {
	Intercept(ctx context.Context, c *Call) error
}

// InterceptorFunc adapts a function to an Interceptor.
type InterceptorFunc func(ctx context.Context, c *Call) error

// Intercept calls f(ctx, c).
func (f InterceptorFunc) Intercept(ctx context.Context, c *Call) error { return f(ctx, c) }

// ObserverFunc is told of every finished operation: the call (for its Op,
// Instance and Size), the error it returned, and how long it took.
type ObserverFunc func(ctx context.Context, c *Call, err error, elapsed time.Duration)

// Observer returns an Interceptor that runs each operation once, times it on
// the monotonic clock and then calls fn with its outcome. It is the shape of
// a logging or metrics interceptor.
func Observer(fn ObserverFunc) Interceptor { return observers{fn} }

// epoch is a fixed instant: a duration since it reads only the monotonic
// clock, where time.Now reads the wall clock too.
var epoch = time.Now()

// observers is the Interceptor of Observer, and of adjacent Observers fused
// into one: one pair of clock readings serves them all, innermost first. On
// virtual machines a clock reading costs as much as the rest of an observer
// (BENCHMARKS.md).
type observers []ObserverFunc

func (o observers) Intercept(ctx context.Context, c *Call) error {
	start := time.Since(epoch)
	err := c.Invoke(ctx)
	elapsed := time.Since(epoch) - start
	for i := len(o) - 1; i >= 0; i-- {
		o[i](ctx, c, err, elapsed)
	}
	return err
}

// fuse returns ics, outermost first, with nil entries dropped and adjacent
// Observers fused. The result is a new slice.
func fuse(ics []Interceptor) []Interceptor {
	out := make([]Interceptor, 0, len(ics))
	for _, ic := range ics {
		if ic == nil {
			continue
		}
		fns, ok := ic.(observers)
		if !ok {
			out = append(out, ic)
			continue
		}
		if n := len(out); n > 0 {
			if prev, ok := out[n-1].(observers); ok {
				out[n-1] = append(append(observers(nil), prev...), fns...)
				continue
			}
		}
		out = append(out, fns)
	}
	return out
}

// Func is the body of an operation run by Stack.Run: it does the work with
// ctx and records what it learned in c (SetInstance, SetSize). It may run
// more than once when an interceptor retries.
type Func func(ctx context.Context, c *Call) error

func (f Func) run(ctx context.Context, c *Call) error { return f(ctx, c) }

// runner is the body of a Call: a Func, or any other type whose run does an
// operation's work (a wrapper keeps its typed arguments and result in one).
type runner interface {
	run(ctx context.Context, c *Call) error
}

// Stack is an immutable list of interceptors, outermost first. Its Run
// instruments any function as an operation, so a wrapper of another storage
// interface reuses the interceptors of slogprov, metrics, tracing, retry and
// faults instead of copying them; the Provider wrapper of Intercept is one
// user of it. The zero Stack runs functions with no interceptor.
type Stack struct {
	ics []Interceptor
}

// NewStack returns a Stack of ics, outermost first; nil entries are skipped.
// Adjacent Observers share one pair of clock readings.
func NewStack(ics ...Interceptor) Stack { return Stack{ics: fuse(ics)} }

// ForStore returns a Stack whose interceptors are bound to info
// (BindStore): a wrapper of another storage interface calls it once with
// the description of the store it wraps; Intercept does it with
// DescribeStore of the provider it wraps.
func (s Stack) ForStore(info StoreInfo) Stack {
	ics := make([]Interceptor, len(s.ics))
	for i, ic := range s.ics {
		ics[i] = BindStore(ic, info)
	}
	return Stack{ics: ics}
}

// errCallEnded is the cause of the error Invoke returns on a Call whose
// operation has returned.
var errCallEnded = errors.New("provobs: Invoke on a Call whose operation has returned (an interceptor kept it)")

// Run runs fn as operation op through the interceptors of s and returns the
// error they return. method names the storage method fn calls, for records
// and spans ("" when op's own Provider method, Op.Method, says it); instance
// is the instance the call concerns when the arguments name it ("" when
// unknown: the context's WithInstance, else what fn sets with SetInstance).
// An invalid op or a nil fn fails with TypeInvalidArgument without running
// anything. Run allocates its Call, which is never reused: an interceptor
// that keeps it reads a zero Call once Run has returned.
func (s Stack) Run(ctx context.Context, op Op, method, instance string, fn Func) error {
	if !op.Valid() || fn == nil {
		return NewError(op, TypeInvalidArgument, fmt.Errorf("provobs: Stack.Run: invalid operation %v or nil function", op))
	}
	c := &Call{}
	c.start(ctx, s, op, method, instance, fn)
	err := c.Invoke(ctx)
	c.end()
	return err
}

// Call is one operation in flight through a Stack. It knows the operation,
// the instance it concerns and, after Invoke, the result size.
//
// Lifetime: a Call is valid only while the operation runs, that is during
// the Intercept call (or ObserverFunc call) it was given to and the body's
// run. When the operation returns, the Call is cleared: a Call kept past
// that reads as the zero Call (Op 0, no instance, size 0) and its Invoke
// fails with TypeInvalidArgument. An interceptor that needs a value later
// copies it (c.Op(), c.Instance(), c.Size()) before it returns. The Calls of
// a wrapped Provider (Intercept) are pooled and so may later carry
// another call of the same operation; under the race detector they are not
// pooled, so a test run with -race catches an interceptor that keeps one.
type Call struct {
	op       Op
	method   string
	instance string // resolved at the start, then from the result
	size     int
	ics      []Interceptor
	depth    int // interceptors entered: ics[depth] runs at the next Invoke
	body     runner
}

// start fills c, a zero Call, for a new operation through s. The instance
// is resolved now: the one the arguments name, else the context's
// (WithInstance).
func (c *Call) start(ctx context.Context, s Stack, op Op, method, instance string, body runner) {
	if instance == "" {
		instance = InstanceFromContext(ctx)
	}
	c.op, c.method, c.instance, c.ics, c.body = op, method, instance, s.ics, body
}

// end clears c when its operation has returned (see Call's lifetime).
func (c *Call) end() { *c = Call{} }

// Op returns the operation.
func (c *Call) Op() Op { return c.op }

// Method returns the storage method the call runs when its runner named one
// other than the op's own Provider method (a go-workflows backend method,
// say), or "".
func (c *Call) Method() string { return c.method }

// Instance returns the instance the call concerns, first found of: its
// result (a work item, an instance id, a fetched batch) once Invoke has
// returned; its arguments; the context the operation was called with
// (WithInstance); for a call by lock token through a wrapped Provider, the
// fetch or dequeue that issued the token through the same chain. It may be
// "".
func (c *Call) Instance() string { return c.instance }

// SetInstance records the instance the call concerns, as learned from its
// arguments or result.
func (c *Call) SetInstance(id string) { c.instance = id }

// Size returns the result size after Invoke: messages fetched or dequeued,
// events appended or read, sessions renewed or cleaned, instances listed,
// items queued. Op.SizeKey names it; it is 0 before Invoke and on error.
func (c *Call) Size() int { return c.size }

// SetSize records the result size of the run in progress.
func (c *Call) SetSize(n int) { c.size = n }

// Invoke runs the rest of the call with ctx: the next interceptor or, after
// the last, the operation body, whose outcome it records in the Call; the
// last run's result is what the caller receives. On a Call whose operation
// has returned it fails with TypeInvalidArgument and runs nothing.
func (c *Call) Invoke(ctx context.Context) error {
	if c.depth < len(c.ics) {
		ic := c.ics[c.depth]
		c.depth++
		err := ic.Intercept(ctx, c)
		c.depth--
		return err
	}
	if c.body == nil {
		return NewError(c.op, TypeInvalidArgument, errCallEnded)
	}
	c.size = 0
	err := c.body.run(ctx, c)
	if err != nil {
		c.size = 0
	}
	return err
}
