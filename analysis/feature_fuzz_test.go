package analysis

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runFeatures calls every editor feature on f at position p; none may panic, and edits and
// ranges must stay inside the text.
func runFeatures(t *testing.T, f *File, vars *VarIndex, syms *SymbolIndex, p Pos) {
	t.Helper()
	Complete(f, vars, p)
	SignatureAt(f, p)
	syms.Definitions(p)
	syms.References(p, true)
	if _, _, err := syms.PrepareRename(p); err == nil {
		if _, err := syms.Rename(p, "renamed_x"); err != nil && !strings.Contains(err.Error(), "exists") {
			t.Errorf("Rename after a successful PrepareRename at %v: %v", p, err)
		}
	}
	FormatOnType(f, FormatOptions{}, p, "\n")
}

func checkFile(t *testing.T, src string, step int) {
	f := Parse(src)
	toks := SemanticTokens(f, nil, nil)
	for i, tk := range toks {
		if tk.Line >= len(f.LineStarts) || tk.Col+tk.Len > len(ftLine(f, tk.Line)) || tk.Len <= 0 {
			t.Fatalf("token %+v outside its line %q", tk, ftLine(f, tk.Line))
		}
		if i > 0 && (tk.Line < toks[i-1].Line || (tk.Line == toks[i-1].Line && tk.Col < toks[i-1].end())) {
			t.Fatalf("tokens out of order or overlapping: %+v then %+v", toks[i-1], tk)
		}
	}
	for _, opts := range []FormatOptions{{}, {Indent: "normalize", ContinuationIndent: 2}} {
		for _, e := range Format(f, opts, nil) {
			if e.Range.End.Line >= len(f.LineStarts) || e.Range.End.Col > len(ftLine(f, e.Range.End.Line)) {
				t.Fatalf("format edit %+v outside the text", e)
			}
		}
	}
	Links(f)
	vars := IndexVariables(f)
	syms := IndexSymbolsWith(f, vars)
	for line := 0; line < len(f.LineStarts); line++ {
		l := ftLine(f, line)
		for col := 0; col <= len(l); col += step {
			runFeatures(t, f, vars, syms, Pos{Line: line, Col: col})
		}
	}
}

// TestFeaturesOnCorpus runs every feature at many positions of corpus files and of broken
// inputs: nothing may panic on user input.
func TestFeaturesOnCorpus(t *testing.T) {
	broken := []string{
		"", "\n", "\\", "FROM", "FROM ", "COPY --", "RUN --mount=", "RUN --mount=type=cache,", "ENV a",
		"RUN <<EOF\n", "FROM a AS\nCOPY --from=", "# escape=`\nRUN a `\n", "ARG ${\nFROM $", "\xff\xfe\x00",
		"FROM a\r\nRUN x \\\r\n  # c\r\n  y\r\n", "ONBUILD ONBUILD RUN", "HEALTHCHECK --interval=", "FROM ä AS ö\nCOPY --from=ö a b",
		"RUN echo ${A:-${B}} '$C' \"$D\" $$E \\$F", "CMD [\"a\",", "FROM a\nRUN <<A <<B\nx\nA\ny\n",
	}
	for _, src := range broken {
		checkFile(t, src, 1)
	}
	files := featureCorpus()
	if len(files) == 0 {
		t.Skip("no corpus at ../../shared/corpus")
	}
	// Every fifth file (every 50th with -short) keeps the test quick; the fuzz target goes further.
	stride := 5
	if testing.Short() {
		stride = 50
	}
	for i, p := range files {
		if i%stride != 0 {
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		checkFile(t, string(b), 7)
	}
}

// featureCorpus lists the Dockerfiles of the shared corpus and of the repository's testdata.
func featureCorpus() []string {
	var files []string
	for _, dir := range []string{"../../shared/corpus", "../testdata", "../lsp/testdata"} {
		_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && (strings.HasPrefix(d.Name(), "Dockerfile") || strings.HasSuffix(d.Name(), ".Dockerfile")) {
				files = append(files, p)
			}
			return nil
		})
	}
	return files
}

func FuzzFeatures(f *testing.F) {
	for _, s := range []string{
		"FROM a AS b\nCOPY --from=b x y\n", "ARG V=1\nFROM x:$V\nENV A=$V\nRUN echo ${A}\n",
		"RUN --mount=type=cache,target=/c,from=b <<EOF\n$X\nEOF\n", "# escape=`\nFROM a\nRUN x `\n y\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 4096 {
			return
		}
		checkFile(t, src, 3)
	})
}
