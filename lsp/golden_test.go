package lsp_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"go.lsp.dev/protocol"
	"golang.org/x/tools/txtar"

	"github.com/layerlens/layerlens/lsp/lsptest"
)

var update = flag.Bool("update", false, "rewrite the want sections of testdata/core/*.txtar")

// parseCodes are the parser's finding names: the golden files show only these, so that rules
// added or tuned elsewhere do not churn them.
var parseCodes = map[string]bool{"ParseError": true, "UnknownInstruction": true, "UnknownFlag": true,
	"InvalidFlag": true, "MissingArgument": true, "UnterminatedHeredoc": true,
	"InvalidEscapeDirective": true, "InstructionBeforeFrom": true}

// TestGolden opens each testdata/core/*.txtar Dockerfile and compares what the server
// answers (parse diagnostics, document symbols, folding ranges, in LSP UTF-16 positions) with
// the file's "want" section. Run with -update to rewrite the wants.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "core", "*.txtar"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var text string
			wantIdx := -1
			for i, f := range ar.Files {
				switch f.Name {
				case "Dockerfile":
					text = string(f.Data)
				case "want":
					wantIdx = i
				}
			}
			// txtar needs a final newline per file; a "# no final newline" comment strips it.
			if strings.Contains(string(ar.Comment), "no final newline") {
				text = strings.TrimSuffix(text, "\n")
			}
			text = strings.ReplaceAll(text, "<CR>", "\r")
			got := render(t, text)
			if *update {
				if wantIdx < 0 {
					ar.Files = append(ar.Files, txtar.File{Name: "want"})
					wantIdx = len(ar.Files) - 1
				}
				ar.Files[wantIdx].Data = []byte(got)
				if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if wantIdx < 0 {
				t.Fatalf("no want section (run with -update)")
			}
			if want := string(ar.Files[wantIdx].Data); got != want {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func render(t *testing.T, text string) string {
	env := lsptest.New(t)
	const u = "untitled:golden"
	env.Open(u, text)
	var b strings.Builder
	b.WriteString("diagnostics:\n")
	diags := env.Diagnostics(u)
	sort.SliceStable(diags, func(i, j int) bool { return less(diags[i].Range.Start, diags[j].Range.Start) })
	for _, d := range diags {
		if code, _ := d.Code.(string); parseCodes[code] {
			fmt.Fprintf(&b, "  %s %s %v: %s\n", rng(d.Range), d.Severity, d.Code, d.Message)
		}
	}
	b.WriteString("symbols:\n")
	var walk func(syms []protocol.DocumentSymbol, indent string)
	walk = func(syms []protocol.DocumentSymbol, indent string) {
		for _, s := range syms {
			fmt.Fprintf(&b, "%s%s %q sel %s\n", indent, rng(s.Range), s.Name, rng(s.SelectionRange))
			walk(s.Children, indent+"  ")
		}
	}
	walk(env.DocumentSymbols(u), "  ")
	b.WriteString("folding:\n")
	for _, f := range env.FoldingRanges(u) {
		fmt.Fprintf(&b, "  %d-%d %s\n", f.StartLine, f.EndLine, f.Kind)
	}
	return b.String()
}

func rng(r protocol.Range) string {
	return fmt.Sprintf("%d:%d-%d:%d", r.Start.Line, r.Start.Character, r.End.Line, r.End.Character)
}

func less(a, b protocol.Position) bool {
	return a.Line < b.Line || (a.Line == b.Line && a.Character < b.Character)
}
