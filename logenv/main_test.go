package logenv_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that the shutdown function stops the goroutines of the
// LoggerProvider New builds (and that the stores tests open are closed).
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
