package faults

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/provobs/provobs"
)

// Config configures an Injector. The zero value injects nothing.
type Config struct {
	// Seed makes rate draws reproducible; see the package documentation.
	// (Default: 0, itself a fixed seed.)
	Seed uint64
	// Rules are evaluated in order on every call. (Default: none.)
	Rules []Rule
}

// Rule is one kind of fault and when to inject it. A rule with neither Rate
// nor Calls never fires.
type Rule struct {
	// Ops limits the rule to these operations; invalid ops panic in New.
	// (Default: every operation, admin ones included.)
	Ops []provobs.Op
	// Match, when not nil, limits the rule to the calls it accepts. A rule
	// without After sees the Call before the operation runs; an After rule
	// sees it after, when c.Instance() also knows the instance of a fetched
	// batch or dequeued item. Match must not call c.Invoke. (Default: nil,
	// every call.)
	Match func(c *provobs.Call) bool
	// Type is the error type injected when the rule fires; 0 injects no
	// error, only Latency. A type outside provobs.ErrorTypes panics in New.
	// (Default: 0, no error.)
	Type provobs.ErrorType
	// Rate is the probability, in [0, 1], that a call fires the rule.
	// (Default: 0.)
	Rate float64
	// Calls fires the rule on these calls of each operation in Ops,
	// numbered from 1 per operation in arrival order (every call counts,
	// matched or not). (Default: none.)
	Calls []int
	// Max caps how many times the rule fires; 0 means no cap. (Default: 0.)
	Max int
	// Latency is how long a call that fires the rule waits: before the
	// operation for a rule without After, after it for an After rule.
	// (Default: 0.)
	Latency time.Duration
	// After runs the operation first and fires only if it succeeded, so
	// the caller is told of a failure although the operation took effect.
	// (Default: false: the failed call never reaches the provider.)
	After bool
}

// Rate returns a rule that fails a fraction rate of the calls of ops (every
// operation when ops is empty) with an error of type t.
func Rate(rate float64, t provobs.ErrorType, ops ...provobs.Op) Rule {
	return Rule{Ops: ops, Type: t, Rate: rate}
}

// OnCall returns a rule that fails the given calls (numbered from 1) of op
// with an error of type t: OnCall(provobs.OpAckOrch, provobs.TypeConflict, 3)
// fails the third ack.
func OnCall(op provobs.Op, t provobs.ErrorType, calls ...int) Rule {
	return Rule{Ops: []provobs.Op{op}, Type: t, Calls: calls}
}

// Delay returns a rule that delays a fraction rate of the calls of ops
// (every operation when ops is empty) by d, without failing them.
func Delay(d time.Duration, rate float64, ops ...provobs.Op) Rule {
	return Rule{Ops: ops, Rate: rate, Latency: d}
}

// ErrInjected matches, with errors.Is, every error an Injector injects.
var ErrInjected = errors.New("faults: injected fault")

// Fault is the cause of an injected error: which call of which operation
// and which rule. errors.Is(f, ErrInjected) is true.
type Fault struct {
	// Op is the operation that was failed.
	Op provobs.Op
	// Type is the injected error type.
	Type provobs.ErrorType
	// Call is the call's number for Op, from 1.
	Call int64
	// Rule is the index of the rule in Config.Rules.
	Rule int
	// After says the operation ran before the error was injected.
	After bool
}

// Error describes the fault.
func (f *Fault) Error() string {
	s := "faults: injected " + f.Type.String() + " on call " + strconv.FormatInt(f.Call, 10) +
		" of " + f.Op.String() + " (rule " + strconv.Itoa(f.Rule)
	if f.After {
		s += ", after the operation ran"
	}
	return s + ")"
}

// Is reports whether target is ErrInjected.
func (f *Fault) Is(target error) bool { return target == ErrInjected }

// Key names one counter of injected errors.
type Key struct {
	Op   provobs.Op
	Type provobs.ErrorType
}

// Injector injects the faults of a Config into every provider it wraps and
// counts them. It is safe for concurrent use; one Injector may wrap several
// providers, which then share its call numbers and counts.
type Injector struct {
	seed   uint64
	rules  []rule
	before []int // indices of rules without After
	after  []int // indices of After rules

	calls    [provobs.NumOps]atomic.Int64
	delayed  [provobs.NumOps]atomic.Int64
	injected [provobs.NumOps][provobs.NumErrorTypes]atomic.Int64

	mw provobs.Middleware
}

type rule struct {
	Rule
	ops   [provobs.NumOps]bool
	calls map[int64]bool
	fired atomic.Int64
}

// New returns an Injector for cfg. It panics when a rule names an invalid
// operation or error type, or has a Rate outside [0, 1]: a fault test with
// a mistyped rule must not pass by injecting nothing.
func New(cfg Config) *Injector {
	in := &Injector{seed: cfg.Seed, rules: make([]rule, len(cfg.Rules))}
	for i, r := range cfg.Rules {
		if r.Type != 0 && !r.Type.Valid() {
			panic(fmt.Sprintf("faults: rule %d: unknown error type %q", i, r.Type))
		}
		if !(r.Rate >= 0 && r.Rate <= 1) {
			panic(fmt.Sprintf("faults: rule %d: rate %v outside [0, 1]", i, r.Rate))
		}
		ir := &in.rules[i]
		ir.Rule = r
		ir.Ops = slices.Clone(r.Ops)
		ir.Calls = slices.Clone(r.Calls)
		if len(r.Ops) == 0 {
			for op := provobs.OpFetch; op < provobs.NumOps; op++ {
				ir.ops[op] = true
			}
		}
		for _, op := range r.Ops {
			if !op.Valid() {
				panic(fmt.Sprintf("faults: rule %d: invalid operation %v", i, op))
			}
			ir.ops[op] = true
		}
		if len(r.Calls) > 0 {
			ir.calls = make(map[int64]bool, len(r.Calls))
			for _, n := range r.Calls {
				ir.calls[int64(n)] = true
			}
		}
		if r.After {
			in.after = append(in.after, i)
		} else {
			in.before = append(in.before, i)
		}
	}
	in.mw = provobs.Intercept(in)
	return in
}

// Middleware returns a middleware that injects cfg's faults, for tests that
// need no counts. It is New(cfg).Middleware().
func Middleware(cfg Config) provobs.Middleware { return New(cfg).Middleware() }

// Middleware returns the middleware that injects the Injector's faults
// into the provider it wraps. It is built on provobs.Intercept, so the
// wrapped provider's Admin capability survives and admin calls can be
// failed too. The same Middleware is returned on every call.
func (in *Injector) Middleware() provobs.Middleware { return in.mw }

// Interceptor returns the Injector as a provobs.Interceptor, for a
// provobs.Stack around another storage interface.
func (in *Injector) Interceptor() provobs.Interceptor { return in }

// Injected returns how many errors of type t were injected into op.
func (in *Injector) Injected(op provobs.Op, t provobs.ErrorType) int64 {
	if !op.Valid() || !t.Valid() {
		return 0
	}
	return in.injected[op][t].Load()
}

// Counts returns the injected errors by operation and type, leaving out
// zero counts.
func (in *Injector) Counts() map[Key]int64 {
	out := map[Key]int64{}
	for op := provobs.OpFetch; op < provobs.NumOps; op++ {
		for _, t := range provobs.ErrorTypes() {
			if n := in.injected[op][t].Load(); n > 0 {
				out[Key{op, t}] = n
			}
		}
	}
	return out
}

// Total returns how many errors were injected, all operations and types.
func (in *Injector) Total() int64 {
	var n int64
	for _, v := range in.Counts() {
		n += v
	}
	return n
}

// Calls returns how many calls of op reached the Injector.
func (in *Injector) Calls(op provobs.Op) int64 {
	if !op.Valid() {
		return 0
	}
	return in.calls[op].Load()
}

// Delayed returns how many calls of op were delayed by a rule's Latency.
func (in *Injector) Delayed(op provobs.Op) int64 {
	if !op.Valid() {
		return 0
	}
	return in.delayed[op].Load()
}

var _ provobs.Interceptor = (*Injector)(nil)

// Intercept implements provobs.Interceptor: it numbers the call, applies the
// rules without After, runs the operation, then applies the After rules.
func (in *Injector) Intercept(ctx context.Context, c *provobs.Call) error {
	op := c.Op()
	if !op.Valid() {
		return c.Invoke(ctx)
	}
	n := in.calls[op].Add(1)

	fault, delay := in.evaluate(in.before, c, op, n)
	if delay > 0 {
		in.delayed[op].Add(1)
		if err := wait(ctx, op, delay); err != nil {
			return err
		}
	}
	if fault != nil {
		return in.inject(fault)
	}

	err := c.Invoke(ctx)
	if err != nil || len(in.after) == 0 {
		return err
	}
	fault, delay = in.evaluate(in.after, c, op, n)
	if delay > 0 {
		in.delayed[op].Add(1)
		if err := wait(ctx, op, delay); err != nil {
			return err
		}
	}
	if fault != nil {
		return in.inject(fault)
	}
	return nil
}

// evaluate applies the rules at idx to call n of op and returns the fault to
// inject (nil for none) and the total latency of the rules that fired.
func (in *Injector) evaluate(idx []int, c *provobs.Call, op provobs.Op, n int64) (*Fault, time.Duration) {
	var delay time.Duration
	for _, i := range idx {
		r := &in.rules[i]
		if !r.ops[op] || (r.Match != nil && !r.Match(c)) {
			continue
		}
		if !r.calls[n] && !(r.Rate > 0 && draw(in.seed, i, op, n) < r.Rate) {
			continue
		}
		if r.Max > 0 && r.fired.Add(1) > int64(r.Max) {
			continue
		}
		delay += r.Latency
		if r.Type != 0 {
			return &Fault{Op: op, Type: r.Type, Call: n, Rule: i, After: r.After}, delay
		}
	}
	return nil, delay
}

func (in *Injector) inject(f *Fault) error {
	in.injected[f.Op][f.Type].Add(1)
	return provobs.NewError(f.Op, f.Type, f)
}

// wait sleeps d unless ctx ends first, in which case it returns the
// TypeCanceled or TypeDeadlineExceeded error of op (provobs.ContextError).
func wait(ctx context.Context, op provobs.Op, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return provobs.ContextError(op, ctx.Err())
	}
}

// draw returns a number in [0, 1) that depends only on its arguments.
func draw(seed uint64, rule int, op provobs.Op, n int64) float64 {
	h := mix(seed)
	h = mix(h ^ uint64(rule)<<8 ^ uint64(op))
	h = mix(h ^ uint64(n))
	return float64(h>>11) * 0x1p-53
}

// mix is the splitmix64 finalizer.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}
