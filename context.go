package provobs

import "context"

type instanceKey struct{}

// WithInstance returns a context that names the instance a call works on,
// for operations whose arguments and results carry none (ack, abandon and
// renew by token). Middlewares read it through Call.Instance.
func WithInstance(ctx context.Context, instanceID string) context.Context {
	return context.WithValue(ctx, instanceKey{}, instanceID)
}

// InstanceFromContext returns the instance id set by WithInstance, or "".
func InstanceFromContext(ctx context.Context) string {
	id, _ := ctx.Value(instanceKey{}).(string)
	return id
}
