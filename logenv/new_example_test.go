package logenv_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/provobs/provobs"
	"github.com/provobs/provobs/logenv"
	"github.com/provobs/provobs/slogprov"
	"github.com/provobs/provobs/sqlite"
)

// The usual start of a program: the handler from PROVOBS_LOG_FORMAT and
// PROVOBS_LOG_LEVEL, flushed on the way out.
func ExampleNew() {
	cfg, err := logenv.FromEnv()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	h, shutdown, err := logenv.New(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	defer func() { _ = shutdown(context.Background()) }()

	store, err := sqlite.Open(context.Background(), "provobs.db")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer store.Close()
	p := provobs.Chain(store, slogprov.Middleware(slog.New(h)))
	_ = p // hand p to the runtime
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
