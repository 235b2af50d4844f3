package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"os/signal"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provobs/provobs"
)

// envInterruptChild makes TestInterruptChild run the command as main does.
const envInterruptChild = "PROVOBS_TEST_INTERRUPT_CHILD"

// TestInterruptChild is the command in a child process of
// TestInterruptIsQuiet: main's signal handling around run, with the
// arguments of the environment variable.
func TestInterruptChild(t *testing.T) {
	args := os.Getenv(envInterruptChild)
	if args == "" {
		t.Skip("the child of TestInterruptIsQuiet")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, strings.Fields(args), os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// lockedBuffer is a bytes.Buffer written by one goroutine and read by
// another.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestInterruptIsQuiet runs the command as a real process on its SQLite
// default, interrupts it with SIGINT (Ctrl-C) mid-run, and checks that
// stopping it wrote no WARN or ERROR record and counted no infrastructure
// error: the calls the interrupt cancelled are DEBUG records with
// error_type=canceled and counts in provider_canceled_total (the summary's
// canceled line), as the root package's rule says.
func TestInterruptIsQuiet(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the command in a child process")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestInterruptChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), envInterruptChild+"="+strings.Join([]string{
		"-duration=60s", "-concurrency=40", "-tasks=3", "-activity-delay=2ms", "-metrics-addr=",
		"-log-format=json", "-log-level=debug", "-progress=10s",
	}, " "))
	var stdout, stderr lockedBuffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()

	// Interrupt once the workload is in full swing: acks are being logged.
	require.Eventually(t, func() bool {
		return strings.Count(stderr.String(), `"operation":"ack_worker"`) >= 20
	}, 60*time.Second, 5*time.Millisecond, "the run got going; stderr:\n%s", tail(stderr.String(), 4000))
	require.NoError(t, cmd.Process.Signal(os.Interrupt))
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("the command did not stop on SIGINT; stderr:\n%s", tail(stderr.String(), 4000))
	}

	out := stdout.String()
	require.Contains(t, out, "provobs stress summary", "the summary is printed on interrupt; stderr:\n%s", tail(stderr.String(), 4000))
	assert.Regexp(t, `(?m)^errors\s+none$`, out, "no infrastructure error")
	assert.Regexp(t, `(?m)^canceled\s+\S`, out)

	var records, canceled int
	sc := bufio.NewScanner(strings.NewReader(stderr.String()))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) == 0 || line[0] != '{' {
			continue // progress and metrics lines
		}
		var r map[string]any
		if err := json.Unmarshal(line, &r); err != nil {
			continue
		}
		records++
		level, _ := r["level"].(string)
		assert.NotContains(t, []string{"WARN", "ERROR"}, level, "record %s", line)
		if r[provobs.KeyErrorType] == provobs.TypeCanceled.String() {
			canceled++
			assert.Equal(t, provobs.MessageCanceled, r["msg"], "record %s", line)
		}
	}
	require.NoError(t, sc.Err())
	assert.Positive(t, records)
	n := regexp.MustCompile(`(?m)^canceled\s+(.*)$`).FindStringSubmatch(out)
	t.Logf("%d records, %d cancelled calls logged; summary canceled line: %v", records, canceled, n)
}
