package otelmetrics

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"

	"github.com/provobs/provobs"
)

// MaxMethods caps the storage method names (Call.Method, when it is not
// the operation's own Provider method) one bound interceptor records as
// db.operation.name. A wrapper names a fixed set of methods (go-workflows'
// backend has fewer than 30), so the cap is not reached in practice; it
// keeps the attribute's values a bounded set whatever a caller passes:
// beyond it, a call with a new method name is recorded under its op's own
// name (operationName(op, "")).
const MaxMethods = 256

// outcomeSets holds the histogram options of one db.operation.name: index
// 0 for a success, index t for a call that ended with error type t (a
// cancellation is provobs.TypeCanceled).
type outcomeSets [provobs.NumErrorTypes][]metric.RecordOption

type methodKey struct {
	op     provobs.Op
	method string
}

// binding is what Metrics records for one store: the histogram's attribute
// sets, per operation and outcome, precomputed.
type binding struct {
	m       *Metrics
	store   []attribute.KeyValue // db.system.name, db.namespace, server.address, server.port
	ops     [provobs.NumOps]outcomeSets
	mu      sync.Mutex // serialises additions to methods
	methods atomic.Pointer[map[methodKey]*outcomeSets]
}

// bind precomputes the attribute sets of every operation for info.
func (m *Metrics) bind(info provobs.StoreInfo) *binding {
	b := &binding{m: m, store: storeAttrs(info)}
	for _, op := range provobs.Ops() {
		b.ops[op] = b.sets(op, operationName(op, ""))
	}
	empty := map[methodKey]*outcomeSets{}
	b.methods.Store(&empty)
	return b
}

// storeAttrs are the semantic conventions' attributes of the store: its
// system always, the others when known.
func storeAttrs(info provobs.StoreInfo) []attribute.KeyValue {
	kvs := []attribute.KeyValue{semconv.DBSystemNameKey.String(info.System)}
	if info.Namespace != "" {
		kvs = append(kvs, semconv.DBNamespace(info.Namespace))
	}
	if info.ServerAddress != "" {
		kvs = append(kvs, semconv.ServerAddress(info.ServerAddress))
	}
	if info.ServerPort > 0 {
		kvs = append(kvs, semconv.ServerPort(info.ServerPort))
	}
	return kvs
}

// operationName is the db.operation.name of a call: the storage method it
// ran, else the op's Provider or Admin method, else the op's label.
func operationName(op provobs.Op, method string) string {
	if method != "" {
		return method
	}
	if m := op.Method(); m != "" {
		return m
	}
	return op.String()
}

// sets builds the histogram options of op under db.operation.name name.
func (b *binding) sets(op provobs.Op, name string) outcomeSets {
	var s outcomeSets
	base := append(append(make([]attribute.KeyValue, 0, len(b.store)+3), b.store...),
		semconv.DBOperationName(name), attribute.String(provobs.KeyOperation, op.String()))
	s[0] = []metric.RecordOption{metric.WithAttributeSet(attribute.NewSet(base...))}
	for _, t := range provobs.ErrorTypes() {
		kvs := append(base[:len(base):len(base)], semconv.ErrorTypeKey.String(t.String()))
		s[t] = []metric.RecordOption{metric.WithAttributeSet(attribute.NewSet(kvs...))}
	}
	return s
}

// setsFor returns the options of a call of op that ran method.
func (b *binding) setsFor(op provobs.Op, method string) *outcomeSets {
	if method == "" || method == op.Method() {
		return &b.ops[op]
	}
	k := methodKey{op, method}
	if s, ok := (*b.methods.Load())[k]; ok {
		return s
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	cur := *b.methods.Load()
	if s, ok := cur[k]; ok {
		return s
	}
	if len(cur) >= MaxMethods {
		return &b.ops[op]
	}
	s := b.sets(op, method)
	next := make(map[methodKey]*outcomeSets, len(cur)+1)
	for k, v := range cur {
		next[k] = v
	}
	next[k] = &s
	b.methods.Store(&next)
	return &s
}

// observe records one finished call.
func (b *binding) observe(ctx context.Context, c *provobs.Call, err error, elapsed time.Duration) {
	op := c.Op()
	if !op.Valid() {
		return
	}
	m := b.m
	sets := b.setsFor(op, c.Method())
	var idx provobs.ErrorType
	switch provobs.OutcomeOf(ctx, err) {
	case provobs.OutcomeOK:
		switch op {
		case provobs.OpRenewSessionLock:
			m.sessionsRenewed.Add(ctx, int64(c.Size()))
		case provobs.OpCleanupOrphanedSessions:
			m.sessionsCleaned.Add(ctx, int64(c.Size()))
		}
	case provobs.OutcomeCanceled:
		idx = provobs.TypeCanceled
		m.cancellations.Add(ctx, 1, m.opOnly[op]...)
	default:
		idx = typeOf(ctx, err)
		m.infraErrors.Add(ctx, 1, m.byType[op][idx]...)
	}
	m.duration.Record(ctx, elapsed.Seconds(), sets[idx]...)
}

// typeOf is provobs.ErrorTypeOf for a non-nil err (the type every observer
// records), with a type outside the defined set (an *Error built by hand)
// counted as unknown.
func typeOf(ctx context.Context, err error) provobs.ErrorType {
	if t := provobs.ErrorTypeOf(ctx, err); t.Valid() {
		return t
	}
	return provobs.TypeUnknown
}

// interceptor is the Interceptor of Metrics.Interceptor: unbound, it
// records as a store that does not describe itself; it binds to any store
// on request.
type interceptor struct {
	m  *Metrics
	ob provobs.Interceptor // provobs.Observer of the binding to DescribeStore(nil)
}

var (
	_ provobs.Interceptor = (*interceptor)(nil)
	_ provobs.StoreBinder = (*interceptor)(nil)
)

// Intercept runs the call once and records it with the attributes of a
// store that does not describe itself.
func (ic *interceptor) Intercept(ctx context.Context, c *provobs.Call) error {
	return ic.ob.Intercept(ctx, c)
}

// BindStore returns an interceptor that records with info's attributes:
// every attribute set of every operation and outcome is built here, once,
// so a call builds nothing. The result is a provobs.Observer, so adjacent
// Observers in a chain share its clock readings; it is bound for good (bind
// Metrics.Interceptor again for another store).
func (ic *interceptor) BindStore(info provobs.StoreInfo) provobs.Interceptor {
	return provobs.Observer(ic.m.bind(info).observe)
}
