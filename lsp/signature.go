package lsp

import (
	"context"
	"encoding/json"

	"go.lsp.dev/protocol"

	"github.com/layerlens/layerlens/analysis"
)

// Signature help for instructions (their forms, the flag or argument being typed highlighted)
// and for --mount/--device values (the options of the mount type typed so far).

var signatureTriggers = []string{" ", "=", ","}

// The library's ParameterInformation.Label is a string only; LSP also allows [start, end)
// offsets, which are unambiguous when a parameter's text appears twice in a label.
type signatureHelpResult struct {
	Signatures      []signatureInformation `json:"signatures"`
	ActiveSignature uint32                 `json:"activeSignature"`
	ActiveParameter uint32                 `json:"activeParameter"`
}

type signatureInformation struct {
	Label         string                  `json:"label"`
	Documentation *protocol.MarkupContent `json:"documentation,omitempty"`
	Parameters    []parameterInformation  `json:"parameters"`
}

type parameterInformation struct {
	Label         [2]uint32 `json:"label"`
	Documentation string    `json:"documentation,omitempty"`
}

func (s *server) signatureHelp(ctx context.Context, params json.RawMessage) (any, error) {
	var p protocol.SignatureHelpParams
	if err := decodeParams(params, &p); err != nil {
		return nil, err
	}
	snap, err := s.snapshot(p.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	h := analysis.SignatureAt(snap.File(), snap.Mapper.Pos(p.Position))
	if h == nil || len(h.Signatures) == 0 {
		return nil, nil
	}
	out := &signatureHelpResult{
		Signatures:      make([]signatureInformation, 0, len(h.Signatures)),
		ActiveSignature: uint32(h.Active),
	}
	for _, sig := range h.Signatures {
		si := signatureInformation{
			Label:      sig.Label,
			Parameters: make([]parameterInformation, 0, len(sig.Params)),
		}
		if sig.Doc != "" {
			si.Documentation = &protocol.MarkupContent{Kind: protocol.Markdown, Value: sig.Doc}
		}
		for _, prm := range sig.Params {
			// Labels as [start, end] offsets in UTF-16 units of the signature label.
			pi := parameterInformation{Label: [2]uint32{uint32(utf16Len(sig.Label[:prm.Start])), uint32(utf16Len(sig.Label[:prm.End]))}}
			if prm.Doc != "" {
				pi.Documentation = prm.Doc
			}
			si.Parameters = append(si.Parameters, pi)
		}
		out.Signatures = append(out.Signatures, si)
	}
	if h.ActiveParam >= 0 {
		out.ActiveParameter = uint32(h.ActiveParam)
	} else {
		// Outside the parameter list: point past the last one so no parameter is highlighted.
		out.ActiveParameter = uint32(len(h.Signatures[h.Active].Params))
	}
	return out, nil
}
