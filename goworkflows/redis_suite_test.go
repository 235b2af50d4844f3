package goworkflows_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cschleiden/go-workflows/backend"
	"github.com/cschleiden/go-workflows/backend/history"
	redisbackend "github.com/cschleiden/go-workflows/backend/redis"
	"github.com/cschleiden/go-workflows/diag"
	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"
)

// envRedisRun carries TestSuites' run id to its children: every key of
// every Redis backend of one run starts with redisRunPrefix(run), so the
// parent can check that the run left no key behind, whatever else shares
// the server.
const envRedisRun = "PROVOBS_GW_REDIS_RUN"

func redisAddr() string {
	if addr := os.Getenv(envRedisAddr); addr != "" {
		return addr
	}
	return defaultRedisAddr
}

func newRedisClient() *redis.Client {
	return redis.NewClient(&redis.Options{Addr: redisAddr()})
}

func redisReachable() error {
	c := newRedisClient()
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return c.Ping(ctx).Err()
}

// redisRunPrefix is the key prefix shared by every backend of one
// TestSuites run.
func redisRunPrefix(run string) string { return "provobs-gw-" + run + ":" }

// redisKeys returns the keys under prefix (a SCAN, not KEYS, so a shared
// server is not blocked).
func redisKeys(ctx context.Context, c *redis.Client, prefix string) ([]string, error) {
	var keys []string
	iter := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	return keys, iter.Err()
}

// deleteRedisKeys deletes every key under prefix and returns how many
// there were.
func deleteRedisKeys(prefix string) (int, error) {
	c := newRedisClient()
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	keys, err := redisKeys(ctx, c, prefix)
	if err != nil || len(keys) == 0 {
		return 0, err
	}
	for chunk := range slices.Chunk(keys, 500) {
		if err := c.Unlink(ctx, chunk...).Err(); err != nil {
			return 0, fmt.Errorf("deleting keys under %s: %w", prefix, err)
		}
	}
	return len(keys), nil
}

// newRedisBackend returns a go-workflows Redis backend with a client and a
// key prefix of its own (go-workflows' own tests flush the whole database
// instead, which a shared server does not allow); its keys are deleted by
// teardown and, at the latest, when t ends. The block timeout is
// go-workflows' own tests' (10ms), so an empty poll returns at once.
//
// Every case passes bare and wrapped alike; six are skipped by go-workflows
// itself (the Redis backend answers RemoveWorkflowInstances and automatic
// expiration with ErrNotSupported). EndToEndBackendTest's
// SubWorkflow/DifferentQueue (with and without cache) times out about one
// run in twenty on the bare backend too, more often on a loaded machine (a
// race in go-workflows' Redis backend, not in Wrap): TestSuites's rerun of
// a failed case, alone, covers it.
func newRedisBackend(t *testing.T, options ...backend.BackendOption) (*redisTestBackend, error) {
	run := os.Getenv(envRedisRun)
	if run == "" {
		run = "adhoc"
	}
	prefix := redisRunPrefix(run) + strings.ReplaceAll(uuid.NewString(), "-", "") + ":"
	b, err := redisbackend.NewRedisBackend(newRedisClient(),
		redisbackend.WithKeyPrefix(prefix),
		redisbackend.WithBlockTimeout(10*time.Millisecond),
		redisbackend.WithBackendOptions(options...))
	if err != nil {
		return nil, fmt.Errorf("creating the Redis backend: %w", err)
	}
	rb := &redisTestBackend{Backend: b, prefix: prefix}
	t.Cleanup(rb.drop)
	return rb, nil
}

// redisTestBackend adds GetFutureEvents, which go-workflows v1.4.2 defines
// for its Redis backend only in redis_test.go, to the Redis backend; the
// reads are that file's, under this backend's key prefix.
type redisTestBackend struct {
	diag.Backend
	prefix string
}

// drop deletes the backend's keys (the backend closes its own client).
// A worker goroutine that outlived the test may write a key after a first
// drop, so the cleanup at the end of the test drops again.
func (rb *redisTestBackend) drop() {
	_, _ = deleteRedisKeys(rb.prefix)
}

func (rb *redisTestBackend) GetFutureEvents(ctx context.Context) ([]*history.Event, error) {
	// The backend's client may be closed by then (teardown): read with one
	// of our own.
	c := newRedisClient()
	defer c.Close()
	ids, err := c.ZRangeByScore(ctx, rb.prefix+"future-events", &redis.ZRangeBy{Min: "-inf", Max: "+inf"}).Result()
	if err != nil {
		return nil, fmt.Errorf("getting future events: %w", err)
	}
	events := make([]*history.Event, 0, len(ids))
	for _, id := range ids {
		raw, err := c.HGet(ctx, id, "event").Result()
		if err != nil {
			return nil, fmt.Errorf("getting event %v: %w", id, err)
		}
		var e *history.Event
		if err := json.Unmarshal([]byte(raw), &e); err != nil {
			return nil, fmt.Errorf("unmarshaling event %v: %w", id, err)
		}
		events = append(events, e)
	}
	return events, nil
}
