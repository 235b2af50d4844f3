package slogprov

// Option configures Middleware.
type Option interface {
	apply(*config)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	emptyPollEvery uint64 // 0: suppress empty polls; n: log one in n
}

// WithEmptyPollSampling logs one record for every n empty polls (a fetch or
// dequeue that succeeded and found no work); the record carries
// KeyEmptyPolls = n. n = 1 logs every empty poll; n <= 0 suppresses them.
// Empty polls are counted per middleware and per operation, and only while
// DEBUG is enabled. (Default: 0, empty polls are suppressed.)
func WithEmptyPollSampling(n int) Option {
	return optionFunc(func(c *config) {
		if n < 0 {
			n = 0
		}
		c.emptyPollEvery = uint64(n)
	})
}
