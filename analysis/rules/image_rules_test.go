package rules

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/layerlens/layerlens/analysis"
	"golang.org/x/tools/txtar"
)

// TestImageGolden runs each image rule over testdata/image/<Rule>.txtar: the archive's
// facts.json (image facts by stage index, as the language server would pass them) applies to
// every Dockerfile in it; bad* files must fire and good* files must not.
func TestImageGolden(t *testing.T) {
	for _, r := range ImageRules {
		t.Run(r.Name, func(t *testing.T) {
			path := filepath.Join("testdata", "image", r.Name+".txtar")
			ar, err := txtar.ParseFile(path)
			if err != nil {
				t.Fatalf("every image rule needs a golden file: %v", err)
			}
			var facts map[int]*analysis.ImageFacts
			var want *txtar.File
			for i, f := range ar.Files {
				switch f.Name {
				case "facts.json":
					if err := json.Unmarshal(f.Data, &facts); err != nil {
						t.Fatalf("facts.json: %v", err)
					}
				case "want":
					want = &ar.Files[i]
				}
			}
			var b strings.Builder
			for _, f := range ar.Files {
				if !strings.HasSuffix(f.Name, ".Dockerfile") {
					continue
				}
				file := analysis.Parse(string(f.Data))
				got := CheckImage(file, Options{Facts: facts, Only: []string{r.Name}})
				if strings.HasPrefix(f.Name, "bad") && len(got) == 0 {
					t.Errorf("%s does not fire", f.Name)
				}
				if strings.HasPrefix(f.Name, "good") && len(got) > 0 {
					t.Errorf("%s fires: %v", f.Name, got)
				}
				for _, fd := range got {
					b.WriteString(formatFinding(f.Name, fd))
					checkRange(t, file, f.Name, fd)
				}
			}
			if *update {
				if want == nil {
					ar.Files = append(ar.Files, txtar.File{Name: "want"})
					want = &ar.Files[len(ar.Files)-1]
				}
				want.Data = []byte(b.String())
				if err := os.WriteFile(path, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
			} else if want == nil || string(want.Data) != b.String() {
				t.Errorf("%s: findings differ (run go test -update to accept):\ngot:\n%s\nwant:\n%s", path, b.String(), wantText(want))
			}
		})
	}
}

func TestImageRulesRegistry(t *testing.T) {
	for _, r := range ImageRules {
		if !pascal.MatchString(r.Name) || Lookup(r.Name) != nil {
			t.Errorf("image rule %q: bad name or also in All", r.Name)
		}
		if LookupImage(strings.ToLower(r.Name)) != r || !r.NeedsImage || r.Run == nil || r.Summary == "" {
			t.Errorf("image rule %s: lookup, NeedsImage, Run or Summary missing", r.Name)
		}
	}
}

func TestCheckImageConfigAndSuppression(t *testing.T) {
	facts := map[int]*analysis.ImageFacts{0: {Ref: "docker.io/library/x:1", Findings: []analysis.ImageFinding{
		{Rule: "LayerMiner", Severity: analysis.SeverityError, Message: "miner", Layer: 1, Path: "/m"},
		{Rule: "LayerSetuid", Severity: analysis.SeverityInfo, Message: "setuid", Layer: 0, Path: "/bin/su"},
	}}}
	f := analysis.Parse("FROM x:1\n")
	if got := CheckImage(f, Options{Facts: facts}); len(got) != 2 {
		t.Fatalf("CheckImage = %d findings, want 2: %v", len(got), got)
	}
	cfg := &Config{Rules: map[string]RuleSetting{"LayerSetuid": {Off: true}, "LayerMiner": {Severity: analysis.SeverityWarning}}}
	got := CheckImage(f, Options{Facts: facts, Config: cfg})
	if len(got) != 1 || got[0].Rule != "LayerMiner" || got[0].Severity != analysis.SeverityWarning {
		t.Errorf("CheckImage with config = %v, want one LayerMiner warning", got)
	}
	f = analysis.Parse("# layerlens ignore=LayerMiner\nFROM x:1\n")
	if got := CheckImage(f, Options{Facts: map[int]*analysis.ImageFacts{0: facts[0]}}); len(got) != 1 || got[0].Rule != "LayerSetuid" {
		t.Errorf("CheckImage with ignore comment = %v, want only LayerSetuid", got)
	}
	if got := CheckImage(f, Options{}); got != nil {
		t.Errorf("CheckImage without facts = %v, want nil", got)
	}
}
