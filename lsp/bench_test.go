package lsp_test

import (
	"fmt"
	"strings"
	"testing"

	"go.lsp.dev/protocol"

	"github.com/layerlens/layerlens/analysis"
	"github.com/layerlens/layerlens/analysis/rules"
	"github.com/layerlens/layerlens/lsp"
	"github.com/layerlens/layerlens/lsp/lsptest"
)

// BenchmarkDidChangeOneLine5000 measures, in-process over net.Pipe, one incremental didChange of
// one line in a 5,000-line Dockerfile until the publishDiagnostics of the new version arrives
// (framing, JSON both ways, snapshot, re-parse, rules, conversion, publication).
func BenchmarkDidChangeOneLine5000(b *testing.B) {
	benchDidChange(b, lsptest.New(b))
}

// BenchmarkDidChangeOneLine5000NoRules is the same with every rule turned off: the server's
// and the transport's share of the round trip.
func BenchmarkDidChangeOneLine5000NoRules(b *testing.B) {
	off := map[string]string{}
	for _, r := range rules.All {
		off[r.Name] = "off"
	}
	benchDidChange(b, lsptest.New(b, lsptest.WithSettings(map[string]any{"rules": off})))
}

func benchDidChange(b *testing.B, env *lsptest.Env) {
	text := analysis.GenerateDockerfile(5000)
	env.Open(uri, text)
	env.Diagnostics(uri)
	// The line to edit: an ARG in the middle of the file.
	line := uint32(strings.Count(text[:len(text)/2], "\n"))
	for !strings.HasPrefix(lineText(env.Text(uri), line), "ARG ") {
		line++
	}
	orig := lineText(env.Text(uri), line)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		rng := protocol.Range{
			Start: protocol.Position{Line: line},
			End:   protocol.Position{Line: line, Character: uint32(len(lineText(env.Text(uri), line)))},
		}
		env.ChangeRange(uri, rng, fmt.Sprintf("%s%d", orig, i%10))
		env.Diagnostics(uri)
	}
}

// BenchmarkDidOpen5000 measures didOpen of a 5,000-line Dockerfile until its diagnostics arrive.
func BenchmarkDidOpen5000(b *testing.B) {
	text := analysis.GenerateDockerfile(5000)
	env := lsptest.New(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		u := fmt.Sprintf("file:///bench/%d/Dockerfile", i)
		env.Open(u, text)
		env.Diagnostics(u)
		env.Close(u)
	}
}

// BenchmarkHover5000 measures a keyword hover on a 5,000-line document.
func BenchmarkHover5000(b *testing.B) {
	text := analysis.GenerateDockerfile(5000)
	env := lsptest.New(b)
	env.Open(uri, text)
	env.Diagnostics(uri)
	pos := protocol.Position{Line: 4000}
	for !strings.HasPrefix(lineText(text, pos.Line), "RUN") {
		pos.Line++
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if env.Hover(uri, pos) == nil {
			b.Fatal("no hover")
		}
	}
}

func lineText(text string, line uint32) string {
	m := lsp.NewMapper(text)
	return m.LineText(int(line))
}
