package rules

import (
	"os"
	"testing"

	"github.com/layerlens/layerlens/analysis"
)

// FuzzCheck runs every rule over whatever the parser recovers from arbitrary text, seeded with
// the corpus. A rule that panics is caught by Check and turned into an InternalError finding,
// which fails the fuzz run; so do ranges outside the text.
func FuzzCheck(f *testing.F) {
	if dir, err := corpusDirErr(); err == nil {
		for _, set := range []string{"docker-library-php", "docker-library-python", "trivy-checks-examples", "buildkit-rule-examples"} {
			paths, _ := corpusPaths(dir, set)
			for i, p := range paths {
				if i%7 != 0 && set[0] == 'd' { // a sample of the large sets keeps seeding quick
					continue
				}
				if data, err := os.ReadFile(p); err == nil {
					f.Add(string(data))
				}
			}
		}
	}
	f.Add("FROM alpine\nRUN curl http://x | sh\n")
	f.Add("FROM a AS b\nCOPY --from=b / /\nONBUILD RUN <<EOF\nx\n")
	f.Fuzz(func(t *testing.T, text string) {
		file := analysis.Parse(text)
		di := analysis.ParseDockerIgnore("tmp\n!keep\n**/x")
		facts := map[int]*analysis.ImageFacts{0: {User: "root", Shell: []string{"/bin/sh", "-c"}, Env: []string{"PATH=/bin"}}}
		for _, fd := range Check(file, Options{DockerIgnore: di, Facts: facts}) {
			if fd.Rule == "InternalError" {
				t.Fatalf("a rule panicked: %s", fd.Message)
			}
			for _, r := range append([]analysis.Range{fd.Range}, fixRanges(fd)...) {
				if r.End.Before(r.Start) || r.Start.Line < 0 || r.Start.Col < 0 || posOffset(file, r.End) > len(text) {
					t.Fatalf("%s: bad range %v", fd.Rule, r)
				}
			}
		}
		for _, in := range file.Instructions {
			if in.Cmd == "RUN" {
				CheckCommand("/bin/sh -c " + in.Shell)
			}
		}
	})
}

func fixRanges(fd analysis.Finding) []analysis.Range {
	var out []analysis.Range
	for _, fx := range fd.Fixes {
		for _, e := range fx.Edits {
			out = append(out, e.Range)
		}
	}
	for _, r := range fd.Related {
		out = append(out, r.Range)
	}
	return out
}
