package analysis

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"
)

var update = flag.Bool("update", false, "rewrite the want sections of the golden files in testdata/parse")

// goldenInput returns the Dockerfile of a golden archive after applying the options named in the
// archive's comment ("option crlf", "option bom", "option no-final-newline", "option long-line":
// @LONG@ becomes 70,000 x's), which stand for bytes that are awkward to keep in a text file.
func goldenInput(ar *txtar.Archive) (string, bool) {
	var text string
	found := false
	for _, f := range ar.Files {
		if f.Name == "Dockerfile" {
			text, found = string(f.Data), true
		}
	}
	for _, line := range strings.Split(string(ar.Comment), "\n") {
		switch strings.TrimSpace(line) {
		case "option crlf":
			text = strings.ReplaceAll(text, "\n", "\r\n")
		case "option bom":
			text = utf8BOMText + text
		case "option no-final-newline":
			text = strings.TrimSuffix(strings.TrimSuffix(text, "\n"), "\r")
		}
		if strings.HasPrefix(strings.TrimSpace(line), "option long-line") {
			text = strings.ReplaceAll(text, "@LONG@", strings.Repeat("x", 70_000))
		}
	}
	return text, found
}

const utf8BOMText = "\xEF\xBB\xBF"

// TestGolden parses the Dockerfile of every testdata/parse/*.txtar and compares File.Dump with the
// want section; go test ./analysis -update rewrites the wants.
func TestGolden(t *testing.T) {
	paths, err := filepath.Glob("testdata/parse/*.txtar")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	for _, p := range paths {
		t.Run(strings.TrimSuffix(filepath.Base(p), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(p)
			if err != nil {
				t.Fatal(err)
			}
			text, ok := goldenInput(ar)
			if !ok {
				t.Fatalf("%s has no Dockerfile section", p)
			}
			f := Parse(text)
			checkRanges(t, p, f)
			got := f.Dump()
			if r := Reparse(Parse(""), text); r.Dump() != got {
				t.Errorf("Reparse from empty differs from Parse:\n%s", r.Dump())
			}
			var want []byte
			wi := -1
			for i, af := range ar.Files {
				if af.Name == "want" {
					want, wi = af.Data, i
				}
			}
			if *update {
				if wi < 0 {
					ar.Files = append(ar.Files, txtar.File{Name: "want"})
					wi = len(ar.Files) - 1
				}
				ar.Files[wi].Data = []byte(got)
				if err := os.WriteFile(p, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if !bytes.Equal(want, []byte(got)) {
				t.Errorf("Parse(%s).Dump() =\n%s\nwant\n%s", p, got, want)
			}
		})
	}
}
