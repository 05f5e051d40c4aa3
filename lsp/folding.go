package lsp

import (
	"context"
	"encoding/json"
	"sort"

	"go.lsp.dev/protocol"

	"github.com/layerlens/layerlens/analysis"
)

// foldingRange answers textDocument/foldingRange with line ranges for build stages,
// instructions spanning several lines, heredoc bodies and blocks of two or more comment lines.
func (s *server) foldingRange(ctx context.Context, params json.RawMessage) (any, error) {
	var p protocol.FoldingRangeParams
	if err := decodeParams(params, &p); err != nil {
		return nil, err
	}
	snap, err := s.snapshot(p.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	return foldingRanges(snap.File()), nil
}

// foldingRanges computes the folds of f, sorted by start line, without duplicates. The result
// is never nil.
func foldingRanges(f *analysis.File) []protocol.FoldingRange {
	out := []protocol.FoldingRange{}
	seen := map[[2]int]bool{}
	add := func(start, end int, kind protocol.FoldingRangeKind) {
		if end <= start || seen[[2]int{start, end}] {
			return
		}
		seen[[2]int{start, end}] = true
		out = append(out, protocol.FoldingRange{StartLine: uint32(start), EndLine: uint32(end), Kind: kind})
	}
	for _, st := range f.Stages {
		add(st.Range.Start.Line, lastLine(st.Range), protocol.RegionFoldingRange)
	}
	for _, ins := range f.Instructions {
		add(ins.Range.Start.Line, lastLine(ins.Range), "")
		for _, h := range ins.Heredocs {
			end := lastLine(h.BodyRange)
			if !h.EndRange.IsZero() {
				end = h.EndRange.Start.Line
			}
			// Fold from the line before the body: the instruction line for the first heredoc,
			// the previous terminator for the next ones (RUN <<A <<B), so each gets its own fold.
			start := h.NameRange.Start.Line
			if !h.BodyRange.IsZero() && h.BodyRange.Start.Line > start {
				start = h.BodyRange.Start.Line - 1
			}
			add(start, end, "")
		}
	}
	// Comment blocks: runs of comments on consecutive lines.
	for i := 0; i < len(f.Comments); {
		j := i
		for j+1 < len(f.Comments) && f.Comments[j+1].Range.Start.Line == f.Comments[j].Range.Start.Line+1 {
			j++
		}
		if j > i {
			add(f.Comments[i].Range.Start.Line, f.Comments[j].Range.Start.Line, protocol.CommentFoldingRange)
		}
		i = j + 1
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].StartLine != out[j].StartLine {
			return out[i].StartLine < out[j].StartLine
		}
		return out[i].EndLine > out[j].EndLine
	})
	return out
}

// lastLine is the last line that has content in the half-open range r (a range ending at
// column 0 ends on the previous line).
func lastLine(r analysis.Range) int {
	if r.End.Col == 0 && r.End.Line > r.Start.Line {
		return r.End.Line - 1
	}
	return r.End.Line
}
