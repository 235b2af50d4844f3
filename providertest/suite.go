package providertest

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/obstest"
)

// Factory returns a fresh, empty provider, isolated from every other provider
// it returns, and registers its own cleanup with t.Cleanup. Run calls it once
// per case, from the case's own goroutine.
type Factory func(t *testing.T) provobs.Provider

// Option configures Run. Build options with WithLockTimeout, WithWaitLimit,
// WithStorage and Skip.
type Option interface {
	apply(*config)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// WithLockTimeout sets the short lock and session-lease timeout that the
// expiration, attempt, session and depth cases wait out. Raise it for a
// provider whose clock or storage is coarse. (Default: 300ms.)
func WithLockTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d > 0 {
			c.lockTimeout = d
		}
	})
}

// WithWaitLimit sets how long a case waits for an expected state (a lock
// expiring, a delayed message becoming visible) before it fails. It bounds
// failures only: a passing case never waits that long. (Default: 10s.)
func WithWaitLimit(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d > 0 {
			c.wait = d
		}
	})
}

// Skip skips the named cases, for a provider that knowingly lacks a
// behaviour. A name is "area/case" (as in the package documentation) or a
// whole "area". An unknown name fails the run, so a typo cannot silently
// skip nothing.
func Skip(names ...string) Option {
	return optionFunc(func(c *config) {
		for _, n := range names {
			c.skip[n] = true
		}
	})
}

// Storage reaches the storage behind the providers a Factory returns, for
// the cases that close a provider with writes in flight and reopen its
// storage, or open it a second time as another process would. Give it with
// WithStorage for a provider whose storage outlives it (a file, a
// database server); those cases skip without it.
type Storage struct {
	// Close closes the provider p the factory returned (p need not be an
	// io.Closer itself, for example when it is wrapped in middlewares).
	// It may be called while calls on p are in flight.
	Close func(p provobs.Provider) error
	// Open opens a new provider on p's storage, independent of p as
	// another process's would be, and registers its cleanup with t. p may
	// be open or closed.
	Open func(t *testing.T, p provobs.Provider) provobs.Provider
}

// WithStorage gives the suite access to the providers' storage (see
// Storage). Both functions must be set.
func WithStorage(s Storage) Option {
	return optionFunc(func(c *config) {
		if s.Close != nil && s.Open != nil {
			c.storage = &s
		}
	})
}

type config struct {
	lockTimeout time.Duration
	wait        time.Duration
	skip        map[string]bool
	storage     *Storage
	cov         *coverage
}

func newConfig(opts []Option) *config {
	c := &config{
		lockTimeout: 300 * time.Millisecond,
		wait:        10 * time.Second,
		skip:        map[string]bool{},
		cov:         &coverage{},
	}
	for _, o := range opts {
		if o != nil {
			o.apply(c)
		}
	}
	return c
}

// testCase is one behaviour: a name (lower_snake_case, unique in its area),
// the one-line statement the package documentation lists, and the check.
type testCase struct {
	name string
	doc  string
	fn   func(h *harness)
}

// area groups the cases of one file.
type area struct {
	name  string // subtest name and Skip prefix
	title string // heading in the package documentation
	file  string
	cases []testCase
}

// areas is the suite's table of contents, in the order of spec §6.
func areas() []area {
	return []area{
		{"atomicity", "Atomicity", "atomicity.go", atomicityCases},
		{"errors", "Error handling", "errors.go", errorCases},
		{"instances", "Instance creation", "instances.go", instanceCases}, // vocab:ignore (an area name)
		{"locking", "Instance and item locking", "locking.go", lockingCases},
		{"expiration", "Lock expiration and renewal", "expiration.go", expirationCases},
		{"queues", "Queue semantics", "queues.go", queueCases},
		{"executions", "Multi-execution and history", "executions.go", executionCases},
		{"attempts", "Attempt counts and poison messages", "attempts.go", attemptCases},
		{"sessions", "Sessions", "sessions.go", sessionCases},
		{"cancellation", "Activity cancellation", "cancellation.go", cancellationCases},
		{"polling", "Polling bounds", "polling.go", pollingCases},
		{"depths", "Queue depths (Admin)", "depths.go", depthCases},
		{"admin", "Instance listing and info (Admin)", "admin.go", adminCases},
		{"input", "Bad and unusual input", "input.go", inputCases},
		{"rules", "The contract's argument rules (provobs.Validate*)", "rules.go", ruleCases},
		{"races", "Races", "races.go", raceCases},
		{"interruption", "Cancellation during a call, Close and reopen", "interruption.go", interruptionCases},
	}
}

// Run runs every conformance case against providers made by newProvider, as
// subtests named "<area>/<case>" (see the package documentation for the
// list). Every case calls t.Parallel and gets its own provider, so Run
// returns before the cases finish; they complete before t does. The cases
// mostly wait on short timers, so a higher -parallel than the default
// (GOMAXPROCS) shortens the run.
func Run(t *testing.T, newProvider Factory, opts ...Option) {
	t.Helper()
	cfg := newConfig(opts)
	known := map[string]bool{}
	for _, a := range areas() {
		known[a.name] = true
		for _, c := range a.cases {
			known[a.name+"/"+c.name] = true
		}
	}
	for n := range cfg.skip {
		if !known[n] {
			t.Errorf("providertest.Skip: unknown case or area %q", n)
		}
	}
	total := int64(len(known) - len(areas()))
	t.Cleanup(func() { cfg.cov.check(t, total) })
	for _, a := range areas() {
		t.Run(a.name, func(t *testing.T) {
			t.Parallel()
			for _, c := range a.cases {
				t.Run(c.name, func(t *testing.T) {
					t.Parallel()
					if cfg.skip[a.name] || cfg.skip[a.name+"/"+c.name] {
						t.Skip("skipped by providertest.Skip")
					}
					p := newProvider(t)
					if p == nil {
						t.Fatal("providertest: the factory returned a nil provider")
					}
					cfg.cov.ran.Add(1)
					c.fn(&harness{T: t, p: cfg.cov.wrap(p), cfg: cfg})
				})
			}
		})
	}
}

// coverage counts, with obstest.Calls, the operations the cases call on
// the providers under test (each wrapped in a counting chain), so that Run
// fails when a Provider or Admin method is never called: a method added to
// the contract needs cases here before the suite passes.
type coverage struct {
	calls obstest.Calls
	ran   atomic.Int64 // cases that got a provider
	admin atomic.Bool  // a provider under test implements Admin
	raws  sync.Map     // counting chain -> the provider it wraps
}

// wrap returns p in a chain that counts its operations.
func (c *coverage) wrap(p provobs.Provider) provobs.Provider {
	if _, ok := p.(provobs.Admin); ok {
		c.admin.Store(true)
	}
	w := provobs.Chain(p, c.calls.Middleware())
	c.raws.Store(w, p)
	return w
}

// unwrap returns the provider that p, a counting chain, wraps (p itself
// when it is none).
func (c *coverage) unwrap(p provobs.Provider) provobs.Provider {
	if raw, ok := c.raws.Load(p); ok {
		return raw.(provobs.Provider)
	}
	return p
}

// storage returns s for the cases: its functions see the providers the
// factory and s.Open returned, not their counting chains.
func (c *coverage) storage(s *Storage) *Storage {
	return &Storage{
		Close: func(p provobs.Provider) error { return s.Close(c.unwrap(p)) },
		Open:  func(t *testing.T, p provobs.Provider) provobs.Provider { return c.wrap(s.Open(t, c.unwrap(p))) },
	}
}

// check fails t for each operation of provobs.MethodOps that no case
// called, when every one of the total cases ran (no -run filter, no Skip);
// Admin operations count only when a provider under test is an Admin.
func (c *coverage) check(t *testing.T, total int64) {
	t.Helper()
	if ran := c.ran.Load(); ran < total {
		t.Logf("providertest: %d of %d cases ran; the check that every operation is called needs them all", ran, total)
		return
	}
	for _, op := range c.missing() {
		t.Errorf("providertest: no case called %s (operation %s): add cases for it", op.Method(), op)
	}
}

// missing returns the operations of provobs.MethodOps that no case called,
// Admin operations only when a provider under test is an Admin.
func (c *coverage) missing() []provobs.Op {
	admin := reflect.TypeFor[provobs.Admin]()
	var out []provobs.Op
	for _, op := range provobs.MethodOps() {
		if _, isAdmin := admin.MethodByName(op.Method()); isAdmin && !c.admin.Load() {
			continue
		}
		if c.calls.Count(op) == 0 {
			out = append(out, op)
		}
	}
	return out
}

// caseList renders the case list of the package documentation.
func caseList() string {
	var b strings.Builder
	for i, a := range areas() {
		if i > 0 {
			b.WriteString("//\n")
		}
		fmt.Fprintf(&b, "// # %s\n//\n// Area %q, in %s:\n//\n", a.title, a.name, a.file)
		for _, c := range a.cases {
			fmt.Fprintf(&b, "//   - %s: %s\n", c.name, c.doc)
		}
	}
	return b.String()
}
