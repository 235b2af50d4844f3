package wake

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestNotifier(t *testing.T) {
	t.Parallel()
	n := New()
	n.Broadcast() // no waiter: nothing to wake, nothing lost
	a := n.Wait()
	b := n.Wait()
	assert.Equal(t, a, b, "waiters before one broadcast share a channel")
	select {
	case <-a:
		t.Fatal("closed before a broadcast")
	default:
	}
	n.Broadcast()
	<-a
	<-b
	c := n.Wait()
	select {
	case <-c:
		t.Fatal("a broadcast wakes only the waiters before it")
	default:
	}
}
