package rules

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/layerlens/layerlens/analysis"
	"golang.org/x/tools/txtar"
)

var update = flag.Bool("update", false, "rewrite the want sections of testdata/*.txtar and docs/rules.md")

// formatFinding renders a finding as "file:L:C-L:C severity Rule: message" with 1-based
// positions, followed by its fixes and related locations, indented.
func formatFinding(name string, fd analysis.Finding) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s:%s %s %s: %s\n", name, rng(fd.Range), fd.Severity, fd.Rule, fd.Message)
	for _, rel := range fd.Related {
		fmt.Fprintf(&b, "\trelated %s: %s\n", rng(rel.Range), rel.Message)
	}
	for _, fx := range fd.Fixes {
		fmt.Fprintf(&b, "\tfix %q:", fx.Title)
		for _, e := range fx.Edits {
			fmt.Fprintf(&b, " %s %q", rng(e.Range), e.NewText)
		}
		b.WriteString("\n")
	}
	return b.String()
}

func rng(r analysis.Range) string {
	return fmt.Sprintf("%d:%d-%d:%d", r.Start.Line+1, r.Start.Col+1, r.End.Line+1, r.End.Col+1)
}

// runArchive checks every Dockerfile of a golden archive with only the named rule and returns
// the rendered findings per file.
func runArchive(t *testing.T, ar *txtar.Archive, rule string) (out string, perFile map[string]int) {
	t.Helper()
	opts := Options{Only: []string{rule}}
	for _, f := range ar.Files {
		switch f.Name {
		case ".dockerignore":
			opts.DockerIgnore = analysis.ParseDockerIgnore(string(f.Data))
		case "no.dockerignore":
			opts.DockerIgnore = &analysis.DockerIgnore{}
		case ".layerlens.yaml":
			c, err := ParseConfig(f.Data)
			if err != nil {
				t.Fatalf("config: %v", err)
			}
			opts.Config = c
		}
	}
	perFile = map[string]int{}
	var b strings.Builder
	for _, f := range ar.Files {
		if !strings.HasSuffix(f.Name, ".Dockerfile") {
			continue
		}
		file := analysis.Parse(string(f.Data))
		perFile[f.Name] = 0
		for _, fd := range Check(file, opts) {
			if fd.Rule != rule {
				t.Errorf("%s: finding of another rule %s", f.Name, fd.Rule)
			}
			perFile[f.Name]++
			b.WriteString(formatFinding(f.Name, fd))
			checkRange(t, file, f.Name, fd)
		}
	}
	return b.String(), perFile
}

// checkRange verifies that a finding's range (and its fixes' ranges) lie inside the file.
func checkRange(t *testing.T, f *analysis.File, name string, fd analysis.Finding) {
	t.Helper()
	valid := func(r analysis.Range) bool {
		return !r.End.Before(r.Start) && posOffset(f, r.Start) == f.LineStarts[min(r.Start.Line, len(f.LineStarts)-1)]+r.Start.Col &&
			r.End.Line < len(f.LineStarts)+1
	}
	if !valid(fd.Range) {
		t.Errorf("%s: %s: bad range %v", name, fd.Rule, fd.Range)
	}
	for _, fx := range fd.Fixes {
		for _, e := range fx.Edits {
			if !valid(e.Range) {
				t.Errorf("%s: %s: bad fix range %v", name, fd.Rule, e.Range)
			}
		}
	}
}

func TestGolden(t *testing.T) {
	for _, r := range All {
		t.Run(r.Name, func(t *testing.T) {
			path := filepath.Join("testdata", r.Name+".txtar")
			ar, err := txtar.ParseFile(path)
			if err != nil {
				t.Fatalf("every rule needs a golden file: %v", err)
			}
			got, perFile := runArchive(t, ar, r.Name)
			var want *txtar.File
			for i := range ar.Files {
				if ar.Files[i].Name == "want" {
					want = &ar.Files[i]
				}
			}
			if *update {
				if want == nil {
					ar.Files = append(ar.Files, txtar.File{Name: "want"})
					want = &ar.Files[len(ar.Files)-1]
				}
				want.Data = []byte(got)
				if err := os.WriteFile(path, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
			} else if want == nil || string(want.Data) != got {
				t.Errorf("%s: findings differ (run go test -update to accept):\ngot:\n%s\nwant:\n%s", path, got, wantText(want))
			}
			// Meta: at least one firing "bad" and one silent "good" example.
			fired, silent := false, false
			for name, n := range perFile {
				if strings.HasPrefix(name, "bad") && n > 0 {
					fired = true
				}
				if strings.HasPrefix(name, "good") && n == 0 {
					silent = true
				}
				if strings.HasPrefix(name, "bad") && n == 0 {
					t.Errorf("%s: %s does not fire", path, name)
				}
				if strings.HasPrefix(name, "good") && n > 0 {
					t.Errorf("%s: %s fires", path, name)
				}
			}
			if hasFix := strings.Contains(got, "\tfix "); hasFix != r.Fixable {
				t.Errorf("%s: Fixable = %v, but the golden findings have fixes = %v", r.Name, r.Fixable, hasFix)
			}
			if !fired || !silent {
				t.Errorf("%s needs a firing bad*.Dockerfile and a silent good*.Dockerfile", path)
			}
		})
	}
}

func wantText(f *txtar.File) string {
	if f == nil {
		return "(no want section)"
	}
	return string(f.Data)
}

var pascal = regexp.MustCompile(`^[A-Z][A-Za-z0-9]+$`)

// TestRegistry is the meta-test: every rule is documented, named, and listed once.
func TestRegistry(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range All {
		if !pascal.MatchString(r.Name) {
			t.Errorf("rule name %q is not PascalCase", r.Name)
		}
		if seen[strings.ToLower(r.Name)] {
			t.Errorf("rule %s registered twice", r.Name)
		}
		seen[strings.ToLower(r.Name)] = true
		if r.Summary == "" || strings.HasSuffix(r.Summary, ".") {
			t.Errorf("%s: summary must be one line without a final period", r.Name)
		}
		if len(r.Doc) < 80 || !strings.Contains(r.Doc, "Bad:") || !strings.Contains(r.Doc, "Good:") {
			t.Errorf("%s: Doc needs an explanation and bad and good examples", r.Name)
		}
		if r.Severity < analysis.SeverityError || r.Severity > analysis.SeverityHint {
			t.Errorf("%s: invalid severity %d", r.Name, r.Severity)
		}
		if r.URL != docURL(r.Name) || r.Run == nil {
			t.Errorf("%s: URL or Run missing", r.Name)
		}
		if Lookup(strings.ToUpper(r.Name)) != r {
			t.Errorf("Lookup(%s) failed", r.Name)
		}
		for _, dl := range r.Refs.Hadolint {
			if !regexp.MustCompile(`^DL[0-9]{4}$`).MatchString(dl) {
				t.Errorf("%s: bad hadolint id %q", r.Name, dl)
			}
		}
		for _, ds := range r.Refs.Trivy {
			if !regexp.MustCompile(`^DS-[0-9]{4}$`).MatchString(ds) {
				t.Errorf("%s: bad Trivy id %q", r.Name, ds)
			}
		}
	}
	entries, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if name, ok := strings.CutSuffix(e.Name(), ".txtar"); ok && Lookup(name) == nil {
			t.Errorf("testdata/%s has no rule", e.Name())
		}
	}
	for _, sc := range shellChecks {
		if Lookup(sc.rule.Name) != sc.rule {
			t.Errorf("shell check of unregistered rule %s", sc.rule.Name)
		}
	}
}

// TestDocs keeps docs/rules.md in sync with the registry (go test -update rewrites it).
func TestDocs(t *testing.T) {
	path := filepath.Join("..", "..", "docs", "rules.md")
	want := Markdown()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./analysis/rules -update)", err)
	}
	if string(got) != want {
		t.Errorf("docs/rules.md is stale; run go test ./analysis/rules -update")
	}
}
