package rules

import (
	"strings"

	"github.com/layerlens/layerlens/analysis"
)

// ConsistentInstructionCasing flags keywords whose casing differs from the file's majority (row 25).
var ConsistentInstructionCasing = &analysis.Rule{
	Name:     "ConsistentInstructionCasing",
	Summary:  "Instruction keywords should be all upper case or all lower case, consistently",
	Severity: analysis.SeverityHint,
	Refs:     analysis.Refs{BuildKit: "ConsistentInstructionCasing"},
	Doc:      "Keywords are case-insensitive, but a mix (`From`, `Run`) is hard to read. The majority casing of the file wins; the fix rewrites the keyword.",
	Fixable:  true,
	Run: func(p *analysis.Pass) {
		upper, lower := 0, 0
		ins := allInstructions(p.File)
		for _, in := range ins {
			if !in.Known {
				continue
			}
			switch in.Keyword {
			case strings.ToUpper(in.Keyword):
				upper++
			case strings.ToLower(in.Keyword):
				lower++
			}
		}
		wantUpper := upper >= lower
		for _, in := range ins {
			if !in.Known {
				continue
			}
			want := strings.ToUpper(in.Keyword)
			if !wantUpper {
				want = strings.ToLower(in.Keyword)
			}
			if in.Keyword == want {
				continue
			}
			casing := "uppercase"
			if !wantUpper {
				casing = "lowercase"
			}
			p.Report(analysis.Finding{Range: in.KeywordRange,
				Message: "command '" + in.Keyword + "' should match the case of the command majority (" + casing + ")",
				Fixes:   []analysis.Fix{{Title: "Write " + want, Edits: []analysis.TextEdit{{Range: in.KeywordRange, NewText: want}}}}})
		}
	},
}
