package lsp_test

import (
	"testing"

	"go.lsp.dev/protocol"

	"github.com/layerlens/layerlens/analysis"
	"github.com/layerlens/layerlens/lsp/lsptest"
)

func TestRangeAndOnTypeFormatting(t *testing.T) {
	text, at := featFixture(t, "from a\n@{start}run x \\\n  y@{end}\ncopy a b\n")
	const uri = "file:///w/format/Dockerfile"
	env := lsptest.New(t, lsptest.WithSettings(map[string]any{"format": map[string]any{"indent": "normalize", "continuationIndent": 2}}))
	env.Open(uri, text)
	env.Diagnostics(uri) // settings are fetched before the first diagnosis
	var edits []protocol.TextEdit
	if err := env.Call(protocol.MethodTextDocumentRangeFormatting, map[string]any{
		"textDocument": map[string]any{"uri": uri},
		"range":        protocol.Range{Start: at("start"), End: at("end")},
		"options":      map[string]any{"tabSize": 4, "insertSpaces": true},
	}, &edits); err != nil {
		t.Fatal(err)
	}
	out, err := lsptest.ApplyTextEdits(text, edits)
	if err != nil {
		t.Fatal(err)
	}
	if want := "from a\nRUN x \\\n  y\ncopy a b\n"; out != want {
		t.Errorf("rangeFormatting = %q, want %q", out, want)
	}

	// A newline typed after a continued line: the keyword is upper-cased and the new line
	// indented.
	text, at = featFixture(t, "FROM a\nrun apt-get update \\\n@{nl}\n")
	env.Change(uri, text)
	if err := env.Call(protocol.MethodTextDocumentOnTypeFormatting, map[string]any{
		"textDocument": map[string]any{"uri": uri}, "position": at("nl"), "ch": "\n",
		"options": map[string]any{"tabSize": 4, "insertSpaces": true},
	}, &edits); err != nil {
		t.Fatal(err)
	}
	out, err = lsptest.ApplyTextEdits(text, edits)
	if err != nil {
		t.Fatal(err)
	}
	if want := "FROM a\nRUN apt-get update \\\n  \n"; out != want {
		t.Errorf("onTypeFormatting = %q, want %q", out, want)
	}
}

// BenchmarkFormat5000 measures textDocument/formatting of a 5,000-line document in-process
// over the pipe, with every keyword in lower case so that each instruction gets an edit.
func BenchmarkFormat5000(b *testing.B) {
	f := analysis.Parse(analysis.GenerateDockerfile(5000))
	var edits []analysis.TextEdit
	for _, in := range f.Instructions {
		edits = append(edits, analysis.TextEdit{Range: in.KeywordRange, NewText: featLower(in.Keyword)})
	}
	text := analysis.ApplyEdits(f, edits)
	const uri = "file:///bench/format/Dockerfile"
	env := lsptest.New(b)
	env.Open(uri, text)
	env.Diagnostics(uri)
	params := map[string]any{"textDocument": map[string]any{"uri": uri}, "options": map[string]any{"tabSize": 4, "insertSpaces": true}}
	b.ReportAllocs()
	for b.Loop() {
		var res []protocol.TextEdit
		if err := env.Call(protocol.MethodTextDocumentFormatting, params, &res); err != nil {
			b.Fatal(err)
		}
		if len(res) == 0 {
			b.Fatal("no edits")
		}
	}
}

// BenchmarkFormatCompute5000 measures analysis.Format alone on the same input.
func BenchmarkFormatCompute5000(b *testing.B) {
	f := analysis.Parse(analysis.GenerateDockerfile(5000))
	b.ReportAllocs()
	for b.Loop() {
		analysis.Format(f, analysis.FormatOptions{Indent: "preserve", ContinuationIndent: 4}, nil)
	}
}

func featLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}
