package lsp_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/layerlens/layerlens/analysis"
	"github.com/layerlens/layerlens/baseimage"
	"github.com/layerlens/layerlens/lsp"
	"github.com/layerlens/layerlens/lsp/lsptest"
)

func TestPinEdit(t *testing.T) {
	const d = "sha256:2222222222222222222222222222222222222222222222222222222222222222"
	for _, tc := range []struct {
		text, want string
		ok         bool
	}{
		{"FROM alpine:3.20\n", "FROM alpine:3.20@" + d + "\n", true},
		{"FROM --platform=linux/arm64 alpine:3.20 AS base\n", "FROM --platform=linux/arm64 alpine:3.20@" + d + " AS base\n", true},
		{"from alpine\r\n", "from alpine@" + d + "\r\n", true},
		{"FROM alpine:3.20@sha256:1111111111111111111111111111111111111111111111111111111111111111\n", "FROM alpine:3.20@" + d + "\n", true},
		{"FROM alpine:3.20@" + d + "\n", "", false},
		{"ARG V=3\nFROM alpine:${V}\n", "", false},
	} {
		f := analysis.Parse(tc.text)
		st := f.Stages[len(f.Stages)-1]
		te, ok := lsp.PinEdit(st, d)
		if ok != tc.ok {
			t.Errorf("PinEdit(%q) ok = %v, want %v", tc.text, ok, tc.ok)
			continue
		}
		if !ok {
			continue
		}
		m := lsp.NewMapper(tc.text)
		got, err := lsptest.ApplyTextEdits(tc.text, []protocol.TextEdit{{Range: m.Range(te.Range), NewText: te.NewText}})
		if err != nil || got != tc.want {
			t.Errorf("PinEdit(%q) gives %q (%v), want %q", tc.text, got, err, tc.want)
		}
	}
}

// TestPinAllCommand runs layerlens.pinAll with a client that applies workspace/applyEdit (the
// lsptest harness does not answer that request, so this test speaks JSON-RPC itself).
func TestPinAllCommand(t *testing.T) {
	reg := newImageRegistry(t)
	svc, err := lsp.NewImageService(lsp.ImageServiceOptions{Base: []baseimage.Option{baseimage.WithAnonymous()}})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	serverSide, clientSide := net.Pipe()
	served := make(chan error, 1)
	go func() {
		served <- lsp.Serve(ctx, serverSide, lsp.Options{Images: svc, Version: "test", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	}()
	conn := jsonrpc2.NewConn(jsonrpc2.NewStream(clientSide))
	edits := make(chan protocol.ApplyWorkspaceEditParams, 1)
	conn.Go(ctx, func(ctx context.Context, reply jsonrpc2.Replier, req jsonrpc2.Request) error {
		switch req.Method() {
		case protocol.MethodWorkspaceApplyEdit:
			var p protocol.ApplyWorkspaceEditParams
			if err := json.Unmarshal(req.Params(), &p); err != nil {
				t.Errorf("applyEdit params: %v", err)
			}
			edits <- p
			return reply(ctx, protocol.ApplyWorkspaceEditResponse{Applied: true}, nil)
		case protocol.MethodWindowShowMessage:
			t.Errorf("showMessage: %s", req.Params())
		}
		return reply(ctx, nil, nil) // configuration (null: defaults), progress create, notifications

	})
	call := func(method string, params, result any) {
		t.Helper()
		if _, err := conn.Call(ctx, method, params, result); err != nil {
			t.Fatalf("%s: %v", method, err)
		}
	}
	call(protocol.MethodInitialize, map[string]any{"capabilities": map[string]any{
		"workspace": map[string]any{"workspaceEdit": map[string]any{"documentChanges": true}}}}, nil)
	if err := conn.Notify(ctx, protocol.MethodInitialized, map[string]any{}); err != nil {
		t.Fatal(err)
	}
	uri := "file:///w/Dockerfile"
	text := "FROM " + reg.host + "/demo/clean:1.0 AS a\nFROM " + reg.host + "/demo/trapped:1.0\nFROM a\n"
	if err := conn.Notify(ctx, protocol.MethodTextDocumentDidOpen, map[string]any{"textDocument": map[string]any{
		"uri": uri, "languageId": "dockerfile", "version": 7, "text": text}}); err != nil {
		t.Fatal(err)
	}
	call(protocol.MethodWorkspaceExecuteCommand, map[string]any{"command": "layerlens.pinAll", "arguments": []any{uri}}, nil)
	var p protocol.ApplyWorkspaceEditParams
	select {
	case p = <-edits:
	case <-ctx.Done():
		t.Fatal("no workspace/applyEdit")
	}
	if len(p.Edit.DocumentChanges) != 1 || p.Edit.DocumentChanges[0].TextDocument.Version == nil || *p.Edit.DocumentChanges[0].TextDocument.Version != 7 {
		t.Fatalf("applyEdit = %+v, want one versioned document change for version 7", p.Edit)
	}
	got, err := lsptest.ApplyTextEdits(text, p.Edit.DocumentChanges[0].Edits)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(text, "clean:1.0 AS", "clean:1.0@"+reg.digests["demo/clean:1.0"]+" AS", 1)
	want = strings.Replace(want, "trapped:1.0\n", "trapped:1.0@"+reg.digests["demo/trapped:1.0"]+"\n", 1)
	if got != want {
		t.Errorf("pinAll gives\n%s\nwant\n%s", got, want)
	}
	call(protocol.MethodShutdown, nil, nil)
	if err := conn.Notify(ctx, protocol.MethodExit, nil); err != nil {
		t.Fatal(err)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve = %v", err)
	}
}
