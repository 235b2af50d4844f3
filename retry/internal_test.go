package retry

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestBackoffIsCappedEqualJitter(t *testing.T) {
	r := &retrier{base: 10 * time.Millisecond, max: 100 * time.Millisecond}
	for n, d := range map[int]time.Duration{
		1: 10 * time.Millisecond, 2: 20 * time.Millisecond, 3: 40 * time.Millisecond,
		4: 80 * time.Millisecond, 5: 100 * time.Millisecond, 60: 100 * time.Millisecond,
	} {
		for range 100 {
			got := r.backoff(n)
			assert.GreaterOrEqual(t, got, d/2, "retry %d", n)
			assert.LessOrEqual(t, got, d, "retry %d", n)
		}
	}

	huge := &retrier{base: time.Second, max: 1<<63 - 1}
	assert.Positive(t, huge.backoff(200), "no overflow")
}
