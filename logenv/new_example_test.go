package logenv_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/logenv"
	"github.com/provobs/provobs/slogprov"
	"github.com/provobs/provobs/sqlite"
)

// The usual start of a program: the handler for the environment (here JSON,
// as on a server; logenv.FromEnv reads PROVOBS_LOG_FORMAT and
// PROVOBS_LOG_LEVEL), flushed on the way out, redacting by default. The
// example writes to a buffer and prints each record without its time.
func ExampleNew() {
	var out bytes.Buffer
	h, shutdown, err := logenv.New(logenv.Config{Format: logenv.FormatJSON, Writer: &out})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer func() { _ = shutdown(context.Background()) }()

	ctx := context.Background()
	store, err := sqlite.Open(ctx, sqlite.MemoryPath) // a file path in a real program
	if err != nil {
		fmt.Println(err)
		return
	}
	defer store.Close()
	logger := slog.New(h)
	p := provobs.Chain(store, slogprov.Middleware(logger))
	_ = p.AckWorker(provobs.WithInstance(ctx, "order-42"), "stale-token", nil) // hand p to the runtime

	logger.Info("connecting",
		"dsn", "postgres://app:hunter2@db/app", "db_password", "hunter2", "session_id", "s-1",
		"error", errors.New("auth failed: password=hunter2"))

	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			fmt.Println(err)
			return
		}
		delete(m, slog.TimeKey)
		delete(m, provobs.KeyDurationMS)
		if m[slog.MessageKey] == provobs.MessageFailed {
			delete(m, provobs.KeyError) // the provider's error text
		}
		b, _ := json.Marshal(m)
		fmt.Fprintln(os.Stdout, string(b))
	}
	// Output:
	// {"error_type":"lock_lost","instance_id":"order-42","level":"ERROR","msg":"provider operation failed","operation":"ack_worker"}
	// {"dsn":"postgres://app:[REDACTED]@db/app","error":"auth failed: password=[REDACTED]","level":"INFO","msg":"connecting","session_id":"s-1"}
}

// Unknown values are errors that say what would have been accepted.
func ExampleParseLevel() {
	_, err := logenv.ParseLevel("verbose")
	fmt.Println(err)
	l, _ := logenv.ParseLevel("DEBUG-4")
	fmt.Println(l)
	// Output:
	// logenv: PROVOBS_LOG_LEVEL="verbose": unknown log level, want debug, info, warn or error, optionally with an offset such as debug-4
	// DEBUG-4
}
