package lsp

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"go.lsp.dev/protocol"
)

// codeAction answers textDocument/codeAction with quick fixes for the layerlens diagnostics in
// the request context: the fixes carried in each diagnostic's data (computed with the
// diagnostic, so nothing is re-analysed), then "Ignore <Rule> on this line", which inserts a
// `# layerlens ignore=<Rule>` comment before the instruction. Every action carries its edit.
func (s *server) codeAction(ctx context.Context, params json.RawMessage) (any, error) {
	var p protocol.CodeActionParams
	if err := decodeParams(params, &p); err != nil {
		return nil, err
	}
	snap, err := s.snapshot(p.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	docChanges := s.client.Workspace.WorkspaceEdit.DocumentChanges
	s.mu.Unlock()
	// Pinning base images (pin.go): a quick fix per FROM and the "Pin all" source action.
	pins := s.pinActions(snap, &p, docChanges)
	if !kindRequested(p.Context.Only, protocol.QuickFix) {
		return pins, nil
	}

	actions := []protocol.CodeAction{}
	var ignores []protocol.CodeAction
	seenIgnore := map[string]bool{}
	for _, d := range p.Context.Diagnostics {
		if d.Source != diagnosticSource {
			continue
		}
		data, ok := decodeDiagnosticData(d.Data)
		if !ok {
			continue
		}
		for i, fx := range data.Fixes {
			edit, ok := workspaceEdit(snap, data.Version, fx.Edits, docChanges)
			if !ok {
				continue // computed for an older version than the client can apply
			}
			actions = append(actions, protocol.CodeAction{
				Title:       fx.Title,
				Kind:        protocol.QuickFix,
				Diagnostics: []protocol.Diagnostic{d},
				IsPreferred: i == 0,
				Edit:        edit,
			})
		}
		if data.Parse || data.Rule == "" {
			continue
		}
		te, ok := ignoreEdit(snap, d.Range.Start, data.Rule)
		if !ok {
			continue
		}
		key := fmt.Sprintf("%s@%d:%d", data.Rule, te.Range.Start.Line, te.Range.Start.Character)
		if seenIgnore[key] {
			continue
		}
		seenIgnore[key] = true
		edit, _ := workspaceEdit(snap, snap.Version, []protocol.TextEdit{te}, docChanges)
		ignores = append(ignores, protocol.CodeAction{
			Title:       fmt.Sprintf("Ignore %s on this line", data.Rule),
			Kind:        protocol.QuickFix,
			Diagnostics: []protocol.Diagnostic{d},
			Edit:        edit,
		})
	}
	return append(append(actions, pins...), ignores...), nil
}

// kindRequested reports whether actions of kind k may be returned given context.only.
func kindRequested(only []protocol.CodeActionKind, k protocol.CodeActionKind) bool {
	if len(only) == 0 {
		return true
	}
	for _, o := range only {
		if o == k || strings.HasPrefix(string(k), string(o)+".") {
			return true
		}
	}
	return false
}

func decodeDiagnosticData(v any) (diagnosticData, bool) {
	var data diagnosticData
	if v == nil {
		return data, false
	}
	raw, err := json.Marshal(v)
	if err != nil || json.Unmarshal(raw, &data) != nil {
		return data, false
	}
	return data, true
}

// workspaceEdit wraps edits made for document version `version`. With documentChanges the
// client itself refuses a stale version; without, the edit is only offered when version is
// still the current one.
func workspaceEdit(snap *snapshot, version int32, edits []protocol.TextEdit, docChanges bool) (*protocol.WorkspaceEdit, bool) {
	if edits == nil {
		edits = []protocol.TextEdit{}
	}
	uri := protocol.DocumentURI(snap.URI)
	if docChanges {
		v := version
		return &protocol.WorkspaceEdit{DocumentChanges: []protocol.TextDocumentEdit{{
			TextDocument: protocol.OptionalVersionedTextDocumentIdentifier{
				TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: uri},
				Version:                &v,
			},
			Edits: edits,
		}}}, true
	}
	if version != snap.Version {
		return nil, false
	}
	return &protocol.WorkspaceEdit{Changes: map[protocol.DocumentURI][]protocol.TextEdit{uri: edits}}, true
}

// ignoreComment matches an existing layerlens ignore comment line.
var ignoreComment = regexp.MustCompile(`^(\s*)#\s*layerlens\s+ignore=([A-Za-z0-9_,\s]*?)\s*$`)

// ignoreEdit returns the edit that suppresses rule for the instruction at pos: a new
// `# layerlens ignore=Rule` line before the instruction with its indentation, or the rule
// added to an ignore comment already on the line before.
func ignoreEdit(snap *snapshot, pos protocol.Position, rule string) (protocol.TextEdit, bool) {
	m := snap.Mapper
	line := int(pos.Line)
	if ins := instructionAt(snap.File(), m.Pos(pos)); ins != nil {
		line = ins.Range.Start.Line
	}
	if line >= m.LineCount() {
		return protocol.TextEdit{}, false
	}
	if line > 0 {
		prev := m.LineText(line - 1)
		if sm := ignoreComment.FindStringSubmatch(prev); sm != nil {
			names := strings.FieldsFunc(sm[2], func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })
			for _, n := range names {
				if n == rule {
					return protocol.TextEdit{}, false
				}
			}
			names = append(names, rule)
			return protocol.TextEdit{
				Range: protocol.Range{
					Start: protocol.Position{Line: uint32(line - 1)},
					End:   protocol.Position{Line: uint32(line - 1), Character: uint32(utf16Len(prev))},
				},
				NewText: sm[1] + "# layerlens ignore=" + strings.Join(names, ","),
			}, true
		}
	}
	text := m.LineText(line)
	indent := text[:len(text)-len(strings.TrimLeft(text, " \t"))]
	start := protocol.Position{Line: uint32(line)}
	return protocol.TextEdit{
		Range:   protocol.Range{Start: start, End: start},
		NewText: indent + "# layerlens ignore=" + rule + lineEnding(m),
	}, true
}

// lineEnding returns "\r\n" for a document that uses CRLF, else "\n".
func lineEnding(m *Mapper) string {
	if i := strings.IndexByte(m.Text(), '\n'); i > 0 && m.Text()[i-1] == '\r' {
		return "\r\n"
	}
	return "\n"
}
