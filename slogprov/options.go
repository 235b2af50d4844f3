package slogprov

// Option configures Middleware and Interceptor.
type Option interface {
	apply(*config)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	emptyPollEvery uint64 // 0: suppress empty polls; n: log one in n
	traceIDs       bool
}

// WithEmptyPollSampling logs one record for every n empty polls (a fetch or
// dequeue that succeeded and found no work): the n-th, 2n-th, ... empty poll
// writes a record whose empty_polls is n, the polls since the previous
// record, itself included; so the sum over records is exactly the empty
// polls made up to the last record (7 polls with n = 3 give 2 records of 3,
// and the 7th is counted by the next record). n = 1 logs every
// empty poll; n <= 0 suppresses them. Empty polls are counted per
// interceptor and per operation, and only while DEBUG is enabled.
// (Default: 0, empty polls are suppressed.)
func WithEmptyPollSampling(n int) Option {
	return optionFunc(func(c *config) {
		if n < 0 {
			n = 0
		}
		c.emptyPollEvery = uint64(n)
	})
}

// WithTraceIDs says whether records written inside a valid span carry its
// trace_id and span_id as attributes, so a JSON, text or tint line leads to
// its trace. The OTel bridge (otelslog) sets the record's native trace
// fields from the context anyway; turn this off there to avoid the
// duplicate attributes. (Default: true.)
func WithTraceIDs(on bool) Option {
	return optionFunc(func(c *config) { c.traceIDs = on })
}
