package obstest

import (
	"os"
	"os/exec"
	"testing"
)

// Binary returns the path of the external program name (promtool,
// prometheus, victoria-metrics, ...) that a test needs: the value of the
// environment variable env when it is set, else name looked up in PATH.
// When the program is missing the test is skipped with a message that says
// how to install it, or fails if the environment variable CI is set, so a
// CI machine without it cannot pass by skipping.
func Binary(t testing.TB, name, env string) string {
	t.Helper()
	if p := os.Getenv(env); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("$%s=%s: %v", env, p, err)
		}
		return p
	}
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	msg := "%s not found in PATH (%v): install it (apt-get install -y prometheus victoria-metrics; .ci/run does) or set $%s"
	if os.Getenv("CI") != "" {
		t.Fatalf(msg+"; CI is set, so this is a failure", name, err, env)
	}
	t.Skipf(msg, name, err, env)
	return ""
}
