package lsp_test

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"go.lsp.dev/protocol"

	"github.com/layerlens/layerlens/analysis"
	"github.com/layerlens/layerlens/lsp"
	"github.com/layerlens/layerlens/lsp/lsptest"
)

// fixture strips "@{name}" markers from src and returns the text and a function giving each
// marker's LSP position (UTF-16 columns), so tests never hard-code line or column numbers.
func featFixture(t *testing.T, src string) (string, func(name string) protocol.Position) {
	t.Helper()
	type mark struct {
		name string
		off  int
	}
	var marks []mark
	var b strings.Builder
	for i := 0; i < len(src); {
		if strings.HasPrefix(src[i:], "@{") {
			j := strings.IndexByte(src[i:], '}')
			marks = append(marks, mark{src[i+2 : i+j], b.Len()})
			i += j + 1
			continue
		}
		b.WriteByte(src[i])
		i++
	}
	text := b.String()
	m := lsp.NewMapper(text)
	return text, func(name string) protocol.Position {
		t.Helper()
		for _, mk := range marks {
			if mk.name == name {
				return m.OffsetPosition(mk.off)
			}
		}
		t.Fatalf("no marker %q", name)
		return protocol.Position{}
	}
}

func featPos(uri string, p protocol.Position) map[string]any {
	return map[string]any{"textDocument": map[string]any{"uri": uri}, "position": p}
}

// featNavDoc has CRLF line ends, non-ASCII text and an emoji before the names (UTF-16 columns),
// a continuation with a comment between its lines, and a heredoc.
const featNavDoc = "ARG @{gver}VERSION=3.20\r\n" +
	"FROM alpine:$@{fromver}VERSION AS @{decl}build\r\n" +
	"ARG @{sver}VERSION\r\n" +
	"ENV GREETING=\"héllo 🐳\" @{app}APP=/opt/app\r\n" +
	"RUN echo \"🐳 ä\" $@{use1}APP \\\r\n" +
	"  # between continuation lines\r\n" +
	"  && echo ${@{use2}APP}/bin $@{ver}VERSION\r\n" +
	"RUN <<@{hd}EOT\r\n" +
	"echo $@{use3}APP\r\n" +
	"@{hend}EOT\r\n" +
	"FROM @{ref1}build AS test\r\n" +
	"COPY --from=@{ref2}build /a /b\r\n"

func TestNavigationEndToEnd(t *testing.T) {
	text, at := featFixture(t, featNavDoc)
	const uri = "file:///w/nav/Dockerfile"
	env := lsptest.New(t)
	env.Open(uri, text)

	rangeText := func(r protocol.Range) string {
		m := lsp.NewMapper(text)
		return text[m.Offset(r.Start):m.Offset(r.End)]
	}
	// Definition of a stage reference, a variable after an emoji, a heredoc terminator.
	for _, tc := range []struct{ from, to, name string }{
		{"ref2", "decl", "build"},
		{"ref1", "decl", "build"},
		{"use1", "app", "APP"},
		{"use2", "app", "APP"},
		{"use3", "app", "APP"},
		{"hend", "hd", "EOT"},
		{"ver", "sver", "VERSION"},
	} {
		var locs []protocol.Location
		if err := env.Call(protocol.MethodTextDocumentDefinition, featPos(uri, at(tc.from)), &locs); err != nil {
			t.Fatal(err)
		}
		if len(locs) == 0 || locs[0].Range.Start != at(tc.to) || rangeText(locs[0].Range) != tc.name {
			t.Errorf("definition at %s = %+v, want %s at %v", tc.from, locs, tc.name, at(tc.to))
		}
	}
	// References of the stage name, declaration included.
	var refs []protocol.Location
	if err := env.Call(protocol.MethodTextDocumentReferences, map[string]any{
		"textDocument": map[string]any{"uri": uri}, "position": at("decl"), "context": map[string]any{"includeDeclaration": true},
	}, &refs); err != nil {
		t.Fatal(err)
	}
	var got []protocol.Position
	for _, r := range refs {
		got = append(got, r.Range.Start)
	}
	want := []protocol.Position{at("decl"), at("ref1"), at("ref2")}
	sort.Slice(got, func(i, j int) bool { return got[i].Line < got[j].Line })
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("references(build) = %v, want %v", got, want)
	}
	// Highlight: the declaration is a write, uses are reads.
	var hl []protocol.DocumentHighlight
	if err := env.Call(protocol.MethodTextDocumentDocumentHighlight, featPos(uri, at("use1")), &hl); err != nil {
		t.Fatal(err)
	}
	writes := 0
	for _, h := range hl {
		if h.Kind == protocol.DocumentHighlightKindWrite {
			writes++
			if h.Range.Start != at("app") {
				t.Errorf("write highlight at %v, want %v", h.Range.Start, at("app"))
			}
		}
	}
	if len(hl) != 4 || writes != 1 {
		t.Errorf("highlight(APP) = %+v, want 1 write and 3 reads", hl)
	}
	// The global ARG and its stage re-declaration are one symbol.
	if err := env.Call(protocol.MethodTextDocumentDocumentHighlight, featPos(uri, at("gver")), &hl); err != nil {
		t.Fatal(err)
	}
	if len(hl) != 4 {
		t.Errorf("highlight(VERSION) = %d ranges, want 4 (global, FROM use, stage ARG, RUN use)", len(hl))
	}
}

func TestRenameEndToEnd(t *testing.T) {
	text, at := featFixture(t, featNavDoc)
	const uri = "file:///w/rename/Dockerfile"
	env := lsptest.New(t)
	env.Open(uri, text)

	var prep struct {
		Range       protocol.Range `json:"range"`
		Placeholder string         `json:"placeholder"`
	}
	if err := env.Call(protocol.MethodTextDocumentPrepareRename, featPos(uri, at("use2")), &prep); err != nil {
		t.Fatal(err)
	}
	if prep.Placeholder != "APP" || prep.Range.Start != at("use2") {
		t.Errorf("prepareRename = %+v, want APP at %v", prep, at("use2"))
	}
	rename := func(pos protocol.Position, name string) (string, error) {
		var we protocol.WorkspaceEdit
		err := env.Call(protocol.MethodTextDocumentRename, map[string]any{
			"textDocument": map[string]any{"uri": uri}, "position": pos, "newName": name,
		}, &we)
		if err != nil {
			return "", err
		}
		return lsptest.ApplyEdit(text, uri, &we)
	}
	out, err := rename(at("use1"), "APP_DIR")
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out, "APP_DIR"); n != 4 || strings.Contains(out, "$APP ") {
		t.Errorf("rename APP -> APP_DIR: %d replacements, want 4:\n%s", n, out)
	}
	out, err = rename(at("ref2"), "builder")
	if err != nil {
		t.Fatal(err)
	}
	f := analysis.Parse(out)
	if f.Stages[0].Name != "builder" || f.Stages[1].BaseImage != "builder" || f.Instructions[len(f.Instructions)-1].Flags[0].Value != "builder" {
		t.Errorf("rename build -> builder:\n%s", out)
	}
	// Refused renames are errors the editor shows.
	if _, err := rename(at("ref2"), "test"); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("rename to an existing stage: err = %v", err)
	}
	var raw json.RawMessage
	err = env.Call(protocol.MethodTextDocumentPrepareRename, featPos(uri, protocol.Position{Line: 0, Character: 0}), &raw)
	if err == nil {
		t.Errorf("prepareRename on a keyword = %s, want an error", raw)
	}
}

func TestVariableHoverEndToEnd(t *testing.T) {
	text, at := featFixture(t, featNavDoc)
	const uri = "file:///w/hover/Dockerfile"
	env := lsptest.New(t, lsptest.WithSettings(map[string]any{"buildArgs": map[string]string{"VERSION": "3.21"}}))
	env.Open(uri, text)
	env.Diagnostics(uri) // the settings are in force from here on
	for _, tc := range []struct {
		at   string
		want string
	}{
		{"use1", "Value here: `/opt/app`"},
		{"ver", "`3.21` (from the `buildArgs` setting)"},
		{"ref2", "Stage `build` (#0)"},
		{"hend", "Here-document `EOT`"},
	} {
		h := env.Hover(uri, at(tc.at))
		if h == nil || !strings.Contains(h.Contents.Value, tc.want) {
			t.Errorf("hover at %s = %+v, want %q", tc.at, h, tc.want)
			continue
		}
		if h.Range == nil || h.Range.Start != at(tc.at) {
			t.Errorf("hover at %s: range %+v, want it to start at %v", tc.at, h.Range, at(tc.at))
		}
	}
}
