package lsp

import (
	"context"
	"encoding/json"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
)

// document is the store entry of one open document.
type document struct {
	// snap is the latest snapshot; guarded by server.mu.
	snap *snapshot
	// cancel stops the diagnosis of the previous snapshot; guarded by server.mu.
	cancel context.CancelFunc

	// run admits one diagnosis of this document at a time. Rules cannot be interrupted, so
	// rather than letting every keystroke start a full run, a newer run waits for the older
	// (already cancelled) one, and runs cancelled while waiting never start.
	run chan struct{}
	// pub serialises publishing for this document and guards published.
	pub       chan struct{}
	published publishState
}

// publishState remembers the last publishDiagnostics sent for a document.
type publishState struct {
	sent    bool
	version int32
	hash    uint64
}

// stop cancels the running diagnosis; the caller holds server.mu.
func (d *document) stop() {
	if d.cancel != nil {
		d.cancel()
	}
}

// snapshot returns the latest snapshot of the open document uri, or an error (InvalidParams, so
// clients show it as a failed request rather than a server bug) when it is not open.
func (s *server) snapshot(uri protocol.DocumentURI) (*snapshot, error) {
	s.mu.Lock()
	var snap *snapshot
	if d := s.docs[string(uri)]; d != nil {
		snap = d.snap
	}
	s.mu.Unlock()
	if snap == nil {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "document not open: %s", uri)
	}
	return snap, nil
}

func (s *server) didOpen(ctx context.Context, params json.RawMessage) (any, error) {
	var p protocol.DidOpenTextDocumentParams
	if err := decodeParams(params, &p); err != nil {
		return nil, err
	}
	td := p.TextDocument
	// A (re)opened document starts from scratch: its text may have changed on disk since.
	snap := newSnapshot(string(td.URI), td.Version, td.Text, string(td.LanguageID), nil)
	s.mu.Lock()
	d := s.docs[snap.URI]
	if d == nil {
		d = &document{run: make(chan struct{}, 1), pub: make(chan struct{}, 1)}
		s.docs[snap.URI] = d
	}
	d.snap = snap
	s.mu.Unlock()
	s.diagnose(d, snap)
	return nil, nil
}

// changeEvent is protocol.TextDocumentContentChangeEvent with a pointer Range: the library's
// value Range cannot tell "no range" (replace everything) from an edit at 0:0.
type changeEvent struct {
	Range *protocol.Range `json:"range,omitempty"`
	Text  string          `json:"text"`
}

type didChangeParams struct {
	TextDocument   protocol.VersionedTextDocumentIdentifier `json:"textDocument"`
	ContentChanges []changeEvent                            `json:"contentChanges"`
}

func (s *server) didChange(ctx context.Context, params json.RawMessage) (any, error) {
	var p didChangeParams
	if err := decodeParams(params, &p); err != nil {
		return nil, err
	}
	uri := string(p.TextDocument.URI)
	s.mu.Lock()
	d := s.docs[uri]
	var prev *snapshot
	if d != nil {
		prev = d.snap
	}
	s.mu.Unlock()
	if prev == nil {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "didChange for a document that is not open: %s", uri)
	}
	text := applyChanges(prev.Mapper, p.ContentChanges)
	snap := newSnapshot(uri, p.TextDocument.Version, text, prev.LanguageID, prev.shared)
	s.mu.Lock()
	d.snap = snap
	s.mu.Unlock()
	s.diagnose(d, snap)
	return nil, nil
}

// applyChanges applies LSP content changes in order. A change without a range replaces the whole
// text; a ranged change replaces that range, with UTF-16 positions clamped to the text.
func applyChanges(m *Mapper, changes []changeEvent) string {
	text := m.Text()
	for i, c := range changes {
		if c.Range == nil {
			text = c.Text
			m = nil
			continue
		}
		if m == nil || i > 0 {
			m = NewMapper(text)
		}
		start, end := m.Offset(c.Range.Start), m.Offset(c.Range.End)
		if end < start {
			start, end = end, start
		}
		text = text[:start] + c.Text + text[end:]
		m = nil
	}
	return text
}

func (s *server) didClose(ctx context.Context, params json.RawMessage) (any, error) {
	var p protocol.DidCloseTextDocumentParams
	if err := decodeParams(params, &p); err != nil {
		return nil, err
	}
	uri := string(p.TextDocument.URI)
	s.mu.Lock()
	d := s.docs[uri]
	delete(s.docs, uri)
	if d != nil {
		d.stop()
	}
	s.mu.Unlock()
	if d == nil {
		return nil, nil
	}
	// Clear what we published: the client forgets a closed document's text, and stale problems
	// in the Problems view are worse than none.
	d.pub <- struct{}{}
	if d.published.sent {
		s.notify(protocol.MethodTextDocumentPublishDiagnostics, &protocol.PublishDiagnosticsParams{
			URI: p.TextDocument.URI, Diagnostics: []protocol.Diagnostic{},
		})
	}
	d.published = publishState{}
	<-d.pub
	// Cancel the image reviews only this document wanted now, not at the next settle of some
	// other document: settleImages sees the document gone, cancels what no open document uses
	// and submits nothing (it returns at once without an image service). It runs before the
	// next message is handled, so a client that closes a document and goes on knows the
	// reviews are stopped.
	s.settleImages(uri)
	return nil, nil
}

func (s *server) didSave(ctx context.Context, params json.RawMessage) (any, error) {
	// The text is already known from didChange; nothing depends on the file on disk yet.
	return nil, nil
}
