package rules

import (
	"strings"

	"github.com/layerlens/layerlens/analysis"
)

// NoEmptyContinuation flags empty lines inside a continued instruction (row 26).
var NoEmptyContinuation = &analysis.Rule{
	Name:     "NoEmptyContinuation",
	Summary:  "Empty line inside a continued instruction",
	Severity: analysis.SeverityWarning,
	Refs:     analysis.Refs{BuildKit: "NoEmptyContinuation"},
	Doc:      "An empty line after a line continuation is accepted today but deprecated, and a future Dockerfile syntax will treat it as the end of the instruction. Remove the empty line, or use a comment line. The fix deletes it.",
	Fixable:  true,
	Run: func(p *analysis.Pass) {
		f := p.File
		for _, in := range allInstructions(f) {
			if !in.Continued || in == nil {
				continue
			}
			last := in.Range.End.Line
			// Heredoc bodies may contain empty lines legitimately.
			if len(in.Heredocs) > 0 {
				last = in.Heredocs[0].NameRange.Start.Line
			}
			for l := in.Range.Start.Line + 1; l < last && l < len(f.LineStarts); l++ {
				if strings.TrimSpace(rangeText(f, lineRange(f, l))) != "" {
					continue
				}
				rng := lineRange(f, l)
				del := analysis.Range{Start: analysis.Pos{Line: l}, End: analysis.Pos{Line: l + 1}}
				p.Report(analysis.Finding{Range: rng, Message: "empty continuation line",
					Fixes: []analysis.Fix{{Title: "Delete the empty line", Edits: []analysis.TextEdit{{Range: del}}}}})
			}
		}
	},
}
