package lsp

import (
	"context"
	"encoding/json"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/layerlens/layerlens/analysis"
)

// Document links: image references open their registry's page, URLs in ADD and RUN open
// themselves (analysis.Links).

func (s *server) documentLink(ctx context.Context, params json.RawMessage) (any, error) {
	var p protocol.DocumentLinkParams
	if err := decodeParams(params, &p); err != nil {
		return nil, err
	}
	snap, err := s.snapshot(p.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	links := analysis.Links(snap.File())
	out := make([]protocol.DocumentLink, 0, len(links))
	for _, l := range links {
		out = append(out, protocol.DocumentLink{
			Range:   snap.Mapper.Range(l.Range),
			Target:  uri.URI(l.Target),
			Tooltip: l.Tooltip,
		})
	}
	return out, nil
}
