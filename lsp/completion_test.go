package lsp_test

import (
	"strings"
	"testing"

	"go.lsp.dev/protocol"

	"github.com/layerlens/layerlens/analysis"
	"github.com/layerlens/layerlens/lsp"
	"github.com/layerlens/layerlens/lsp/lsptest"
)

// snippetCaps are DefaultCapabilities plus snippet and markdown completion support.
var snippetCaps = strings.Replace(lsptest.DefaultCapabilities, `"hover":`,
	`"completion": {"completionItem": {"snippetSupport": true, "documentationFormat": ["markdown"]}}, "hover":`, 1)

func completeAt(t testing.TB, env *lsptest.Env, uri string, pos protocol.Position) *protocol.CompletionList {
	t.Helper()
	var list protocol.CompletionList
	if err := env.Call(protocol.MethodTextDocumentCompletion, featPos(uri, pos), &list); err != nil {
		t.Fatalf("completion: %v", err)
	}
	return &list
}

func TestCompletionEndToEnd(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      []string
		// replaced is the text the first item's edit replaces.
		replaced string
	}{
		{"copy flags on a broken file", "FROM alpine AS build\nENV\nCOPY --@{c}\nRUN [\"x\"\n", []string{"--from", "--chmod", "--link", "--parents", "--exclude"}, "--"},
		{"from at end of file", "FROM alpine AS build\nFROM @{c}", []string{"build", "scratch"}, ""},
		{"mount options after emoji", "FROM a AS deps\nFROM b\nRUN echo \"🐳\" && true; \\\n  # note\n  true\nRUN --mount=type=cache,@{c}", []string{"target", "sharing", "id"}, ""},
		{"mount from after non-ASCII", "FROM a AS deps\nFROM b\nLABEL x=\"ä\"\nRUN --mount=type=bind,from=d@{c}", []string{"deps"}, "d"},
		{"variables with CRLF", "ARG V=1\r\nFROM a\r\nARG V\r\nENV HOME_DIR=/h\r\nRUN echo ${@{c}\r\n", []string{"V", "HOME_DIR"}, ""},
		{"keywords with backtick escape", "# escape=`\nFROM a\nRUN x `\n  y\nHE@{c}", []string{"HEALTHCHECK"}, "HE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text, at := featFixture(t, tc.src)
			const uri = "file:///w/complete/Dockerfile"
			env := lsptest.New(t, lsptest.WithCapabilities(snippetCaps))
			env.Open(uri, text)
			list := completeAt(t, env, uri, at("c"))
			got := map[string]protocol.CompletionItem{}
			for _, it := range list.Items {
				got[it.Label] = it
			}
			for _, w := range tc.want {
				if _, ok := got[w]; !ok {
					t.Errorf("completion offers %v, missing %q", keys(got), w)
				}
			}
			if len(list.Items) > 0 {
				m := lsp.NewMapper(text)
				r := list.Items[0].TextEdit.Range
				if rep := text[m.Offset(r.Start):m.Offset(r.End)]; rep != tc.replaced {
					t.Errorf("first item replaces %q, want %q", rep, tc.replaced)
				}
			}
		})
	}
}

func keys(m map[string]protocol.CompletionItem) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestCompletionSnippetSupport(t *testing.T) {
	text, at := featFixture(t, "FROM a\nRUN --@{c}")
	const uri = "file:///w/snippets/Dockerfile"
	// With snippet support: a choice snippet.
	env := lsptest.New(t, lsptest.WithCapabilities(snippetCaps))
	env.Open(uri, text)
	for _, it := range completeAt(t, env, uri, at("c")).Items {
		if it.Label == "--network" {
			if it.InsertTextFormat != protocol.InsertTextFormatSnippet || it.TextEdit.NewText != "--network=${1|default,none,host|}" {
				t.Errorf("--network with snippets = %+v", it)
			}
			if _, ok := it.Documentation.(map[string]any); !ok {
				t.Errorf("documentation = %T, want markup content", it.Documentation)
			}
		}
	}
	// Without: plain text, first choice.
	env2 := lsptest.New(t)
	env2.Open(uri, text)
	for _, it := range completeAt(t, env2, uri, at("c")).Items {
		if it.Label == "--network" && (it.InsertTextFormat == protocol.InsertTextFormatSnippet || it.TextEdit.NewText != "--network=default") {
			t.Errorf("--network without snippets = %+v", it)
		}
	}
	text, at = featFixture(t, "@{c}")
	env2.Open("file:///w/snippets2/Dockerfile", text)
	for _, it := range completeAt(t, env2, "file:///w/snippets2/Dockerfile", at("c")).Items {
		if it.Label == "ARG" && it.TextEdit.NewText != "ARG name=value" {
			t.Errorf("ARG without snippets = %q, want %q", it.TextEdit.NewText, "ARG name=value")
		}
	}
}

// BenchmarkCompletion5000 measures a variable completion at the end of a 5,000-line document,
// in-process over the pipe (request, completion, JSON both ways).
func BenchmarkCompletion5000(b *testing.B) {
	text := analysis.GenerateDockerfile(5000) + "RUN echo $\n"
	const uri = "file:///bench/complete/Dockerfile"
	env := lsptest.New(b)
	env.Open(uri, text)
	env.Diagnostics(uri)
	m := lsp.NewMapper(text)
	pos := m.OffsetPosition(len(text) - 1)
	b.ReportAllocs()
	for b.Loop() {
		if list := completeAt(b, env, uri, pos); len(list.Items) == 0 {
			b.Fatal("no completion items")
		}
	}
}
