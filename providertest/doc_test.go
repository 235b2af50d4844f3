package providertest

import (
	"flag"
	"os"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the case list in doc.go")

const docMarker = "// rewrites it.\n//\n"

// TestDocListsEveryCase fails when the case list in doc.go differs from the
// case tables, so a case cannot be added, renamed or removed without the
// package documentation saying so.
func TestDocListsEveryCase(t *testing.T) {
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(src)
	i := strings.Index(doc, docMarker)
	j := strings.Index(doc, "package providertest")
	if i < 0 || j < i {
		t.Fatal("doc.go: generated case list marker not found")
	}
	head, got := doc[:i+len(docMarker)], doc[i+len(docMarker):j]
	want := caseList()
	if got == want {
		return
	}
	if *update {
		if err := os.WriteFile("doc.go", []byte(head+want+doc[j:]), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Log("doc.go: case list rewritten")
		return
	}
	for _, a := range areas() {
		for _, c := range a.cases {
			if !strings.Contains(got, "//   - "+c.name+": "+c.doc+"\n") {
				t.Errorf("doc.go does not list %s/%s as %q", a.name, c.name, c.doc)
			}
		}
	}
	t.Errorf("doc.go case list is out of date; run go test -run TestDocListsEveryCase -update ./providertest/")
}

// TestCaseTables checks the tables themselves: names are lower_snake_case
// and unique within their area, every case has a statement and a check, and
// every area is non-empty.
func TestCaseTables(t *testing.T) {
	name := regexp.MustCompile(`^[a-z0-9]+(_[a-z0-9]+)*$`)
	total := 0
	for _, a := range areas() {
		if len(a.cases) == 0 {
			t.Errorf("area %s has no cases", a.name)
		}
		if _, err := os.Stat(a.file); err != nil {
			t.Errorf("area %s: %v", a.name, err)
		}
		seen := map[string]bool{}
		for _, c := range a.cases {
			if !name.MatchString(c.name) {
				t.Errorf("%s/%s: name is not lower_snake_case", a.name, c.name)
			}
			if seen[c.name] {
				t.Errorf("%s/%s: duplicate name", a.name, c.name)
			}
			seen[c.name] = true
			if c.doc == "" || c.fn == nil {
				t.Errorf("%s/%s: missing statement or check", a.name, c.name)
			}
		}
		total += len(a.cases)
		t.Logf("%-13s %3d cases", a.name, len(a.cases))
	}
	t.Logf("%-13s %3d cases", "total", total)
}
