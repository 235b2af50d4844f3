package metrics_test

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provobs/provobs/metrics"
)

// docLine matches the exposition lines quoted in the package doc: HELP and
// TYPE lines and samples at zero.
var docLine = regexp.MustCompile(`(?m)^//\t((?:# (?:HELP|TYPE) provider_.*)|(?:provider_\S+ 0))$`)

// Every exposition line the package doc quotes is one that New or
// New(WithBaseUnits()) writes, word for word.
func TestDocQuotesTheExposition(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("doc.go")
	require.NoError(t, err)
	var buf bytes.Buffer
	metrics.New().WritePrometheus(&buf)
	metrics.New(metrics.WithBaseUnits()).WritePrometheus(&buf)
	lines := map[string]bool{}
	for l := range strings.Lines(buf.String()) {
		lines[strings.TrimSuffix(l, "\n")] = true
	}
	quoted := docLine.FindAllStringSubmatch(string(doc), -1)
	assert.Greater(t, len(quoted), 40)
	for _, q := range quoted {
		assert.True(t, lines[q[1]], "doc.go quotes a line the exposition lacks:\n%s", q[1])
	}
}
