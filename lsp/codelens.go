package lsp

import (
	"context"
	"encoding/json"
	"fmt"

	"go.lsp.dev/protocol"

	"github.com/layerlens/layerlens/baseimage"
)

// textDocument/codeLens: on each reviewed FROM, "N findings · review layers", whose command
// (layerlens.showImageReview) shows the FROM hover's content. Advertised only to clients that
// announce codeLens support.

func (s *server) codeLens(ctx context.Context, params json.RawMessage) (any, error) {
	var p protocol.CodeLensParams
	if err := decodeParams(params, &p); err != nil {
		return nil, err
	}
	snap, err := s.snapshot(p.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	out := []protocol.CodeLens{}
	for _, si := range s.stageImages(snap.File(), s.currentSettings()) {
		if si.err != nil {
			continue
		}
		var title string
		switch si.status.State {
		case baseimage.StateDone, baseimage.StateConfigKnown:
			n := 0
			if si.status.Report != nil {
				n = len(si.status.Report.Findings)
			}
			title = fmt.Sprintf("%d findings · review layers", n)
			if si.status.State == baseimage.StateConfigKnown {
				title = fmt.Sprintf("%d findings so far · reviewing layers", n)
			}
		case baseimage.StateFailed:
			title = "base image not reviewed · why?"
		default:
			continue
		}
		start := snap.Mapper.Position(si.stage.From.Range.Start)
		rng := protocol.Range{Start: start, End: start}
		out = append(out, protocol.CodeLens{Range: rng, Command: &protocol.Command{
			Title: title, Command: cmdShowImageReview, Arguments: []any{snap.URI, start},
		}})
	}
	return out, nil
}
