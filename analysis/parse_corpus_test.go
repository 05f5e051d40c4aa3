package analysis

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// corpusDir is the shared Dockerfile corpus, ../shared/corpus from the repository root.
const corpusDir = "../../shared/corpus"

// corpusFiles returns every file of the corpus (path -> text), or skips the test.
func corpusFiles(t testing.TB) map[string]string {
	t.Helper()
	if _, err := os.Stat(corpusDir); err != nil {
		t.Skipf("corpus not available at %s (from the repository root: ../shared/corpus): %v", corpusDir, err)
	}
	files, err := loadCorpus()
	if err != nil {
		t.Fatalf("reading the corpus: %v", err)
	}
	return files
}

// loadCorpus reads every Dockerfile of the corpus; it returns nil when there is no corpus.
func loadCorpus() (map[string]string, error) {
	if _, err := os.Stat(corpusDir); err != nil {
		return nil, nil
	}
	files := map[string]string{}
	err := filepath.WalkDir(corpusDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || strings.HasSuffix(p, ".tsv") || strings.HasSuffix(p, ".md") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files[p] = string(b)
		return nil
	})
	return files, err
}

// TestCorpus parses every corpus file and checks that every instruction BuildKit's parser sees is
// in File.Instructions with the same lines, keyword, flags, arguments and heredocs, that every
// range is well formed, and that the docker-library sets (valid Dockerfiles) have no errors.
func TestCorpus(t *testing.T) {
	files := corpusFiles(t)
	if len(files) < 1000 {
		t.Errorf("corpus has %d files, want over 1000", len(files))
	}
	for p, text := range files {
		f := Parse(text)
		checkRanges(t, p, f)
		res, err := parser.Parse(strings.NewReader(text))
		if err != nil {
			if strings.Contains(p, "docker-library") {
				t.Errorf("%s: BuildKit rejects it: %v", p, err)
			}
			continue
		}
		compareWithBuildKit(t, p, f, res)
		if strings.Contains(p, "docker-library") {
			for _, e := range f.Errors {
				t.Errorf("%s: %v %s: %s", p, e.Range, e.Rule, e.Message)
			}
		}
	}
}

// compareWithBuildKit checks f against BuildKit's AST of the same text.
func compareWithBuildKit(t *testing.T, name string, f *File, res *parser.Result) {
	t.Helper()
	nodes := res.AST.Children
	if len(nodes) != len(f.Instructions) {
		t.Errorf("%s: %d instructions, BuildKit sees %d", name, len(f.Instructions), len(nodes))
		return
	}
	if f.Escape != res.EscapeToken {
		t.Errorf("%s: escape %q, BuildKit %q", name, f.Escape, res.EscapeToken)
	}
	for i, n := range nodes {
		compareNode(t, name, f.Instructions[i], n, true)
	}
}

func compareNode(t *testing.T, name string, ins *Instruction, n *parser.Node, top bool) {
	t.Helper()
	if top && (ins.Range.Start.Line != n.StartLine-1 || ins.Range.End.Line != n.EndLine-1) {
		t.Errorf("%s: %s lines %d-%d, BuildKit %d-%d", name, ins.Keyword, ins.Range.Start.Line, ins.Range.End.Line, n.StartLine-1, n.EndLine-1)
	}
	if ins.Keyword != n.Value {
		t.Errorf("%s:%d: keyword %q, BuildKit %q", name, ins.Range.Start.Line, ins.Keyword, n.Value)
	}
	if len(ins.Flags) != len(n.Flags) {
		t.Errorf("%s:%d: %d flags, BuildKit %v", name, ins.Range.Start.Line, len(ins.Flags), n.Flags)
	} else {
		for k, fl := range ins.Flags {
			w := "--" + fl.Name
			if fl.HasValue {
				w += "=" + fl.Value
			}
			if w != n.Flags[k] && isASCII(w) {
				t.Errorf("%s:%d: flag %q, BuildKit %q", name, ins.Range.Start.Line, w, n.Flags[k])
			}
		}
	}
	if ins.JSON != n.Attributes["json"] {
		t.Errorf("%s:%d: JSON %v, BuildKit %v", name, ins.Range.Start.Line, ins.JSON, n.Attributes["json"])
	}
	if ins.Sub != nil {
		if n.Next == nil || len(n.Next.Children) != 1 {
			t.Errorf("%s:%d: ONBUILD trigger missing in BuildKit", name, ins.Range.Start.Line)
		} else {
			compareNode(t, name, ins.Sub, n.Next.Children[0], false)
		}
	}
	// BuildKit keeps an ONBUILD trigger's heredocs on the ONBUILD node; we keep them on Sub.
	heredocs := ins.Heredocs
	if ins.Sub != nil {
		heredocs = ins.Sub.Heredocs
	}
	if !top {
		heredocs = nil
	}
	if len(heredocs) != len(n.Heredocs) {
		t.Errorf("%s:%d: %d heredocs, BuildKit %d", name, ins.Range.Start.Line, len(heredocs), len(n.Heredocs))
	} else {
		for k, h := range heredocs {
			bh := n.Heredocs[k]
			if h.Name != bh.Name || h.Body != bh.Content || h.Expand != bh.Expand || h.Chomp != bh.Chomp {
				t.Errorf("%s:%d: heredoc %+v, BuildKit %+v", name, ins.Range.Start.Line, h, bh)
			}
		}
	}
	// Arguments: exact for the instructions where BuildKit keeps a word list.
	var want []string
	for a := n.Next; a != nil && len(a.Children) == 0; a = a.Next {
		want = append(want, a.Value)
	}
	switch {
	case ins.JSON, ins.Cmd == "FROM", ins.Cmd == "EXPOSE", ins.Cmd == "ARG",
		(ins.Cmd == "COPY" || ins.Cmd == "ADD" || ins.Cmd == "VOLUME"):
		if ins.Cmd == "HEALTHCHECK" {
			break
		}
		if len(want) != len(ins.Args) {
			t.Errorf("%s:%d: args %v, BuildKit %q", name, ins.Range.Start.Line, argValues(ins.Args), want)
			break
		}
		for k, a := range ins.Args {
			if a.Value != want[k] {
				t.Errorf("%s:%d: arg %q, BuildKit %q", name, ins.Range.Start.Line, a.Value, want[k])
			}
		}
	case ins.Cmd == "RUN" || ins.Cmd == "CMD" || ins.Cmd == "ENTRYPOINT":
		if len(want) == 1 && ins.Shell != want[0] {
			t.Errorf("%s:%d: shell %q, BuildKit %q", name, ins.Range.Start.Line, ins.Shell, want[0])
		}
	}
}

func argValues(args []*Arg) []string {
	var s []string
	for _, a := range args {
		s = append(s, a.Value)
	}
	return s
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// checkRanges checks that every range of f lies within the text, is ordered, that the
// instructions come in source order, and that the parser did not fail internally.
func checkRanges(t testing.TB, name string, f *File) {
	t.Helper()
	check := func(what string, r Range) {
		if r.End.Before(r.Start) {
			t.Errorf("%s: %s range %v is reversed", name, what, r)
		}
		for _, p := range []Pos{r.Start, r.End} {
			if p.Line < 0 || p.Line >= len(f.LineStarts) || p.Col < 0 || p.Col > len(f.Line(p.Line))+lineCR(f, p.Line) {
				t.Errorf("%s: %s range %v is outside the text", name, what, r)
				return
			}
		}
	}
	var walk func(ins *Instruction)
	walk = func(ins *Instruction) {
		check("instruction", ins.Range)
		check("keyword", ins.KeywordRange)
		if !ins.KeywordRange.IsZero() && ins.KeywordRange.Start.Before(ins.Range.Start) {
			t.Errorf("%s: keyword %v before instruction %v", name, ins.KeywordRange, ins.Range)
		}
		for _, fl := range ins.Flags {
			check("flag", fl.Range)
			check("flag name", fl.NameRange)
			check("flag value", fl.ValueRange)
		}
		for _, a := range ins.Args {
			check("arg", a.Range)
		}
		check("shell", ins.ShellRange)
		for _, h := range ins.Heredocs {
			check("heredoc name", h.NameRange)
			check("heredoc body", h.BodyRange)
			check("heredoc end", h.EndRange)
		}
		if ins.Sub != nil {
			walk(ins.Sub)
		}
	}
	var prev Pos
	for i, ins := range f.Instructions {
		walk(ins)
		if i > 0 && !prev.Before(ins.Range.Start) {
			t.Errorf("%s: instruction %d starts at %v, not after %v", name, i, ins.Range.Start, prev)
		}
		prev = ins.Range.End
	}
	for _, st := range f.Stages {
		check("stage", st.Range)
		check("stage name", st.NameRange)
		check("stage base", st.BaseRange)
		check("stage platform", st.PlatformRange)
	}
	for _, c := range f.Comments {
		check("comment", c.Range)
	}
	for _, d := range f.Directives {
		check("directive", d.Range)
	}
	for _, e := range f.Errors {
		check("error "+e.Rule, e.Range)
		if strings.HasPrefix(e.Message, "internal error") {
			t.Errorf("%s: %s", name, e.Message)
		}
	}
}

// lineCR is 1 when line i ends with "\r\n" (Line drops the "\r", ranges may cover it).
func lineCR(f *File, i int) int {
	end := len(f.Text)
	if i+1 < len(f.LineStarts) {
		end = f.LineStarts[i+1] - 1
	}
	if end > f.LineStarts[i] && f.Text[end-1] == '\r' {
		return 1
	}
	return 0
}
