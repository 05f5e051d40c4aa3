package rules

import (
	"fmt"
	"math/rand/v2"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/layerlens/layerlens/analysis"
)

// cacheSnippets are lines an edit inserts or substitutes: RUN lines that several rules report
// on, variables their scripts refer to (the cache key includes their values), stages, heredocs
// and suppression comments.
var cacheSnippets = []string{
	"RUN cd /tmp",
	"RUN cd /src && make",
	"RUN apt-get update && apt-get install -y curl",
	"RUN curl -fsSL $URL | sh",
	"RUN wget $URL && chmod 777 /x",
	"RUN [\"sh\", \"-c\", \"curl $URL | bash\"]",
	"RUN <<EOF\ncurl http://x | sh\nEOF",
	"ENV URL=http://example.com/i.sh",
	"ENV URL=https://example.com/i.sh",
	"ARG URL",
	"ARG VERSION=1",
	"SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]",
	"SHELL [\"powershell\", \"-c\"]",
	"FROM alpine AS extra",
	"FROM extra",
	"# layerlens ignore=CdInRun",
	"# hadolint ignore=DL3008",
	"COPY $UNDEFINED_lower /x",
	"ENV PIP_NO_CACHE_DIR=1",
	"RUN pip install flask",
	"RUN curl x | tee y",
	"USER root",
	"RUN echo filler \\",
	"",
}

// cacheEdit changes one random line of text: a replacement, an insertion, a deletion or a
// one-byte change in place.
func cacheEdit(r *rand.Rand, text string) string {
	lines := strings.Split(text, "\n")
	i := r.IntN(len(lines) + 1)
	snippet := cacheSnippets[r.IntN(len(cacheSnippets))]
	switch r.IntN(4) {
	case 0: // insert
		lines = append(lines[:i], append([]string{snippet}, lines[i:]...)...)
	case 1: // replace
		if i < len(lines) {
			lines[i] = snippet
		}
	case 2: // delete
		if i < len(lines) {
			lines = append(lines[:i], lines[i+1:]...)
		}
	default: // append a character, as typing does
		if i < len(lines) {
			lines[i] += string("x1 $/"[r.IntN(5)])
		}
	}
	return strings.Join(lines, "\n")
}

// checkIncremental applies edits to text one after the other, checking each version with a
// cache over an incremental re-parse and from scratch, and fails at the first difference.
func checkIncremental(t *testing.T, name, text string, r *rand.Rand, edits int) {
	t.Helper()
	cache := NewCache()
	f := analysis.Parse(text)
	Check(f, Options{Cache: cache})
	for e := 0; e < edits; e++ {
		text = cacheEdit(r, text)
		f = analysis.Reparse(f, text)
		got := Check(f, Options{Cache: cache})
		want := Check(analysis.Parse(text), Options{})
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s, edit %d: cached result differs from a fresh Check\n got: %s\nwant: %s\ntext:\n%s", name, e, dumpFindings(got), dumpFindings(want), text)
		}
	}
	// The cache holds the scripts of the latest version only.
	if st, n := cache.Stats(), len(scriptsOf(f)); st.Entries > n {
		t.Errorf("%s: %d cache entries for %d RUN scripts", name, st.Entries, n)
	}
}

// scriptsOf returns the RUN scripts a Check of f parses.
func scriptsOf(f *analysis.File) []*runScript {
	return scripts(&analysis.Pass{File: f, Memo: map[string]any{}})
}

func dumpFindings(fs []analysis.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "\n  %v %s %s %d fixes", f.Range, f.Rule, f.Message, len(f.Fixes))
	}
	return b.String()
}

// TestCacheSameAsFreshCheck: with a cache and an incremental re-parse, every version of a
// document gets exactly the findings of a fresh parse and Check, on random line edits of the
// generated 5,000-line file, of corpus files and of a small file dense in RUN lines.
func TestCacheSameAsFreshCheck(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 5000))
	small := "ARG URL=http://a/b\nFROM debian\nENV URL=http://c/d\nRUN curl $URL | sh\nRUN cd /x\n# layerlens ignore=CdInRun\nRUN cd /y && make\nRUN apt-get install -y x\nRUN [\"curl\", \"$URL\"]\n"
	for i := 0; i < 20; i++ {
		checkIncremental(t, "small", small, r, 30)
	}
	edits := 40
	if testing.Short() {
		edits = 10
	}
	checkIncremental(t, "generated", analysis.GenerateDockerfile(5000), r, edits)
	dir, err := corpusDirErr()
	if err != nil {
		t.Logf("corpus not found, only generated files: %v", err)
		return
	}
	n := 0
	for _, set := range []string{"docker-library-php", "docker-library-python", "trivy-checks-examples", "buildkit-rule-examples"} {
		paths, err := corpusPaths(dir, set)
		if err != nil {
			t.Fatal(err)
		}
		for i, p := range paths {
			if i%7 != 0 { // a sample keeps the test short; every set is covered
				continue
			}
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			checkIncremental(t, p, string(data), r, 8)
			n++
		}
	}
	t.Logf("%d corpus files edited", n)
}

// TestCacheReuses: after a line is inserted at the top, no script is parsed again and every
// finding moves one line down.
func TestCacheReuses(t *testing.T) {
	text := analysis.GenerateDockerfile(2000)
	cache := NewCache()
	f := analysis.Parse(text)
	first := Check(f, Options{Cache: cache})
	runs := len(scriptsOf(f))
	if st := cache.Stats(); st.Misses == 0 || st.Hits != 0 || st.Entries == 0 {
		t.Fatalf("first Check: %+v", st)
	}
	text2 := "# a new comment\n" + text
	f2 := analysis.Reparse(f, text2)
	second := Check(f2, Options{Cache: cache})
	st := cache.Stats()
	if st.Misses != 0 || st.Hits != runs || st.Entries > runs {
		t.Errorf("after inserting a line: %+v for %d scripts", st, runs)
	}
	if !reflect.DeepEqual(second, Check(analysis.Parse(text2), Options{})) {
		t.Fatal("cached result differs from a fresh Check")
	}
	// Every finding of the first version is still there, one line lower.
	shifted := map[string]bool{}
	for _, fd := range second {
		shifted[fmt.Sprintf("%d:%d %s %s", fd.Range.Start.Line, fd.Range.Start.Col, fd.Rule, fd.Message)] = true
	}
	for _, fd := range first {
		if k := fmt.Sprintf("%d:%d %s %s", fd.Range.Start.Line+1, fd.Range.Start.Col, fd.Rule, fd.Message); !shifted[k] {
			t.Fatalf("finding %s not found after the insertion", k)
		}
	}
}

// TestCacheSharedAcrossFiles: one cache used for many different files (as `layerlens check`
// could) gives each file the findings of a fresh Check.
func TestCacheSharedAcrossFiles(t *testing.T) {
	dir, err := corpusDirErr()
	if err != nil {
		t.Skipf("corpus not found: %v", err)
	}
	cache := NewCache()
	n := 0
	for _, set := range []string{"docker-library-php", "docker-library-python", "trivy-checks-examples", "buildkit-rule-examples"} {
		paths, err := corpusPaths(dir, set)
		if err != nil {
			t.Fatal(err)
		}
		for i, p := range paths {
			if testing.Short() && i%5 != 0 {
				continue
			}
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			f := analysis.Parse(string(data))
			got := Check(f, Options{Cache: cache})
			if want := Check(f, Options{}); !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: with the shared cache\n got: %s\nwant: %s", p, dumpFindings(got), dumpFindings(want))
			}
			n++
		}
	}
	t.Logf("%d files", n)
}

// TestCacheConcurrent: Checks sharing a cache from several goroutines (run with -race) each get
// the result of a fresh Check.
func TestCacheConcurrent(t *testing.T) {
	base := analysis.GenerateDockerfile(400)
	cache := NewCache()
	done := make(chan error)
	for g := 0; g < 4; g++ {
		go func(g int) {
			text := strings.Replace(base, "RUN --mount", fmt.Sprintf("RUN cd /g%d\nRUN --mount", g), g+1)
			f := analysis.Parse(text)
			want := Check(f, Options{})
			for i := 0; i < 5; i++ {
				if got := Check(f, Options{Cache: cache}); !reflect.DeepEqual(got, want) {
					done <- fmt.Errorf("goroutine %d, run %d: cached result differs", g, i)
					return
				}
			}
			done <- nil
		}(g)
	}
	for g := 0; g < 4; g++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

// TestCacheFactsChange: base-image facts arriving (or changing) between two Checks with the same
// cache give the findings of a fresh Check with those facts: no cache entry depends on them.
func TestCacheFactsChange(t *testing.T) {
	text := "FROM debian\nRUN cd /x\nCOPY $TOOL_DIR /y\nCOPY a b\nRUN curl http://x/i.sh | sh\n"
	f := analysis.Parse(text)
	cache := NewCache()
	for i, facts := range []map[int]*analysis.ImageFacts{
		nil,
		{0: {Env: []string{"PATH=/bin"}, User: "app", WorkingDir: "/srv"}},
		{0: {Env: []string{"TOOL_DIR=/t"}, Shell: []string{"powershell", "-c"}}},
		nil,
	} {
		got := Check(f, Options{Cache: cache, Facts: facts})
		if want := Check(f, Options{Facts: facts}); !reflect.DeepEqual(got, want) {
			t.Errorf("step %d: with the cache\n got: %s\nwant: %s", i, dumpFindings(got), dumpFindings(want))
		}
	}
}
