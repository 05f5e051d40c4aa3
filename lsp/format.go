package lsp

import (
	"context"
	"encoding/json"

	"go.lsp.dev/protocol"

	"github.com/layerlens/layerlens/analysis"
)

// Formatting: document, range and on-type (newline). The logic is analysis.Format; the
// preferences come from the "format" settings ({"indent": "preserve"|"normalize",
// "continuationIndent": 4}).

func (s *server) formatOptions() analysis.FormatOptions {
	st := s.currentSettings().Format
	return analysis.FormatOptions{Indent: st.Indent, ContinuationIndent: st.ContinuationIndent}
}

// textEdits converts analysis edits, never returning nil (LSP wants [] for "no change").
func textEdits(snap *snapshot, edits []analysis.TextEdit) []protocol.TextEdit {
	out := make([]protocol.TextEdit, 0, len(edits))
	for _, e := range edits {
		out = append(out, protocol.TextEdit{Range: snap.Mapper.Range(e.Range), NewText: e.NewText})
	}
	return out
}

func (s *server) formatting(ctx context.Context, params json.RawMessage) (any, error) {
	var p protocol.DocumentFormattingParams
	if err := decodeParams(params, &p); err != nil {
		return nil, err
	}
	snap, err := s.snapshot(p.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	return textEdits(snap, analysis.Format(snap.File(), s.formatOptions(), nil)), nil
}

func (s *server) rangeFormatting(ctx context.Context, params json.RawMessage) (any, error) {
	var p protocol.DocumentRangeFormattingParams
	if err := decodeParams(params, &p); err != nil {
		return nil, err
	}
	snap, err := s.snapshot(p.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	r := snap.Mapper.AnalysisRange(p.Range)
	return textEdits(snap, analysis.Format(snap.File(), s.formatOptions(), &r)), nil
}

func (s *server) onTypeFormatting(ctx context.Context, params json.RawMessage) (any, error) {
	var p protocol.DocumentOnTypeFormattingParams
	if err := decodeParams(params, &p); err != nil {
		return nil, err
	}
	snap, err := s.snapshot(p.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	pos := snap.Mapper.Pos(p.Position)
	return textEdits(snap, analysis.FormatOnType(snap.File(), s.formatOptions(), pos, p.Ch)), nil
}
