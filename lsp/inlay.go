package lsp

import (
	"context"
	"encoding/json"
	"strings"

	"go.lsp.dev/protocol"

	"github.com/layerlens/layerlens/analysis"
	"github.com/layerlens/layerlens/baseimage"
)

// textDocument/inlayHint (LSP 3.17; go.lsp.dev/protocol v0.12.0 has no types for it): after
// each FROM image, a short digest, the image's age and its size, e.g.
// "@sha256:1a2b3c4 · 21 days · 7.8 MB".

// methodInlayHint is the LSP 3.17 method name.
const methodInlayHint = "textDocument/inlayHint"

type inlayHintParams struct {
	TextDocument protocol.TextDocumentIdentifier `json:"textDocument"`
	Range        protocol.Range                  `json:"range"`
}

// inlayHint is LSP 3.17's InlayHint (the fields the server uses).
type inlayHint struct {
	Position     protocol.Position `json:"position"`
	Label        string            `json:"label"`
	Tooltip      string            `json:"tooltip,omitempty"`
	PaddingLeft  bool              `json:"paddingLeft,omitempty"`
	PaddingRight bool              `json:"paddingRight,omitempty"`
}

func (s *server) inlayHint(ctx context.Context, params json.RawMessage) (any, error) {
	var p inlayHintParams
	if err := decodeParams(params, &p); err != nil {
		return nil, err
	}
	snap, err := s.snapshot(p.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	out := []inlayHint{}
	for _, si := range s.stageImages(snap.File(), s.currentSettings()) {
		rng := snap.Mapper.Range(si.stage.BaseRange)
		if !rangesTouch(rng, p.Range) || si.err != nil {
			continue
		}
		label, tip := inlayLabel(si)
		if label == "" {
			continue
		}
		out = append(out, inlayHint{Position: rng.End, Label: label, Tooltip: tip, PaddingLeft: true})
	}
	return out, nil
}

// inlayLabel is the hint of one FROM image and its tooltip.
func inlayLabel(si stageImage) (label, tooltip string) {
	st := si.status
	switch st.State {
	case baseimage.StatePending:
		return "reviewing…", "layerlens is reviewing " + si.key.ref
	case baseimage.StateFailed:
		return "not reviewed", failureReason(st.Err)
	case baseimage.StateConfigKnown, baseimage.StateDone:
	default:
		return "", ""
	}
	rep := st.Report
	if rep == nil {
		return "", ""
	}
	var parts []string
	if !strings.Contains(si.key.ref, "@") && strings.HasPrefix(rep.Digest, "sha256:") && len(rep.Digest) >= 14 {
		parts = append(parts, "@"+rep.Digest[:14])
	}
	if rep.Created != "" {
		parts = append(parts, imageAge(rep.Created))
	}
	parts = append(parts, humanBytes(rep.Size))
	if st.State == baseimage.StateDone && rep.Counts()[analysis.SeverityError] > 0 {
		parts = append(parts, "⚠") // errors in the review: the hover says which
	}
	return strings.Join(parts, " · "), rep.Digest
}
