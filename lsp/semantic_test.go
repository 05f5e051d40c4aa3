package lsp_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.lsp.dev/protocol"
	"golang.org/x/tools/txtar"

	"github.com/layerlens/layerlens/analysis"
	"github.com/layerlens/layerlens/lsp"
	"github.com/layerlens/layerlens/lsp/lsptest"
)

var updateFeatures = flag.Bool("update-features", false, "rewrite the golden sections of lsp/testdata/features/*.txtar")

// semanticLegend reads the legend the server advertised.
func semanticLegend(t testing.TB, env *lsptest.Env) (types, mods []string) {
	t.Helper()
	var res struct {
		Capabilities struct {
			SemanticTokensProvider struct {
				Legend struct {
					TokenTypes     []string `json:"tokenTypes"`
					TokenModifiers []string `json:"tokenModifiers"`
				} `json:"legend"`
				Range bool `json:"range"`
				Full  struct {
					Delta bool `json:"delta"`
				} `json:"full"`
			} `json:"semanticTokensProvider"`
		} `json:"capabilities"`
	}
	if err := json.Unmarshal(env.InitializeResult, &res); err != nil {
		t.Fatal(err)
	}
	p := res.Capabilities.SemanticTokensProvider
	if !p.Range || !p.Full.Delta || len(p.Legend.TokenTypes) == 0 || p.Legend.TokenModifiers == nil {
		t.Fatalf("semanticTokensProvider = %+v, want a legend, range and full/delta", p)
	}
	return p.Legend.TokenTypes, p.Legend.TokenModifiers
}

// decodeTokens renders LSP semantic token data as one line per token: "line:col type[.mods] text".
func decodeTokens(text string, data []uint32, types, mods []string) string {
	m := lsp.NewMapper(text)
	var b strings.Builder
	line, col := uint32(0), uint32(0)
	for i := 0; i+4 < len(data); i += 5 {
		if data[i] > 0 {
			line += data[i]
			col = data[i+1]
		} else {
			col += data[i+1]
		}
		start := m.Offset(protocol.Position{Line: line, Character: col})
		end := m.Offset(protocol.Position{Line: line, Character: col + data[i+2]})
		name := types[data[i+3]]
		for bit, mod := range mods {
			if data[i+4]&(1<<bit) != 0 {
				name += "." + mod
			}
		}
		fmt.Fprintf(&b, "%d:%d %s %q\n", line, col, name, text[start:end])
	}
	return b.String()
}

// TestFeaturesGolden runs each lsp/testdata/features/*.txtar through the server: semantic tokens
// (full, and range over the whole file, which must agree), formatting with the archive's
// settings (twice: the second pass must change nothing) and document links, and compares with
// the golden sections. A "crlf" line in the archive comment converts the Dockerfile to CRLF.
// Run with -update-features to rewrite the goldens.
func TestFeaturesGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/features/*.txtar")
	if len(files) == 0 {
		t.Fatal("no testdata/features/*.txtar")
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			ar, err := txtar.ParseFile(path)
			if err != nil {
				t.Fatal(err)
			}
			sections := map[string]string{}
			for _, f := range ar.Files {
				sections[f.Name] = string(f.Data)
			}
			text := sections["Dockerfile"]
			crlf := strings.Contains(string(ar.Comment), "crlf")
			if crlf {
				text = strings.ReplaceAll(text, "\n", "\r\n")
			}
			var opts []lsptest.Option
			if s := sections["settings.json"]; s != "" {
				var v any
				if err := json.Unmarshal([]byte(s), &v); err != nil {
					t.Fatal(err)
				}
				opts = append(opts, lsptest.WithSettings(v))
			}
			const uri = "file:///w/golden/Dockerfile"
			env := lsptest.New(t, opts...)
			env.Open(uri, text)
			env.Diagnostics(uri)
			types, mods := semanticLegend(t, env)

			var full, ranged protocol.SemanticTokens
			if err := env.Call(protocol.MethodSemanticTokensFull, map[string]any{"textDocument": map[string]any{"uri": uri}}, &full); err != nil {
				t.Fatal(err)
			}
			m := lsp.NewMapper(text)
			whole := protocol.Range{End: m.OffsetPosition(len(text))}
			if err := env.Call(protocol.MethodSemanticTokensRange, map[string]any{"textDocument": map[string]any{"uri": uri}, "range": whole}, &ranged); err != nil {
				t.Fatal(err)
			}
			gotTokens := decodeTokens(text, full.Data, types, mods)
			if r := decodeTokens(text, ranged.Data, types, mods); r != gotTokens {
				t.Errorf("range over the whole file differs from full:\n%s\nvs\n%s", r, gotTokens)
			}

			formatted := featFormat(t, env, uri, text)
			if crlf {
				formatted = strings.ReplaceAll(formatted, "\r\n", "\n")
			}
			var links []protocol.DocumentLink
			if err := env.Call(protocol.MethodTextDocumentDocumentLink, map[string]any{"textDocument": map[string]any{"uri": uri}}, &links); err != nil {
				t.Fatal(err)
			}
			var lb strings.Builder
			for _, l := range links {
				fmt.Fprintf(&lb, "%d:%d %q -> %s\n", l.Range.Start.Line, l.Range.Start.Character, text[m.Offset(l.Range.Start):m.Offset(l.Range.End)], l.Target)
			}
			got := map[string]string{"semantic": gotTokens, "format": formatted, "links": lb.String()}
			if *updateFeatures {
				for i, f := range ar.Files {
					if g, ok := got[f.Name]; ok {
						ar.Files[i].Data = []byte(g)
						delete(got, f.Name)
					}
				}
				for _, name := range []string{"semantic", "format", "links"} {
					if g, ok := got[name]; ok {
						ar.Files = append(ar.Files, txtar.File{Name: name, Data: []byte(g)})
					}
				}
				if err := os.WriteFile(path, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			for _, name := range []string{"semantic", "format", "links"} {
				if want := sections[name]; got[name] != want {
					t.Errorf("%s differs from the golden (run go test ./lsp -run TestFeaturesGolden -update-features):\ngot:\n%s\nwant:\n%s", name, got[name], want)
				}
			}
		})
	}
}

// featFormat runs textDocument/formatting on the open document, applies the edits, then checks
// that formatting the result changes nothing.
func featFormat(t *testing.T, env *lsptest.Env, uri, text string) string {
	t.Helper()
	var edits []protocol.TextEdit
	params := map[string]any{"textDocument": map[string]any{"uri": uri}, "options": map[string]any{"tabSize": 4, "insertSpaces": true}}
	if err := env.Call(protocol.MethodTextDocumentFormatting, params, &edits); err != nil {
		t.Fatal(err)
	}
	out, err := lsptest.ApplyTextEdits(text, edits)
	if err != nil {
		t.Fatal(err)
	}
	env.Change(uri, out)
	if err := env.Call(protocol.MethodTextDocumentFormatting, params, &edits); err != nil {
		t.Fatal(err)
	}
	if len(edits) != 0 {
		t.Errorf("formatting is not idempotent: second pass edits %+v", edits)
	}
	env.Change(uri, text)
	return out
}

func TestSemanticTokensDelta(t *testing.T) {
	text := "FROM alpine AS build\nARG V=1\nRUN echo $V\nFROM build\n"
	const uri = "file:///w/delta/Dockerfile"
	env := lsptest.New(t)
	env.Open(uri, text)
	semanticLegend(t, env)
	var first protocol.SemanticTokens
	if err := env.Call(protocol.MethodSemanticTokensFull, map[string]any{"textDocument": map[string]any{"uri": uri}}, &first); err != nil {
		t.Fatal(err)
	}
	if first.ResultID == "" {
		t.Fatal("full result has no resultId")
	}
	edited := strings.Replace(text, "RUN echo $V", "RUN echo $V $V", 1)
	env.Change(uri, edited)
	var delta protocol.SemanticTokensDelta
	if err := env.Call(protocol.MethodSemanticTokensFullDelta, map[string]any{"textDocument": map[string]any{"uri": uri}, "previousResultId": first.ResultID}, &delta); err != nil {
		t.Fatal(err)
	}
	// Applying the delta to the first result must give what a full request gives now.
	var now protocol.SemanticTokens
	if err := env.Call(protocol.MethodSemanticTokensFull, map[string]any{"textDocument": map[string]any{"uri": uri}}, &now); err != nil {
		t.Fatal(err)
	}
	data := append([]uint32{}, first.Data...)
	for i := len(delta.Edits) - 1; i >= 0; i-- {
		e := delta.Edits[i]
		data = append(data[:e.Start], append(append([]uint32{}, e.Data...), data[e.Start+e.DeleteCount:]...)...)
	}
	if fmt.Sprint(data) != fmt.Sprint(now.Data) {
		t.Errorf("delta applied = %v, want %v", data, now.Data)
	}
	if len(delta.Edits) != 1 || delta.Edits[0].DeleteCount > 5 {
		t.Errorf("delta = %+v, want one small edit", delta.Edits)
	}
	// An unknown previous id gets full tokens.
	var raw map[string]any
	if err := env.Call(protocol.MethodSemanticTokensFullDelta, map[string]any{"textDocument": map[string]any{"uri": uri}, "previousResultId": "nope"}, &raw); err != nil {
		t.Fatal(err)
	}
	if _, ok := raw["data"]; !ok {
		t.Errorf("delta with unknown id = %v, want full tokens", raw)
	}
}

// BenchmarkSemanticTokens5000 measures textDocument/semanticTokens/full on a 5,000-line document
// in-process over the pipe: classification, UTF-16 encoding, the JSON answer and its transfer
// (the client keeps it raw).
func BenchmarkSemanticTokens5000(b *testing.B) {
	text := analysis.GenerateDockerfile(5000)
	const uri = "file:///bench/semantic/Dockerfile"
	env := lsptest.New(b)
	env.Open(uri, text)
	env.Diagnostics(uri)
	b.ReportAllocs()
	for b.Loop() {
		// Kept raw: decoding 100,000 numbers is the client's cost, not the server's.
		var res json.RawMessage
		if err := env.Call(protocol.MethodSemanticTokensFull, map[string]any{"textDocument": map[string]any{"uri": uri}}, &res); err != nil {
			b.Fatal(err)
		}
		if len(res) < 1000 {
			b.Fatal("no tokens")
		}
	}
}

// BenchmarkSemanticTokensCompute5000 measures the computation alone (model -> tokens), without
// the protocol round trip; the parse is done once outside the loop.
func BenchmarkSemanticTokensCompute5000(b *testing.B) {
	f := analysis.Parse(analysis.GenerateDockerfile(5000))
	b.ReportAllocs()
	for b.Loop() {
		toks := analysis.SemanticTokens(f, nil, nil)
		if len(toks) == 0 {
			b.Fatal("no tokens")
		}
	}
}

// BenchmarkKeystroke5000 is the generic harness shape on a 5,000-line document: after opening,
// each iteration is one keystroke (a one-line incremental edit), then the requests an editor
// sends after it: semantic tokens delta, completion and hover at the edit.
func BenchmarkKeystroke5000(b *testing.B) {
	text := analysis.GenerateDockerfile(5000)
	const uri = "file:///bench/keystroke/Dockerfile"
	env := lsptest.New(b)
	env.Open(uri, text)
	env.Diagnostics(uri)
	m := lsp.NewMapper(text)
	line := m.OffsetPosition(strings.Index(text[len(text)/2:], "\nRUN ") + len(text)/2 + 1).Line
	var prev protocol.SemanticTokens
	if err := env.Call(protocol.MethodSemanticTokensFull, map[string]any{"textDocument": map[string]any{"uri": uri}}, &prev); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		// Type " $A" at the end of a RUN line, alternating with deleting it.
		cur := env.Text(uri)
		lm := lsp.NewMapper(cur)
		end := lm.OffsetPosition(len(strings.TrimRight(cur[:lm.Offset(protocol.Position{Line: line + 1})], "\n")))
		if i%2 == 0 {
			env.ChangeRange(uri, protocol.Range{Start: end, End: end}, " $A")
		} else {
			start := end
			start.Character -= 3
			env.ChangeRange(uri, protocol.Range{Start: start, End: end}, "")
		}
		var delta json.RawMessage
		if err := env.Call(protocol.MethodSemanticTokensFullDelta, map[string]any{"textDocument": map[string]any{"uri": uri}, "previousResultId": prev.ResultID}, &delta); err != nil {
			b.Fatal(err)
		}
		var res struct {
			ResultID string `json:"resultId"`
		}
		_ = json.Unmarshal(delta, &res)
		prev.ResultID = res.ResultID
		completeAt(b, env, uri, end)
		env.Hover(uri, end)
	}
}

// BenchmarkSemanticTokensScaling shows that token computation is linear in the file: the
// time per line stays flat from 1,250 to 20,000 lines.
func BenchmarkSemanticTokensScaling(b *testing.B) {
	for _, n := range []int{1250, 5000, 20000} {
		f := analysis.Parse(analysis.GenerateDockerfile(n))
		b.Run(fmt.Sprintf("lines=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				analysis.SemanticTokens(f, nil, nil)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/line")
		})
	}
}
