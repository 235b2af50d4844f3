package tracing

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/provobs/provobs"
)

// ScopeName is the instrumentation scope of the tracer the middleware uses.
const ScopeName = "github.com/provobs/provobs/tracing"

// SpanName returns the name of the spans of calls to method on the store
// info describes, by the rule of OpenTelemetry's database conventions:
// "{db.operation.name} {target}", where the target is info.Namespace or,
// without one, "server.address:server.port"; "{db.operation.name}" alone
// when there is no target; and without a method, the target alone or else
// info.System. The store is described as provobs.DescribeStore would
// (System defaults to provobs.SystemOther).
func SpanName(info provobs.StoreInfo, method string) string {
	if info.System == "" {
		info.System = provobs.SystemOther
	}
	target := info.Namespace
	if target == "" && info.ServerAddress != "" {
		target = info.ServerAddress
		if info.ServerPort > 0 {
			target += ":" + strconv.Itoa(info.ServerPort)
		}
	}
	switch {
	case method != "" && target != "":
		return method + " " + target
	case method != "":
		return method
	case target != "":
		return target
	}
	return info.System
}

// SpanKind returns the kind of the spans of the store info describes:
// trace.SpanKindInternal for an in-memory store, trace.SpanKindClient for
// any other.
func SpanKind(info provobs.StoreInfo) trace.SpanKind {
	if info.InMemory {
		return trace.SpanKindInternal
	}
	return trace.SpanKindClient
}

// Middleware returns a provobs.Middleware that records a span per operation
// with tp's tracer: provobs.Intercept(Interceptor(tp, opts...)).
func Middleware(tp trace.TracerProvider, opts ...Option) provobs.Middleware {
	return provobs.Intercept(Interceptor(tp, opts...))
}

// Interceptor returns the provobs.Interceptor that records a span per
// operation with tp's tracer and runs the operation, and everything inside
// it, under the span's context. A nil tp uses the global TracerProvider
// (otel.GetTracerProvider) at the time Interceptor is called. Use it in a
// provobs.Stack to trace the calls of another storage interface.
//
// The interceptor is a provobs.StoreBinder: a chain built with
// provobs.Intercept (or a Stack bound with Stack.ForStore) binds it to the
// store it runs in front of, which gives its spans their name, kind and
// database attributes. Unbound, it describes the store as
// provobs.DescribeStore(nil) does (db.system.name other_sql).
func Interceptor(tp trace.TracerProvider, opts ...Option) provobs.Interceptor {
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	var cfg config
	for _, o := range opts {
		o.apply(&cfg)
	}
	return newInterceptor(tp.Tracer(ScopeName), cfg, provobs.DescribeStore(nil))
}

// maxMethods bounds the span specs an interceptor keeps for calls that name
// their own method; past it a spec is built per call.
const maxMethods = 256

// spanSpec is everything a span of one operation and method starts with,
// built once: its name and its start options (kind and attributes).
type spanSpec struct {
	name  string
	start []trace.SpanStartOption
}

type methodKey struct {
	op     provobs.Op
	method string
}

type interceptor struct {
	tracer trace.Tracer
	cfg    config
	info   provobs.StoreInfo
	// ops holds the spec of each op's calls that run its own Provider
	// method (Call.Method() == "").
	ops [provobs.NumOps]spanSpec
	// methods holds the specs of calls that name another method (a
	// go-workflows backend's), added on first use; copy on write, so a
	// lookup takes no lock and allocates nothing.
	methods atomic.Pointer[map[methodKey]*spanSpec]
	mu      sync.Mutex // serialises additions to methods
}

var (
	_ provobs.Interceptor = (*interceptor)(nil)
	_ provobs.StoreBinder = (*interceptor)(nil)
)

func newInterceptor(tracer trace.Tracer, cfg config, info provobs.StoreInfo) *interceptor {
	ic := &interceptor{tracer: tracer, cfg: cfg, info: info}
	for _, op := range provobs.Ops() {
		ic.ops[op] = ic.build(op, op.Method())
	}
	empty := map[methodKey]*spanSpec{}
	ic.methods.Store(&empty)
	return ic
}

// BindStore returns a copy of the interceptor whose spans describe the
// store info describes (System defaulted as by provobs.DescribeStore).
func (ic *interceptor) BindStore(info provobs.StoreInfo) provobs.Interceptor {
	if info.System == "" {
		info.System = provobs.SystemOther
	}
	return newInterceptor(ic.tracer, ic.cfg, info)
}

// build returns the spec of op's calls to method on ic's store.
func (ic *interceptor) build(op provobs.Op, method string) spanSpec {
	info := ic.info
	attrs := make([]attribute.KeyValue, 0, 6+len(ic.cfg.attrs))
	attrs = append(attrs, semconv.DBSystemNameKey.String(info.System))
	if method != "" {
		attrs = append(attrs, semconv.DBOperationName(method))
	}
	if info.Namespace != "" {
		attrs = append(attrs, semconv.DBNamespace(info.Namespace))
	}
	if info.ServerAddress != "" {
		attrs = append(attrs, semconv.ServerAddress(info.ServerAddress))
		if info.ServerPort > 0 {
			attrs = append(attrs, semconv.ServerPort(info.ServerPort))
		}
	}
	attrs = append(attrs, attribute.String(provobs.KeyOperation, op.String()))
	attrs = append(attrs, ic.cfg.attrs...)
	kind := ic.cfg.kind
	if kind == trace.SpanKindUnspecified {
		kind = SpanKind(info)
	}
	return spanSpec{
		name:  SpanName(info, method),
		start: []trace.SpanStartOption{trace.WithSpanKind(kind), trace.WithAttributes(attrs...)},
	}
}

// spec returns the spec of a call of op that names method ("" for op's
// own).
func (ic *interceptor) spec(op provobs.Op, method string) *spanSpec {
	if method == "" {
		return &ic.ops[op]
	}
	k := methodKey{op, method}
	if s, ok := (*ic.methods.Load())[k]; ok {
		return s
	}
	ic.mu.Lock()
	defer ic.mu.Unlock()
	old := *ic.methods.Load()
	if s, ok := old[k]; ok {
		return s
	}
	s := ic.build(op, method)
	if len(old) >= maxMethods {
		return &s
	}
	m := make(map[methodKey]*spanSpec, len(old)+1)
	for k, v := range old {
		m[k] = v
	}
	m[k] = &s
	ic.methods.Store(&m)
	return &s
}

func (ic *interceptor) Intercept(ctx context.Context, c *provobs.Call) error {
	op := c.Op()
	if !op.Valid() {
		return c.Invoke(ctx)
	}
	if !ic.cfg.underUnsampled {
		if psc := trace.SpanContextFromContext(ctx); psc.IsValid() && !psc.IsSampled() {
			// A parent-based sampler would drop the span: start none.
			return c.Invoke(ctx)
		}
	}
	s := ic.spec(op, c.Method())
	sctx, span := ic.tracer.Start(ctx, s.name, s.start...)
	err := c.Invoke(sctx)
	if span.IsRecording() {
		// Set after the call: a fetch or dequeue learns its instance from
		// its result.
		if id := c.Instance(); id != "" {
			span.SetAttributes(attribute.String(provobs.KeyInstanceID, id))
		}
		switch provobs.OutcomeOf(ctx, err) {
		case provobs.OutcomeOK:
			if k := op.SizeKey(); k != "" {
				span.SetAttributes(attribute.Int(k, c.Size()))
			}
		case provobs.OutcomeCanceled:
			// The caller's own cancellation is not a failure: error.type
			// says what happened, the status stays unset and no exception
			// is recorded.
			span.SetAttributes(semconv.ErrorTypeKey.String(provobs.TypeCanceled.String()))
		default:
			span.SetAttributes(semconv.ErrorTypeKey.String(provobs.ErrorTypeOf(ctx, err).String()))
			span.RecordError(err)
			span.SetStatus(codes.Error, err.Error())
		}
	}
	span.End()
	return err
}
