package provobs

// Middleware wraps a Provider in another that adds behaviour around its
// operations. Build middlewares with Intercept or Observe so each is written
// once, not once per method; a wrapper built that way also keeps the Admin
// capability of the provider it wraps.
type Middleware func(next Provider) Provider

// Chain wraps p in mws. The first middleware is the outermost: it sees a call
// first and its result last. Nil middlewares are skipped; Chain(p) returns p.
func Chain(p Provider, mws ...Middleware) Provider {
	for i := len(mws) - 1; i >= 0; i-- {
		if mws[i] != nil {
			p = mws[i](p)
		}
	}
	return p
}
