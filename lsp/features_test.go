package lsp_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.lsp.dev/protocol"

	"github.com/layerlens/layerlens/lsp/lsptest"
)

const multiStage = `# syntax=docker/dockerfile:1
# The build stage.
# It compiles things.
ARG GO=1.22
FROM --platform=$BUILDPLATFORM golang:${GO} AS build
WORKDIR /src
RUN go build \
    -o /out/app \
    ./cmd/app
COPY --chmod=755 <<EOF /usr/local/bin/hello
#!/bin/sh
echo hello
EOF

FROM alpine:3.20
COPY --from=build /out/app /app
CMD ["/app"]
`

func TestHoverKeywordFlagDirective(t *testing.T) {
	env := lsptest.New(t)
	env.Open(uri, multiStage)
	env.Diagnostics(uri)

	h := env.Hover(uri, env.At(uri, "WOR|KDIR"))
	if h == nil || !strings.Contains(h.Contents.Value, "WORKDIR") {
		t.Fatalf("hover on WORKDIR = %+v, want the WORKDIR docs", h)
	}
	if h.Contents.Kind != protocol.Markdown {
		t.Errorf("hover kind = %q, want markdown", h.Contents.Kind)
	}
	if h.Range == nil || *h.Range != env.RangeOf(uri, "WORKDIR") {
		t.Errorf("hover range = %v, want the keyword %v", h.Range, env.RangeOf(uri, "WORKDIR"))
	}

	h = env.Hover(uri, env.At(uri, "--pla|tform"))
	if h == nil || !strings.Contains(h.Contents.Value, "--platform") {
		t.Fatalf("hover on --platform = %+v, want the flag docs", h)
	}
	h = env.Hover(uri, env.At(uri, "--ch|mod"))
	if h == nil || !strings.Contains(h.Contents.Value, "--chmod") {
		t.Fatalf("hover on --chmod = %+v, want the flag docs", h)
	}
	h = env.Hover(uri, env.At(uri, "# syn|tax"))
	if h == nil || !strings.Contains(h.Contents.Value, "syntax") {
		t.Errorf("hover on the syntax directive = %+v, want its docs", h)
	}
	// In a flag's value, a stage name is hovered as a name (varhover.go), the flag name as a flag.
	h = env.Hover(uri, env.At(uri, "--from=bu|ild"))
	if want := env.Match(uri, `--from=(build)`); h == nil || h.Range == nil || *h.Range != want {
		t.Errorf("hover on the stage name in --from = %+v, want range %v", h, want)
	}
	h = env.Hover(uri, env.At(uri, "--fr|om=build"))
	if h == nil || !strings.Contains(h.Contents.Value, "--from") {
		t.Errorf("hover on --from = %+v, want the flag docs", h)
	}
	// A variable inside the FROM image word is hovered as a variable.
	h = env.Hover(uri, env.At(uri, "${G|O}"))
	if want := env.Match(uri, `golang:\$\{(GO)\}`); h == nil || h.Range == nil || *h.Range != want || !strings.Contains(h.Contents.Value, "1.22") {
		t.Errorf("hover on ${GO} in FROM = %+v, want the variable (range %v, value 1.22)", h, want)
	}
	// Nothing to say inside a shell command argument.
	if h := env.Hover(uri, env.At(uri, "./cmd/a|pp")); h != nil {
		t.Errorf("hover inside RUN arguments = %+v, want null", h)
	}
}

func TestHoverOnbuildTrigger(t *testing.T) {
	env := lsptest.New(t)
	env.Open(uri, "FROM alpine:3.20\nONBUILD RUN --network=none make\n")
	env.Diagnostics(uri)
	if h := env.Hover(uri, env.At(uri, "ONB|UILD")); h == nil || !strings.Contains(h.Contents.Value, "ONBUILD") {
		t.Errorf("hover on ONBUILD = %+v", h)
	}
	if h := env.Hover(uri, env.At(uri, "ONBUILD R|UN")); h == nil || !strings.HasPrefix(h.Contents.Value, "**RUN**") {
		t.Errorf("hover on the triggered RUN = %+v, want the RUN docs", h)
	}
	if h := env.Hover(uri, env.At(uri, "--netw|ork")); h == nil || !strings.Contains(h.Contents.Value, "--network") {
		t.Errorf("hover on the trigger's flag = %+v, want the --network docs", h)
	}
}

func TestHoverNonASCII(t *testing.T) {
	env := lsptest.New(t)
	const u = "file:///w/%C3%A4.Dockerfile"
	env.Open(u, "FROM ä\n# 😀 emoji before a token: 😀 \nRUN --network=none echo 😀\n")
	env.Diagnostics(u)
	h := env.Hover(u, env.At(u, "--netw|ork"))
	if h == nil || h.Range == nil || *h.Range != env.RangeOf(u, "--network=none") {
		t.Fatalf("hover on --network = %+v, want range %v", h, env.RangeOf(u, "--network=none"))
	}
}

func TestDocumentSymbols(t *testing.T) {
	env := lsptest.New(t)
	env.Open(uri, multiStage)
	env.Diagnostics(uri)
	syms := env.DocumentSymbols(uri)
	var names []string
	for _, s := range syms {
		names = append(names, s.Name)
	}
	if len(syms) != 3 || !strings.HasPrefix(syms[0].Name, "ARG") || syms[1].Name != "build" || syms[2].Name != "stage 1" {
		t.Fatalf("top-level symbols = %q, want [ARG..., build, stage 1]", names)
	}
	build := syms[1]
	if want := env.Match(uri, `AS (build)`); build.SelectionRange != want {
		t.Errorf("stage selectionRange = %v, want the name %v", build.SelectionRange, want)
	}
	var kids []string
	for _, c := range build.Children {
		kids = append(kids, strings.Fields(c.Name)[0])
	}
	if strings.Join(kids, " ") != "WORKDIR RUN COPY" {
		t.Errorf("children of build = %q, want WORKDIR RUN COPY", kids)
	}
	if !strings.Contains(syms[2].Detail, "alpine:3.20") {
		t.Errorf("stage 1 detail = %q, want the base image", syms[2].Detail)
	}
}

func TestDocumentSymbolsFlatForOldClients(t *testing.T) {
	env := lsptest.New(t, lsptest.WithCapabilities(`{}`))
	env.Open(uri, multiStage)
	env.Diagnostics(uri)
	var syms []protocol.SymbolInformation
	if err := env.Call(protocol.MethodTextDocumentDocumentSymbol, map[string]any{"textDocument": map[string]any{"uri": uri}}, &syms); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range syms {
		if s.Location.URI != uri {
			t.Errorf("symbol %q has location %v", s.Name, s.Location)
		}
		got = append(got, s.ContainerName+"/"+strings.Fields(s.Name)[0])
	}
	want := "/ARG /build build/WORKDIR build/RUN build/COPY /stage stage 1/COPY stage 1/CMD"
	if strings.Join(got, " ") != want {
		t.Errorf("flat symbols = %q, want %q", strings.Join(got, " "), want)
	}
}

func TestFoldingRanges(t *testing.T) {
	env := lsptest.New(t)
	env.Open(uri, multiStage)
	env.Diagnostics(uri)
	folds := env.FoldingRanges(uri)
	has := func(startMarker, endMarker string, kind protocol.FoldingRangeKind) bool {
		s, e := env.At(uri, startMarker).Line, env.At(uri, endMarker).Line
		for _, f := range folds {
			if f.StartLine == s && f.EndLine == e && f.Kind == kind {
				return true
			}
		}
		return false
	}
	if !has("# The build", "# It compiles", protocol.CommentFoldingRange) {
		t.Errorf("folds = %+v, want the comment block", folds)
	}
	if !has("RUN go build", "./cmd/app", "") {
		t.Errorf("folds = %+v, want the continued RUN", folds)
	}
	if !has("COPY --chmod", "EOF\n\nFROM", "") {
		t.Errorf("folds = %+v, want the heredoc COPY", folds)
	}
	if !has("FROM --platform", "EOF\n\nFROM", protocol.RegionFoldingRange) {
		t.Errorf("folds = %+v, want the build stage", folds)
	}
}

func TestFoldingSeveralHeredocs(t *testing.T) {
	env := lsptest.New(t)
	env.Open(uri, "FROM a\nRUN <<A <<B\na1\nA\nb1\nb2\nB\n")
	env.Diagnostics(uri)
	var got []string
	for _, f := range env.FoldingRanges(uri) {
		got = append(got, fmt.Sprintf("%d-%d", f.StartLine, f.EndLine))
	}
	// The stage and the RUN (0-6, 1-6), heredoc A (1-3), heredoc B from A's terminator (3-6).
	if strings.Join(got, " ") != "0-6 1-6 1-3 3-6" {
		t.Errorf("folds = %v, want 0-6 1-6 1-3 3-6", got)
	}
}

func TestIgnoreCodeAction(t *testing.T) {
	env := lsptest.New(t)
	const text = "FROM alpine\n  RUN curl http://x | sh\n"
	env.Open(uri, text)
	env.Diagnostics(uri)
	// A rule diagnostic as the server publishes them (code actions read only its data).
	d := protocol.Diagnostic{
		Range:   env.RangeOf(uri, "curl http://x | sh"),
		Code:    "CurlPipeShell",
		Source:  "layerlens",
		Message: "piping a download to a shell",
		Data:    map[string]any{"rule": "CurlPipeShell", "version": 1},
	}
	actions := env.CodeActions(uri, d.Range, []protocol.Diagnostic{d})
	if len(actions) != 1 || actions[0].Title != "Ignore CurlPipeShell on this line" {
		t.Fatalf("actions = %+v, want one ignore action", actions)
	}
	got, err := lsptest.ApplyEdit(text, uri, actions[0].Edit)
	if err != nil {
		t.Fatal(err)
	}
	if want := "FROM alpine\n  # layerlens ignore=CurlPipeShell\n  RUN curl http://x | sh\n"; got != want {
		t.Errorf("after the ignore action:\n%s\nwant:\n%s", got, want)
	}
	if dc := actions[0].Edit.DocumentChanges; len(dc) != 1 || dc[0].TextDocument.Version == nil || *dc[0].TextDocument.Version != 1 {
		t.Errorf("edit = %+v, want documentChanges with version 1", actions[0].Edit)
	}

	// A second rule on the same line extends the existing comment.
	env.Change(uri, got)
	env.Diagnostics(uri)
	d2 := d
	d2.Range = env.RangeOf(uri, "curl http://x | sh")
	d2.Code, d2.Data = "PlainHTTP", map[string]any{"rule": "PlainHTTP", "version": 2}
	actions = env.CodeActions(uri, d2.Range, []protocol.Diagnostic{d2})
	if len(actions) != 1 {
		t.Fatalf("actions = %+v, want one", actions)
	}
	got2, _ := lsptest.ApplyEdit(got, uri, actions[0].Edit)
	if want := "FROM alpine\n  # layerlens ignore=CurlPipeShell,PlainHTTP\n  RUN curl http://x | sh\n"; got2 != want {
		t.Errorf("second ignore:\n%s\nwant:\n%s", got2, want)
	}
}

func TestQuickFixFromDiagnosticData(t *testing.T) {
	env := lsptest.New(t, lsptest.WithCapabilities(`{"textDocument":{"publishDiagnostics":{"versionSupport":true}}}`))
	const text = "FROM alpine\nMAINTAINER me\n"
	env.Open(uri, text)
	env.Diagnostics(uri)
	rng := env.LineRange(uri, "MAINTAINER")
	d := protocol.Diagnostic{
		Range: rng, Code: "MaintainerDeprecated", Source: "layerlens", Message: "deprecated",
		Data: map[string]any{"rule": "MaintainerDeprecated", "version": 1, "fixes": []any{
			map[string]any{"title": "Use a LABEL", "edits": []any{map[string]any{"range": rng, "newText": `LABEL org.opencontainers.image.authors="me"`}}},
		}},
	}
	actions := env.CodeActions(uri, rng, []protocol.Diagnostic{d})
	if len(actions) != 2 || actions[0].Title != "Use a LABEL" || !actions[0].IsPreferred {
		t.Fatalf("actions = %+v, want the fix (preferred) then the ignore action", actions)
	}
	// This client has no documentChanges support: plain changes.
	if actions[0].Edit == nil || len(actions[0].Edit.Changes) != 1 {
		t.Fatalf("edit = %+v, want changes", actions[0].Edit)
	}
	got, _ := lsptest.ApplyEdit(text, uri, actions[0].Edit)
	if want := "FROM alpine\nLABEL org.opencontainers.image.authors=\"me\"\n"; got != want {
		t.Errorf("after the fix: %q, want %q", got, want)
	}
	// Parse errors get no ignore action (they cannot be suppressed).
	d.Data = map[string]any{"rule": "UnknownInstruction", "version": 1, "parse": true}
	if a := env.CodeActions(uri, rng, []protocol.Diagnostic{d}); len(a) != 0 {
		t.Errorf("actions for a parse error = %+v, want none", a)
	}
}

func TestSettings(t *testing.T) {
	const text = "FROM alpine\nFOO bar\n"
	t.Run("null configuration keeps defaults", func(t *testing.T) {
		env := lsptest.New(t) // answers workspace/configuration with [null], as Neovim does
		env.Open(uri, text)
		if find(env.Diagnostics(uri), "UnknownInstruction") == nil {
			t.Errorf("with null settings the parse error disappeared")
		}
		if env.ConfigurationRequests() == 0 {
			t.Errorf("server never asked for workspace/configuration")
		}
	})
	t.Run("rule off", func(t *testing.T) {
		env := lsptest.New(t, lsptest.WithSettings(map[string]any{"rules": map[string]string{"UnknownInstruction": "off"}}))
		env.Open(uri, text)
		if d := find(env.Diagnostics(uri), "UnknownInstruction"); d != nil {
			t.Errorf("diagnostic %+v, want none with the rule off", d)
		}
	})
	t.Run("initializationOptions and pushed configuration", func(t *testing.T) {
		env := lsptest.New(t,
			lsptest.WithCapabilities(`{}`),
			lsptest.WithInitializationOptions(map[string]any{"rules": map[string]string{"UnknownInstruction": "hint"}}))
		env.Open(uri, text)
		d := find(env.Diagnostics(uri), "UnknownInstruction")
		if d == nil || d.Severity != protocol.DiagnosticSeverityHint {
			t.Fatalf("diagnostic = %+v, want severity hint", d)
		}
		// didChangeConfiguration with pushed settings re-diagnoses open documents.
		n := env.PublishCount(uri)
		env.Notify(protocol.MethodWorkspaceDidChangeConfiguration, map[string]any{
			"settings": map[string]any{"layerlens": map[string]any{"rules": map[string]string{"UnknownInstruction": "warning"}}},
		})
		p := env.WaitPublished(uri, n+1)
		d = find(p.Diagnostics, "UnknownInstruction")
		if d == nil || d.Severity != protocol.DiagnosticSeverityWarning {
			t.Errorf("after didChangeConfiguration: %+v, want severity warning", d)
		}
	})
	t.Run("didChangeConfiguration re-fetches", func(t *testing.T) {
		env := lsptest.New(t, lsptest.WithSettings(map[string]any{"rules": map[string]string{"UnknownInstruction": "hint"}}))
		env.Open(uri, text)
		if d := find(env.Diagnostics(uri), "UnknownInstruction"); d == nil || d.Severity != protocol.DiagnosticSeverityHint {
			t.Fatalf("diagnostic = %+v, want severity hint", d)
		}
		asked := env.ConfigurationRequests()
		env.SetSettings(map[string]any{"rules": map[string]string{"UnknownInstruction": "off"}})
		n := env.PublishCount(uri)
		env.Notify(protocol.MethodWorkspaceDidChangeConfiguration, map[string]any{"settings": nil})
		p := env.WaitPublished(uri, n+1)
		if d := find(p.Diagnostics, "UnknownInstruction"); d != nil {
			t.Errorf("after the re-fetch: %+v, want the rule off", d)
		}
		if env.ConfigurationRequests() != asked+1 {
			t.Errorf("workspace/configuration requests = %d, want %d", env.ConfigurationRequests(), asked+1)
		}
	})
	t.Run("invalid settings are reported", func(t *testing.T) {
		env := lsptest.New(t, lsptest.WithSettings(map[string]any{"rules": map[string]string{"UnknownInstruction": "loud"}}))
		env.Open(uri, text)
		if find(env.Diagnostics(uri), "UnknownInstruction") == nil {
			t.Errorf("an invalid severity disabled the rule")
		}
		env.WaitNotification(protocol.MethodWindowLogMessage, func(raw json.RawMessage) bool {
			return strings.Contains(string(raw), "loud")
		})
		env.WaitNotification(protocol.MethodWindowShowMessage, func(raw json.RawMessage) bool {
			return strings.Contains(string(raw), "loud")
		})
	})
	t.Run("invalid initializationOptions are shown once initialized", func(t *testing.T) {
		env := lsptest.New(t, lsptest.WithCapabilities(`{}`),
			lsptest.WithInitializationOptions(map[string]any{"trace": "shouting", "rules": map[string]string{"UnknownInstruction": "hint"}}))
		env.WaitNotification(protocol.MethodWindowShowMessage, func(raw json.RawMessage) bool {
			return strings.Contains(string(raw), "shouting")
		})
		env.Open(uri, text)
		if d := find(env.Diagnostics(uri), "UnknownInstruction"); d == nil || d.Severity != protocol.DiagnosticSeverityHint {
			t.Errorf("the valid part of the settings did not apply: %+v", d)
		}
	})
}

func TestRuleDiagnosticsAndQuickFix(t *testing.T) {
	env := lsptest.New(t)
	const text = "FROM alpine:3.20\nMAINTAINER someone@example.com\nCMD [\"sh\"]\n"
	env.Open(uri, text)
	diags := env.Diagnostics(uri)
	d := find(diags, "MaintainerDeprecated")
	if d == nil {
		t.Fatalf("diagnostics = %+v, want MaintainerDeprecated", diags)
	}
	if d.CodeDescription == nil || d.CodeDescription.Href == "" {
		t.Errorf("MaintainerDeprecated has no codeDescription: %+v", d)
	}
	actions := env.CodeActions(uri, d.Range, []protocol.Diagnostic{*d})
	var fix, ignore *protocol.CodeAction
	for i := range actions {
		switch {
		case strings.HasPrefix(actions[i].Title, "Ignore MaintainerDeprecated"):
			ignore = &actions[i]
		case actions[i].Edit != nil && fix == nil:
			fix = &actions[i]
		}
	}
	if fix == nil || ignore == nil {
		t.Fatalf("actions = %+v, want a quick fix and an ignore action", actions)
	}
	got, err := lsptest.ApplyEdit(text, uri, fix.Edit)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(got, "MAINTAINER") || !strings.Contains(got, "LABEL") {
		t.Errorf("after %q: %q, want MAINTAINER replaced by a LABEL", fix.Title, got)
	}
	// Applying the fix makes the finding go away.
	env.Change(uri, got)
	if d := find(env.Diagnostics(uri), "MaintainerDeprecated"); d != nil {
		t.Errorf("after the fix: %+v still reported", d)
	}
	// The ignore comment suppresses it too.
	ignored, _ := lsptest.ApplyEdit(text, uri, ignore.Edit)
	env.Change(uri, ignored)
	if d := find(env.Diagnostics(uri), "MaintainerDeprecated"); d != nil {
		t.Errorf("with %q: still reported", ignored)
	}
}

func TestProjectConfigAndWatchedFiles(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, ".layerlens.yaml")
	if err := os.WriteFile(cfg, []byte("rules:\n  MaintainerDeprecated: off\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	u := "file://" + filepath.ToSlash(filepath.Join(dir, "Dockerfile"))
	env := lsptest.New(t)
	env.Open(u, "FROM alpine:3.20\nMAINTAINER me\n")
	if d := find(env.Diagnostics(u), "MaintainerDeprecated"); d != nil {
		t.Fatalf("MaintainerDeprecated reported although .layerlens.yaml turns it off: %+v", d)
	}
	if err := os.WriteFile(cfg, []byte("rules: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	n := env.PublishCount(u)
	env.Notify(protocol.MethodWorkspaceDidChangeWatchedFiles, map[string]any{
		"changes": []any{map[string]any{"uri": "file://" + filepath.ToSlash(cfg), "type": 2}},
	})
	if d := find(env.WaitPublished(u, n+1).Diagnostics, "MaintainerDeprecated"); d == nil {
		t.Errorf("after the configuration changed: no MaintainerDeprecated")
	}
}
