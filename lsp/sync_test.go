package lsp_test

import (
	"fmt"
	"math/rand"
	"testing"

	"go.lsp.dev/protocol"

	"github.com/layerlens/layerlens/lsp"
	"github.com/layerlens/layerlens/lsp/lsptest"
)

// TestRandomIncrementalEdits applies random incremental edits (multi-line, non-ASCII,
// continuations, heredoc openers) and checks that the server ends in the same state as a
// server that opened the final text: same diagnostics and same symbols. This exercises
// applyChanges, snapshots and incremental re-parsing together.
func TestRandomIncrementalEdits(t *testing.T) {
	snippets := []string{"x", "\n", "RUN echo ä\n", " \\\n  && ls", "😀", "FROM alpine AS b\n", "COPY <<EOF /a\nhi\nEOF\n",
		"# comment\n", "--from=b ", "\"", "[", "ENV A=1\n", "", "\t", "ONBUILD RUN x\n", "ARG V\n"}
	rng := rand.New(rand.NewSource(1))
	env := lsptest.New(t)
	env.Open(uri, multiStage)
	env.Diagnostics(uri)
	for i := 0; i < 150; i++ {
		text := env.Text(uri)
		m := lsp.NewMapper(text)
		a, b := rng.Intn(len(text)+1), rng.Intn(len(text)+1)
		if a > b {
			a, b = b, a
		}
		if b-a > 40 {
			b = a + rng.Intn(40)
		}
		r := protocol.Range{Start: m.OffsetPosition(a), End: m.OffsetPosition(b)}
		if rng.Intn(10) == 0 { // past the end of the line: clamped by both sides
			r.End.Character += 50
		}
		env.ChangeRange(uri, r, snippets[rng.Intn(len(snippets))])
		if i%10 == 0 {
			env.Diagnostics(uri)
		}
	}
	got := env.Diagnostics(uri)
	gotSyms := env.DocumentSymbols(uri)

	fresh := lsptest.New(t)
	fresh.Open(uri, env.Text(uri))
	want := fresh.Diagnostics(uri)
	wantSyms := fresh.DocumentSymbols(uri)

	if a, b := diagKey(got), diagKey(want); a != b {
		t.Errorf("diagnostics after incremental edits differ from a fresh open:\n got %s\nwant %s\ntext:\n%s", a, b, env.Text(uri))
	}
	if a, b := fmt.Sprint(gotSyms), fmt.Sprint(wantSyms); a != b {
		t.Errorf("symbols differ:\n got %s\nwant %s", a, b)
	}
}

// diagKey is a diagnostic set without the version-dependent data.
func diagKey(ds []protocol.Diagnostic) string {
	s := ""
	for _, d := range ds {
		s += fmt.Sprintf("%v %v %v %q\n", d.Range, d.Code, d.Severity, d.Message)
	}
	return s
}
