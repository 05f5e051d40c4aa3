package analysis

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"golang.org/x/tools/txtar"
)

// FuzzParse checks, for any pair of texts: Parse never panics, every range lies within the text
// and is ordered, Reparse(Parse(a), b) equals Parse(b), and when BuildKit accepts b, its AST
// agrees with ours (grouping, keywords, flags, arguments, heredocs). It is seeded with the golden inputs
// and a sample of the corpus, each paired with a small edit of itself.
func FuzzParse(f *testing.F) {
	paths, _ := filepath.Glob("testdata/parse/*.txtar")
	for _, p := range paths {
		ar, err := txtar.ParseFile(p)
		if err != nil {
			f.Fatal(err)
		}
		if text, ok := goldenInput(ar); ok {
			f.Add(text, text+"RUN x\n")
			if len(text) > 10 {
				f.Add(text, text[:len(text)/2]+"\\\n"+text[len(text)/2:])
			}
		}
	}
	files, err := loadCorpus()
	if err != nil {
		f.Fatal(err)
	}
	n := 0
	for _, text := range files {
		if n++; n > 40 {
			break
		}
		mid := len(text) / 2
		f.Add(text, text[:mid]+"<<EOF\n"+text[mid:])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		fa := Parse(a)
		checkRanges(t, "a", fa)
		fb := Parse(b)
		checkRanges(t, "b", fb)
		before := reparseRecovered.Load()
		if got := Reparse(fa, b); !reflect.DeepEqual(got, fb) {
			sameFile(t, "fuzz", got, fb)
		}
		if reparseRecovered.Load() != before {
			t.Error("Reparse panicked (and fell back to Parse)")
		}
		if res, err := parser.Parse(strings.NewReader(b)); err == nil {
			compareWithBuildKit(t, "fuzz", fb, res)
		}
	})
}
