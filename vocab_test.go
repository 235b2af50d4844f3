package provobs_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/provobs/provobs"
)

// vocabulary is every shared name: the constants of vocab.go and the
// per-operation names of the catalogue.
func vocabulary() map[string]string {
	v := map[string]string{}
	for _, k := range []string{
		provobs.KeyOperation, provobs.KeyMethod, provobs.KeyInstanceID, provobs.KeyDurationMS,
		provobs.KeyErrorType, provobs.KeyError, provobs.KeyEmptyPolls, provobs.KeyTraceID,
		provobs.KeySpanID, provobs.KeyOTelErrorType,
		provobs.SizeMessages, provobs.SizeEvents, provobs.SizeItems, provobs.SizeSessionsRenewed,
		provobs.SizeSessionsCleaned, provobs.SizeInstances,
		provobs.MessageOK, provobs.MessageFailed, provobs.MessageCanceled,
		provobs.MetricInfrastructureErrors, provobs.MetricCanceled, provobs.MetricAckOrchestrationRetries, provobs.MetricRetries,
		provobs.MetricSessionsRenewed, provobs.MetricSessionsCleaned, provobs.MetricOrchestratorQueueDepth,
		provobs.MetricWorkerQueueDepth, provobs.MetricTimerQueueDepth, provobs.MetricQueueDepthPollErrors,
		provobs.OTelMetricInfrastructureErrors, provobs.OTelMetricCancellations, provobs.OTelMetricRetries,
		provobs.OTelMetricSessionsRenewed, provobs.OTelMetricSessionsCleaned, provobs.OTelMetricQueueDepth,
		provobs.OTelMetricQueuePollErrors, provobs.KeyQueue,
	} {
		v[k] = "vocabulary"
	}
	for _, op := range provobs.Ops() {
		v[op.String()] = "operation label"
		v[op.MetricName()] = "metric name"
	}
	for _, t := range provobs.ErrorTypes() {
		v[t.String()] = "error type"
	}
	return v
}

// literalsAllowed are the files that define the vocabulary.
var literalsAllowed = map[string]bool{"vocab.go": true, "ops.go": true, "errors.go": true}

// TestNoSpelledVocabulary fails when a Go file of the module spells a shared
// name as a string literal instead of using its constant: the names are
// defined once, in vocab.go and the catalogue. Tests may spell the values
// they expect on the wire; a literal that only happens to equal a shared
// name (a flag called "instances") carries a "vocab:ignore" comment on its
// line.
func TestNoSpelledVocabulary(t *testing.T) {
	t.Parallel()
	vocab := vocabulary()
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || isModule(path)) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || literalsAllowed[path] {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution|parser.ParseComments)
		if err != nil {
			return err
		}
		ignored := map[int]bool{}
		for _, cg := range f.Comments {
			for _, c := range cg.List {
				if strings.Contains(c.Text, "vocab:ignore") {
					ignored[fset.Position(c.Pos()).Line] = true
				}
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				return true
			}
			if what, ok := vocab[s]; ok && !ignored[fset.Position(lit.Pos()).Line] {
				t.Errorf("%s: %q is a shared %s: use its constant", fset.Position(lit.Pos()), s, what)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// isModule reports whether dir holds a module of its own (bench/,
// goworkflows/), which the walk leaves to that module's tests.
func isModule(dir string) bool {
	_, err := fs.Stat(osDirFS, filepath.Join(dir, "go.mod"))
	return err == nil
}

var osDirFS = os.DirFS(".")
