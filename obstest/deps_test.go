package obstest_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// obstest weighs nothing: a middleware author who wants Stub compiles no
// store, no metrics middleware and no Prometheus parser.
func TestObstestIsLight(t *testing.T) {
	t.Parallel()
	out, err := exec.CommandContext(t.Context(), "go", "list", "-deps", ".").Output()
	require.NoError(t, err, "go list -deps")
	for dep := range strings.Lines(string(out)) {
		dep = strings.TrimSpace(dep)
		for _, heavy := range []string{"github.com/provobs/provobs/sqlite", "github.com/provobs/provobs/metrics", "modernc.org/sqlite", "github.com/prometheus/common"} {
			assert.False(t, dep == heavy || strings.HasPrefix(dep, heavy+"/"), "obstest depends on %s", dep)
		}
	}
}
