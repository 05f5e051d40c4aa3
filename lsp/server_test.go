package lsp_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/layerlens/layerlens/analysis/rules"
	"github.com/layerlens/layerlens/lsp/lsptest"
)

const uri = "file:///work/Dockerfile"

func TestInitializeCapabilities(t *testing.T) {
	env := lsptest.New(t)
	var res struct {
		Capabilities struct {
			TextDocumentSync struct {
				OpenClose bool `json:"openClose"`
				Change    int  `json:"change"`
			} `json:"textDocumentSync"`
			HoverProvider          bool   `json:"hoverProvider"`
			DocumentSymbolProvider bool   `json:"documentSymbolProvider"`
			FoldingRangeProvider   bool   `json:"foldingRangeProvider"`
			PositionEncoding       string `json:"positionEncoding"`
			CodeActionProvider     struct {
				CodeActionKinds []string `json:"codeActionKinds"`
			} `json:"codeActionProvider"`
		} `json:"capabilities"`
		ServerInfo struct {
			Name    string `json:"name"`
			Version string `json:"version"`
		} `json:"serverInfo"`
	}
	if err := json.Unmarshal(env.InitializeResult, &res); err != nil {
		t.Fatal(err)
	}
	c := res.Capabilities
	if !c.TextDocumentSync.OpenClose || c.TextDocumentSync.Change != 2 {
		t.Errorf("textDocumentSync = %+v, want openClose and incremental (2)", c.TextDocumentSync)
	}
	if !c.HoverProvider || !c.DocumentSymbolProvider || !c.FoldingRangeProvider {
		t.Errorf("capabilities = %s, want hover, documentSymbol and foldingRange", env.InitializeResult)
	}
	if c.PositionEncoding != "utf-16" {
		t.Errorf("positionEncoding = %q, want utf-16", c.PositionEncoding)
	}
	if len(c.CodeActionProvider.CodeActionKinds) != 1 || c.CodeActionProvider.CodeActionKinds[0] != "quickfix" {
		t.Errorf("codeActionKinds = %v, want [quickfix]", c.CodeActionProvider.CodeActionKinds)
	}
	if res.ServerInfo.Name != "layerlens" || res.ServerInfo.Version != "test" {
		t.Errorf("serverInfo = %+v, want layerlens test", res.ServerInfo)
	}
}

func TestDiagnosticsParseErrorAndClear(t *testing.T) {
	env := lsptest.New(t)
	env.Open(uri, "FROM alpine:3.20\nFOO bar\nRUN echo hi\n")
	diags := env.Diagnostics(uri)
	d := find(diags, "UnknownInstruction")
	if d == nil {
		t.Fatalf("diagnostics = %+v, want an UnknownInstruction", diags)
	}
	if want := env.RangeOf(uri, "FOO"); d.Range != want {
		t.Errorf("UnknownInstruction range = %v, want %v (the keyword)", d.Range, want)
	}
	if d.Source != "layerlens" || d.Severity != protocol.DiagnosticSeverityError {
		t.Errorf("diagnostic = %+v, want source layerlens, severity error", d)
	}

	env.Change(uri, "FROM alpine:3.20\nRUN echo hi\n")
	if got := env.Diagnostics(uri); find(got, "UnknownInstruction") != nil {
		t.Errorf("after the fix, diagnostics = %+v, want no UnknownInstruction", got)
	}
	// The cleared set must be [] on the wire, never null.
	last := env.Notifications(protocol.MethodTextDocumentPublishDiagnostics)
	raw := string(last[len(last)-1].Params)
	if strings.Contains(raw, `"diagnostics":null`) {
		t.Errorf("publishDiagnostics = %s, want an array", raw)
	}
}

func TestIncrementalChange(t *testing.T) {
	env := lsptest.New(t)
	env.Open(uri, "FROM alpine\nRUN echo ä 😀\nCMD [\"sh\"]\n")
	env.Diagnostics(uri)
	// Replace RUN by a typo after non-ASCII text on the line before: positions are UTF-16.
	env.ChangeRange(uri, env.RangeOf(uri, "CMD"), "CMX")
	d := find(env.Diagnostics(uri), "UnknownInstruction")
	if d == nil || d.Range != env.RangeOf(uri, "CMX") {
		t.Fatalf("after incremental change: %+v, want UnknownInstruction at %v", d, env.RangeOf(uri, "CMX"))
	}
	// An edit on the same line after an emoji.
	env.ChangeRange(uri, env.RangeOf(uri, "😀"), "😀😀")
	env.ChangeRange(uri, env.RangeOf(uri, "CMX"), "CMD")
	if got := env.Diagnostics(uri); find(got, "UnknownInstruction") != nil {
		t.Errorf("diagnostics = %+v, want none", got)
	}
	// Check the server's text equals ours: an unknown instruction right after the emojis.
	env.ChangeRange(uri, protocol.Range{Start: env.After(uri, "😀😀"), End: env.After(uri, "😀😀")}, "\nZAP x")
	d = find(env.Diagnostics(uri), "UnknownInstruction")
	if d == nil || d.Range != env.RangeOf(uri, "ZAP") {
		t.Fatalf("diagnostic = %+v, want UnknownInstruction at %v; text %q", d, env.RangeOf(uri, "ZAP"), env.Text(uri))
	}
}

func TestFullChangeWithoutRangeReplaces(t *testing.T) {
	env := lsptest.New(t)
	env.Open(uri, "FOO a\n")
	env.Diagnostics(uri)
	// A change with no range is a full replacement, not an insert at 0:0.
	env.Change(uri, "FROM scratch\n")
	if got := env.Diagnostics(uri); find(got, "UnknownInstruction") != nil {
		t.Errorf("diagnostics = %+v, want no UnknownInstruction", got)
	}
}

func TestLatestVersionWins(t *testing.T) {
	env := lsptest.New(t)
	env.Open(uri, "FROM alpine\n")
	for i := 0; i < 30; i++ {
		if i%2 == 0 {
			env.Change(uri, "FROM alpine\nBAD x\n")
		} else {
			env.Change(uri, "FROM alpine\n")
		}
	}
	got := env.Diagnostics(uri) // version 31: the last change had no error
	if find(got, "UnknownInstruction") != nil {
		t.Errorf("final diagnostics = %+v, want no UnknownInstruction", got)
	}
	vs := env.PublishedVersions(uri)
	for i := 1; i < len(vs); i++ {
		if vs[i] < vs[i-1] {
			t.Errorf("published versions %v go backwards", vs)
		}
	}
}

func TestUntitledAndUnknownDocuments(t *testing.T) {
	env := lsptest.New(t)
	const untitled = "untitled:Untitled-1"
	env.Open(untitled, "FROM alpine\nNOPE\n")
	if d := find(env.Diagnostics(untitled), "UnknownInstruction"); d == nil {
		t.Errorf("untitled: no UnknownInstruction diagnostic")
	}
	if h := env.Hover(untitled, env.At(untitled, "FROM")); h == nil {
		t.Errorf("untitled: no hover on FROM")
	}
	err := env.Call(protocol.MethodTextDocumentHover, map[string]any{
		"textDocument": map[string]any{"uri": "file:///never/opened"},
		"position":     protocol.Position{},
	}, nil)
	var werr *jsonrpc2.Error
	if !asRPCError(err, &werr) || werr.Code != jsonrpc2.InvalidParams {
		t.Errorf("hover on a document never opened: err = %v, want InvalidParams", err)
	}
	// A change for a document never opened is an error the server logs, not a crash.
	env.Notify(protocol.MethodTextDocumentDidChange, map[string]any{
		"textDocument":   map[string]any{"uri": "file:///never/opened", "version": 2},
		"contentChanges": []any{map[string]any{"text": "x"}},
	})
	if h := env.Hover(untitled, env.At(untitled, "FROM")); h == nil {
		t.Errorf("server stopped answering after a bad didChange")
	}
}

func TestUnknownMethodAndBadParams(t *testing.T) {
	env := lsptest.New(t)
	err := env.Call("textDocument/noSuchThing", map[string]any{}, nil)
	var werr *jsonrpc2.Error
	if !asRPCError(err, &werr) || werr.Code != jsonrpc2.MethodNotFound {
		t.Errorf("unknown method: err = %v, want MethodNotFound", err)
	}
	err = env.Call(protocol.MethodTextDocumentHover, []int{1, 2}, nil)
	if !asRPCError(err, &werr) || werr.Code != jsonrpc2.InvalidParams {
		t.Errorf("hover with array params: err = %v, want InvalidParams", err)
	}
}

func TestEmptyResultsAreArrays(t *testing.T) {
	env := lsptest.New(t)
	env.Open(uri, "")
	env.Diagnostics(uri)
	for _, m := range []string{protocol.MethodTextDocumentDocumentSymbol, protocol.MethodTextDocumentFoldingRange} {
		var raw json.RawMessage
		if err := env.Call(m, map[string]any{"textDocument": map[string]any{"uri": uri}}, &raw); err != nil {
			t.Fatalf("%s: %v", m, err)
		}
		if string(raw) != "[]" {
			t.Errorf("%s on an empty document = %s, want []", m, raw)
		}
	}
	var raw json.RawMessage
	err := env.Call(protocol.MethodTextDocumentCodeAction, map[string]any{
		"textDocument": map[string]any{"uri": uri},
		"range":        protocol.Range{},
		"context":      map[string]any{"diagnostics": []any{}},
	}, &raw)
	if err != nil || string(raw) != "[]" {
		t.Errorf("codeAction = %s, %v, want []", raw, err)
	}
}

func TestLifecycleErrors(t *testing.T) {
	env := lsptest.New(t)
	err := env.Call(protocol.MethodInitialize, map[string]any{"capabilities": map[string]any{}}, nil)
	var werr *jsonrpc2.Error
	if !asRPCError(err, &werr) || werr.Code != jsonrpc2.InvalidRequest {
		t.Errorf("second initialize: err = %v, want InvalidRequest", err)
	}
}

func TestExitWithoutShutdown(t *testing.T) {
	env := lsptest.New(t)
	env.Notify(protocol.MethodExit, nil)
	if err := env.ServeErr(); err == nil || !strings.Contains(err.Error(), "without shutdown") {
		t.Errorf("Serve after exit without shutdown = %v, want ErrExitWithoutShutdown", err)
	}
}

func TestHugeFile(t *testing.T) {
	if testing.Short() {
		t.Skip("10 MB document")
	}
	size := 10 << 20
	if raceEnabled {
		size = 1 << 20
	}
	var b strings.Builder
	b.WriteString("FROM alpine\n")
	for b.Len() < size {
		b.WriteString("RUN echo 'a fairly long line of shell to make a ten megabyte Dockerfile'\n")
	}
	b.WriteString("OOPS x\n")
	// The rules have their own benchmarks; this test is about the server (framing, mapping,
	// parsing) coping with a 10 MB document, so the rules are turned off.
	off := map[string]string{}
	for _, r := range rules.All {
		off[r.Name] = "off"
	}
	env := lsptest.New(t, lsptest.WithSettings(map[string]any{"rules": off}), lsptest.WithTimeout(2*time.Minute))
	env.Open(uri, b.String())
	d := find(env.Diagnostics(uri), "UnknownInstruction")
	if d == nil || d.Range != env.RangeOf(uri, "OOPS") {
		t.Fatalf("10 MB file: diagnostic = %+v, want UnknownInstruction on the last line", d)
	}
}

func find(diags []protocol.Diagnostic, code string) *protocol.Diagnostic {
	for i := range diags {
		if diags[i].Code == code {
			return &diags[i]
		}
	}
	return nil
}

func asRPCError(err error, target **jsonrpc2.Error) bool {
	if err == nil {
		return false
	}
	e, ok := err.(*jsonrpc2.Error)
	if ok {
		*target = e
	}
	return ok
}
