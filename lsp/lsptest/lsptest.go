// Package lsptest is a fake editor for testing the layerlens language server in-process.
//
// [New] starts lsp.Serve on one end of a net.Pipe and connects a JSON-RPC client to the other
// end, then runs initialize and initialized; the test's Cleanup sends shutdown and exit and
// checks that Serve returned cleanly. The returned [Env] speaks LSP the way an editor does:
//
//	env := lsptest.New(t)
//	env.Open("file:///w/Dockerfile", "FROM alpine\nFOO bar\n")
//	diags := env.Diagnostics("file:///w/Dockerfile") // waits for version 1's diagnostics
//	h := env.Hover("file:///w/Dockerfile", env.At("file:///w/Dockerfile", "alpine"))
//
// Synchronisation never sleeps: [Env.Diagnostics] waits for the publishDiagnostics whose
// version equals the last version the Env sent for that document (the server publishes every
// new version, even when the set is unchanged), and fails the test after a timeout. Requests
// are answered in order after every earlier notification was handled, so a request sent after
// Open or Change sees that text.
//
// Positions are never hard-coded: [Env.At], [Env.After], [Env.RangeOf] and [Env.Match] (and the
// package functions [At], [RangeOf], [Match] on plain text) locate a marker string or regexp in
// the document and return LSP positions (UTF-16 columns).
//
// The server's requests to the client are answered like an editor would: workspace/configuration
// with the settings given by [WithSettings] (JSON null when none, as Neovim does),
// window/workDoneProgress/create and client/(un)registerCapability with null. Every
// notification the server sends is recorded ([Env.Notifications], [Env.LogMessages]).
package lsptest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/layerlens/layerlens/lsp"
)

// DefaultTimeout bounds every wait of an Env unless WithTimeout says otherwise.
const DefaultTimeout = 20 * time.Second

type config struct {
	serverOpts   lsp.Options
	settings     any
	hasSettings  bool
	initOptions  any
	capabilities json.RawMessage
	timeout      time.Duration
}

// Option configures New.
type Option func(*config)

// WithServerOptions sets the lsp.Options passed to Serve (the Logger is replaced by the Env's
// own unless set).
func WithServerOptions(o lsp.Options) Option { return func(c *config) { c.serverOpts = o } }

// WithSettings makes the client answer workspace/configuration with v (marshalled to JSON).
func WithSettings(v any) Option {
	return func(c *config) { c.settings, c.hasSettings = v, true }
}

// WithInitializationOptions sets initializationOptions in the initialize request.
func WithInitializationOptions(v any) Option { return func(c *config) { c.initOptions = v } }

// WithCapabilities replaces the client capabilities sent in initialize (raw JSON).
func WithCapabilities(raw string) Option {
	return func(c *config) { c.capabilities = json.RawMessage(raw) }
}

// WithTimeout sets how long waits may take before the test fails.
func WithTimeout(d time.Duration) Option { return func(c *config) { c.timeout = d } }

// DefaultCapabilities are the client capabilities an Env announces: those of a modern editor
// (versioned diagnostics, workspace/configuration, documentChanges, code action literals,
// hierarchical symbols, markdown hover).
const DefaultCapabilities = `{
  "workspace": {"configuration": true, "didChangeConfiguration": {"dynamicRegistration": false},
                "workspaceEdit": {"documentChanges": true}},
  "textDocument": {
    "synchronization": {"didSave": true},
    "publishDiagnostics": {"versionSupport": true, "relatedInformation": true, "tagSupport": {"valueSet": [1, 2]}, "codeDescriptionSupport": true, "dataSupport": true},
    "hover": {"contentFormat": ["markdown", "plaintext"]},
    "codeAction": {"codeActionLiteralSupport": {"codeActionKind": {"valueSet": ["quickfix"]}}, "dataSupport": true},
    "documentSymbol": {"hierarchicalDocumentSymbolSupport": true},
    "foldingRange": {"lineFoldingOnly": true}
  },
  "window": {"workDoneProgress": true}
}`

// Notification is one notification received from the server.
type Notification struct {
	Method string
	Params json.RawMessage
}

// Env is a connected fake editor. Its methods fail the test on protocol errors; use Call for
// requests whose errors the test wants to see.
type Env struct {
	t       testing.TB
	ctx     context.Context
	cfg     config
	conn    jsonrpc2.Conn
	serveCh chan error
	logs    *syncBuffer

	// InitializeResult is the server's raw answer to initialize.
	InitializeResult json.RawMessage

	mu            sync.Mutex
	changed       chan struct{} // closed and replaced whenever a notification arrives
	notifications []Notification
	diags         map[string]protocol.PublishDiagnosticsParams // latest per URI
	diagVersions  map[string][]uint32                          // every published version per URI
	texts         map[string]string                            // client-side copy of open documents
	versions      map[string]int32                             // last version sent per URI
	configReqs    int
}

// New starts a server and returns a connected, initialized Env. Shutdown and exit run in
// t.Cleanup, which also checks that Serve returned nil.
func New(t testing.TB, opts ...Option) *Env {
	t.Helper()
	cfg := config{timeout: DefaultTimeout, capabilities: json.RawMessage(DefaultCapabilities)}
	for _, o := range opts {
		o(&cfg)
	}
	logs := &syncBuffer{}
	if cfg.serverOpts.Logger == nil {
		cfg.serverOpts.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	if cfg.serverOpts.Version == "" {
		cfg.serverOpts.Version = "test"
	}
	ctx, cancel := context.WithCancel(context.Background())
	serverSide, clientSide := net.Pipe()
	e := &Env{
		t: t, ctx: ctx, cfg: cfg, logs: logs,
		serveCh:      make(chan error, 1),
		changed:      make(chan struct{}),
		diags:        map[string]protocol.PublishDiagnosticsParams{},
		diagVersions: map[string][]uint32{},
		texts:        map[string]string{},
		versions:     map[string]int32{},
	}
	go func() { e.serveCh <- lsp.Serve(ctx, serverSide, cfg.serverOpts) }()
	e.conn = jsonrpc2.NewConn(jsonrpc2.NewStream(clientSide))
	e.conn.Go(ctx, e.handle)

	t.Cleanup(func() {
		defer cancel()
		e.shutdown()
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})

	params := map[string]any{
		"processId":    nil,
		"rootUri":      nil,
		"capabilities": cfg.capabilities,
		"clientInfo":   map[string]string{"name": "lsptest", "version": "1"},
	}
	if cfg.initOptions != nil {
		params["initializationOptions"] = cfg.initOptions
	}
	var res json.RawMessage
	if err := e.Call(protocol.MethodInitialize, params, &res); err != nil {
		t.Fatalf("initialize: %v", err)
	}
	e.InitializeResult = res
	e.Notify(protocol.MethodInitialized, map[string]any{})
	return e
}

// shutdown sends shutdown and exit and waits for Serve to return.
func (e *Env) shutdown() {
	select {
	case err := <-e.serveCh: // the test already ended the server
		e.serveCh <- err
		return
	default:
	}
	ctx, cancel := context.WithTimeout(e.ctx, e.cfg.timeout)
	defer cancel()
	if _, err := e.conn.Call(ctx, protocol.MethodShutdown, nil, nil); err != nil {
		e.t.Errorf("shutdown: %v", err)
	}
	if err := e.conn.Notify(ctx, protocol.MethodExit, nil); err != nil {
		e.t.Errorf("exit: %v", err)
	}
	select {
	case err := <-e.serveCh:
		if err != nil {
			e.t.Errorf("Serve returned %v after shutdown+exit, want nil", err)
		}
		e.serveCh <- err
	case <-ctx.Done():
		e.t.Errorf("Serve did not return after exit")
	}
	e.conn.Close()
}

// ServeErr waits for Serve to return (after the test sent exit itself) and returns its error.
func (e *Env) ServeErr() error {
	e.t.Helper()
	select {
	case err := <-e.serveCh:
		e.serveCh <- err
		return err
	case <-time.After(e.cfg.timeout):
		e.t.Fatalf("Serve did not return within %v", e.cfg.timeout)
		return nil
	}
}

// Logs returns the server log written so far.
func (e *Env) Logs() string { return e.logs.String() }

// handle answers the server's requests and records its notifications. It never returns an
// error: jsonrpc2 v0.10.0's connection records a handler error with an atomic.Value and
// panics when a later failure has a different type (conn.fail), so a failed reply (the
// server already gone) is dropped instead.
func (e *Env) handle(ctx context.Context, reply jsonrpc2.Replier, req jsonrpc2.Request) error {
	_ = e.dispatch(ctx, reply, req)
	return nil
}

func (e *Env) dispatch(ctx context.Context, reply jsonrpc2.Replier, req jsonrpc2.Request) error {
	if _, isCall := req.(*jsonrpc2.Call); isCall {
		switch req.Method() {
		case protocol.MethodWorkspaceConfiguration:
			var p protocol.ConfigurationParams
			_ = json.Unmarshal(req.Params(), &p)
			e.mu.Lock()
			e.configReqs++
			e.mu.Unlock()
			out := make([]any, len(p.Items))
			e.mu.Lock()
			for i := range out {
				if e.cfg.hasSettings {
					out[i] = e.cfg.settings
				}
			}
			e.mu.Unlock()
			return reply(ctx, out, nil)
		case protocol.MethodWorkDoneProgressCreate, protocol.MethodClientRegisterCapability,
			protocol.MethodClientUnregisterCapability:
			return reply(ctx, nil, nil)
		}
		return reply(ctx, nil, jsonrpc2.Errorf(jsonrpc2.MethodNotFound, "lsptest: %s not supported", req.Method()))
	}
	n := Notification{Method: req.Method(), Params: append(json.RawMessage(nil), req.Params()...)}
	e.mu.Lock()
	e.notifications = append(e.notifications, n)
	if n.Method == protocol.MethodTextDocumentPublishDiagnostics {
		var p protocol.PublishDiagnosticsParams
		if err := json.Unmarshal(n.Params, &p); err == nil {
			e.diags[string(p.URI)] = p
			e.diagVersions[string(p.URI)] = append(e.diagVersions[string(p.URI)], p.Version)
		}
	}
	close(e.changed)
	e.changed = make(chan struct{})
	e.mu.Unlock()
	return reply(ctx, nil, nil)
}

// SetSettings changes what the client answers to workspace/configuration from now on (nil
// means JSON null). It sends nothing: follow it with a workspace/didChangeConfiguration
// notification, as an editor does.
func (e *Env) SetSettings(v any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.cfg.settings, e.cfg.hasSettings = v, v != nil
}

// Call sends a request and decodes its result into result (which may be nil).
func (e *Env) Call(method string, params, result any) error {
	ctx, cancel := context.WithTimeout(e.ctx, e.cfg.timeout)
	defer cancel()
	_, err := e.conn.Call(ctx, method, params, result)
	return err
}

// Notify sends a notification, failing the test if it cannot be written.
func (e *Env) Notify(method string, params any) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(e.ctx, e.cfg.timeout)
	defer cancel()
	if err := e.conn.Notify(ctx, method, params); err != nil {
		e.t.Fatalf("notify %s: %v", method, err)
	}
}

// Open sends didOpen for uri with version 1.
func (e *Env) Open(uri, text string) {
	e.t.Helper()
	e.mu.Lock()
	e.texts[uri] = text
	e.versions[uri] = 1
	e.mu.Unlock()
	e.Notify(protocol.MethodTextDocumentDidOpen, map[string]any{
		"textDocument": map[string]any{"uri": uri, "languageId": "dockerfile", "version": 1, "text": text},
	})
}

// Change replaces the whole text (a change event without a range) and bumps the version.
func (e *Env) Change(uri, text string) {
	e.t.Helper()
	v := e.bump(uri, func(string) string { return text })
	e.Notify(protocol.MethodTextDocumentDidChange, map[string]any{
		"textDocument":   map[string]any{"uri": uri, "version": v},
		"contentChanges": []any{map[string]any{"text": text}},
	})
}

// ChangeRange replaces rng (UTF-16 positions) with text, as an incremental change, and bumps
// the version.
func (e *Env) ChangeRange(uri string, rng protocol.Range, text string) {
	e.t.Helper()
	v := e.bump(uri, func(old string) string {
		m := lsp.NewMapper(old)
		return old[:m.Offset(rng.Start)] + text + old[m.Offset(rng.End):]
	})
	e.Notify(protocol.MethodTextDocumentDidChange, map[string]any{
		"textDocument":   map[string]any{"uri": uri, "version": v},
		"contentChanges": []any{map[string]any{"range": rng, "text": text}},
	})
}

func (e *Env) bump(uri string, edit func(string) string) int32 {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.versions[uri]; !ok {
		e.t.Fatalf("lsptest: change of %s, which is not open", uri)
	}
	e.texts[uri] = edit(e.texts[uri])
	e.versions[uri]++
	return e.versions[uri]
}

// Close sends didClose.
func (e *Env) Close(uri string) {
	e.t.Helper()
	e.mu.Lock()
	delete(e.texts, uri)
	delete(e.versions, uri)
	e.mu.Unlock()
	e.Notify(protocol.MethodTextDocumentDidClose, map[string]any{"textDocument": map[string]any{"uri": uri}})
}

// Text returns the client's copy of an open document.
func (e *Env) Text(uri string) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.texts[uri]
}

// Version returns the last version sent for uri.
func (e *Env) Version(uri string) int32 {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.versions[uri]
}

// Diagnostics waits for the diagnostics of the last version sent for uri and returns them.
func (e *Env) Diagnostics(uri string) []protocol.Diagnostic {
	e.t.Helper()
	e.mu.Lock()
	want := uint32(e.versions[uri])
	e.mu.Unlock()
	return e.DiagnosticsParams(uri, want).Diagnostics
}

// DiagnosticsParams waits until a publishDiagnostics for uri with the given version arrived and
// returns the latest one.
func (e *Env) DiagnosticsParams(uri string, version uint32) protocol.PublishDiagnosticsParams {
	e.t.Helper()
	var out protocol.PublishDiagnosticsParams
	e.WaitFor(fmt.Sprintf("diagnostics of %s version %d", uri, version), func() bool {
		p, ok := e.diags[uri]
		if ok && p.Version == version {
			out = p
			return true
		}
		return false
	})
	return out
}

// PublishedVersions returns every version for which diagnostics of uri were published, in order.
func (e *Env) PublishedVersions(uri string) []uint32 {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]uint32(nil), e.diagVersions[uri]...)
}

// PublishCount returns how many publishDiagnostics for uri have arrived so far.
func (e *Env) PublishCount(uri string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.diagVersions[uri])
}

// WaitPublished waits until at least count publishDiagnostics for uri have arrived and returns
// the latest. Use it with PublishCount to wait for a re-publication of the same version
// (after a settings change): n := env.PublishCount(u); ...; env.WaitPublished(u, n+1).
func (e *Env) WaitPublished(uri string, count int) protocol.PublishDiagnosticsParams {
	e.t.Helper()
	var out protocol.PublishDiagnosticsParams
	e.WaitFor(fmt.Sprintf("%d publications of diagnostics for %s", count, uri), func() bool {
		if len(e.diagVersions[uri]) >= count {
			out = e.diags[uri]
			return true
		}
		return false
	})
	return out
}

// WaitFor waits until cond (called with the Env's lock held; it may read recorded state only
// through its closure) returns true after some notification, or fails the test.
func (e *Env) WaitFor(what string, cond func() bool) {
	e.t.Helper()
	deadline := time.NewTimer(e.cfg.timeout)
	defer deadline.Stop()
	for {
		e.mu.Lock()
		ok := cond()
		ch := e.changed
		e.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-ch:
		case <-deadline.C:
			e.t.Fatalf("lsptest: timed out after %v waiting for %s", e.cfg.timeout, what)
		}
	}
}

// WaitNotification waits until a notification of method satisfying match (nil matches any)
// has been received (possibly before the call) and returns the first such one.
func (e *Env) WaitNotification(method string, match func(json.RawMessage) bool) Notification {
	e.t.Helper()
	var out Notification
	e.WaitFor("notification "+method, func() bool {
		for _, n := range e.notifications {
			if n.Method == method && (match == nil || match(n.Params)) {
				out = n
				return true
			}
		}
		return false
	})
	return out
}

// Notifications returns the notifications received so far with the given method ("" for all).
func (e *Env) Notifications(method string) []Notification {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []Notification
	for _, n := range e.notifications {
		if method == "" || n.Method == method {
			out = append(out, n)
		}
	}
	return out
}

// LogMessages returns the window/logMessage notifications received so far.
func (e *Env) LogMessages() []protocol.LogMessageParams {
	var out []protocol.LogMessageParams
	for _, n := range e.Notifications(protocol.MethodWindowLogMessage) {
		var p protocol.LogMessageParams
		if json.Unmarshal(n.Params, &p) == nil {
			out = append(out, p)
		}
	}
	return out
}

// ConfigurationRequests returns how many workspace/configuration requests the server sent.
func (e *Env) ConfigurationRequests() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.configReqs
}

// Hover requests hover at pos; nil means the server had nothing to show.
func (e *Env) Hover(uri string, pos protocol.Position) *protocol.Hover {
	e.t.Helper()
	var raw json.RawMessage
	if err := e.Call(protocol.MethodTextDocumentHover, textDocPos(uri, pos), &raw); err != nil {
		e.t.Fatalf("hover: %v", err)
	}
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var h protocol.Hover
	if err := json.Unmarshal(raw, &h); err != nil {
		e.t.Fatalf("hover: decoding %s: %v", raw, err)
	}
	return &h
}

// DocumentSymbols requests the document symbols of uri.
func (e *Env) DocumentSymbols(uri string) []protocol.DocumentSymbol {
	e.t.Helper()
	var out []protocol.DocumentSymbol
	if err := e.Call(protocol.MethodTextDocumentDocumentSymbol, textDoc(uri), &out); err != nil {
		e.t.Fatalf("documentSymbol: %v", err)
	}
	return out
}

// FoldingRanges requests the folding ranges of uri.
func (e *Env) FoldingRanges(uri string) []protocol.FoldingRange {
	e.t.Helper()
	var out []protocol.FoldingRange
	if err := e.Call(protocol.MethodTextDocumentFoldingRange, textDoc(uri), &out); err != nil {
		e.t.Fatalf("foldingRange: %v", err)
	}
	return out
}

// CodeActions requests the code actions for rng with the given diagnostics as context.
func (e *Env) CodeActions(uri string, rng protocol.Range, diags []protocol.Diagnostic) []protocol.CodeAction {
	e.t.Helper()
	if diags == nil {
		diags = []protocol.Diagnostic{}
	}
	var out []protocol.CodeAction
	err := e.Call(protocol.MethodTextDocumentCodeAction, map[string]any{
		"textDocument": map[string]any{"uri": uri},
		"range":        rng,
		"context":      map[string]any{"diagnostics": diags},
	}, &out)
	if err != nil {
		e.t.Fatalf("codeAction: %v", err)
	}
	return out
}

// ApplyEdit applies the edits of a WorkspaceEdit for uri to text and returns the result (for
// checking what a code action would do).
func ApplyEdit(text string, uri string, we *protocol.WorkspaceEdit) (string, error) {
	if we == nil {
		return text, errors.New("no edit")
	}
	var edits []protocol.TextEdit
	for _, dc := range we.DocumentChanges {
		if string(dc.TextDocument.URI) == uri {
			edits = append(edits, dc.Edits...)
		}
	}
	for u, es := range we.Changes {
		if string(u) == uri {
			edits = append(edits, es...)
		}
	}
	return ApplyTextEdits(text, edits)
}

// ApplyTextEdits applies non-overlapping LSP text edits (all relative to text) and returns the
// result.
func ApplyTextEdits(text string, edits []protocol.TextEdit) (string, error) {
	m := lsp.NewMapper(text)
	type span struct {
		start, end int
		text       string
	}
	spans := make([]span, 0, len(edits))
	for _, ed := range edits {
		spans = append(spans, span{m.Offset(ed.Range.Start), m.Offset(ed.Range.End), ed.NewText})
	}
	// Apply from the end so offsets stay valid; edits at the same offset keep their order.
	for i := 1; i < len(spans); i++ {
		for j := i; j > 0 && spans[j-1].start < spans[j].start; j-- {
			spans[j-1], spans[j] = spans[j], spans[j-1]
		}
	}
	out := text
	last := len(text) + 1
	for _, s := range spans {
		if s.end > last {
			return "", fmt.Errorf("overlapping edits at offset %d", s.start)
		}
		out = out[:s.start] + s.text + out[s.end:]
		last = s.start
	}
	return out, nil
}

func textDoc(uri string) map[string]any {
	return map[string]any{"textDocument": map[string]any{"uri": uri}}
}

func textDocPos(uri string, pos protocol.Position) map[string]any {
	return map[string]any{"textDocument": map[string]any{"uri": uri}, "position": pos}
}

// At returns the position of the start of the first occurrence of marker in the open document.
// Use "a|b" style markers with AtN/After when the plain string is ambiguous.
func (e *Env) At(uri, marker string) protocol.Position {
	e.t.Helper()
	p, err := At(e.Text(uri), marker)
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

// After returns the position just after the first occurrence of marker.
func (e *Env) After(uri, marker string) protocol.Position {
	e.t.Helper()
	r, err := RangeOf(e.Text(uri), marker)
	if err != nil {
		e.t.Fatal(err)
	}
	return r.End
}

// RangeOf returns the range of the first occurrence of marker.
func (e *Env) RangeOf(uri, marker string) protocol.Range {
	e.t.Helper()
	r, err := RangeOf(e.Text(uri), marker)
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

// Match returns the range of the first match of the regexp re (of its first group, if it has
// one).
func (e *Env) Match(uri, re string) protocol.Range {
	e.t.Helper()
	r, err := Match(e.Text(uri), re)
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

// LineRange returns the range of the whole line (without its terminator) containing the first
// occurrence of marker.
func (e *Env) LineRange(uri, marker string) protocol.Range {
	e.t.Helper()
	text := e.Text(uri)
	i := strings.Index(text, marker)
	if i < 0 {
		e.t.Fatalf("lsptest: marker %q not found", marker)
	}
	m := lsp.NewMapper(text)
	p := m.OffsetPosition(i)
	line := m.LineText(int(p.Line))
	end := m.OffsetPosition(m.Offset(protocol.Position{Line: p.Line}) + len(line))
	return protocol.Range{Start: protocol.Position{Line: p.Line}, End: end}
}

// At returns the LSP position of the first occurrence of marker in text. A marker containing
// "|" is located without the "|" and the position is where the "|" was: At(text, "FROM al|pine").
func At(text, marker string) (protocol.Position, error) {
	before, after, cut := strings.Cut(marker, "|")
	i := strings.Index(text, before+after)
	if i < 0 {
		return protocol.Position{}, fmt.Errorf("lsptest: marker %q not found", before+after)
	}
	if !cut {
		return lsp.NewMapper(text).OffsetPosition(i), nil
	}
	return lsp.NewMapper(text).OffsetPosition(i + len(before)), nil
}

// RangeOf returns the LSP range of the first occurrence of s in text.
func RangeOf(text, s string) (protocol.Range, error) {
	i := strings.Index(text, s)
	if i < 0 {
		return protocol.Range{}, fmt.Errorf("lsptest: marker %q not found", s)
	}
	m := lsp.NewMapper(text)
	return protocol.Range{Start: m.OffsetPosition(i), End: m.OffsetPosition(i + len(s))}, nil
}

// Match returns the LSP range of the first match of re in text (of its first group, if any).
func Match(text, re string) (protocol.Range, error) {
	rx, err := regexp.Compile(re)
	if err != nil {
		return protocol.Range{}, fmt.Errorf("lsptest: %w", err)
	}
	loc := rx.FindStringSubmatchIndex(text)
	if loc == nil {
		return protocol.Range{}, fmt.Errorf("lsptest: no match for %q", re)
	}
	start, end := loc[0], loc[1]
	if len(loc) >= 4 && loc[2] >= 0 {
		start, end = loc[2], loc[3]
	}
	m := lsp.NewMapper(text)
	return protocol.Range{Start: m.OffsetPosition(start), End: m.OffsetPosition(end)}, nil
}

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
