package rules

import (
	"strings"

	"github.com/layerlens/layerlens/analysis"
)

// FromAsCasing flags FROM ... as ... with mismatched keyword casing (row 19).
var FromAsCasing = &analysis.Rule{
	Name:     "FromAsCasing",
	Summary:  "The AS keyword's casing does not match the FROM keyword's",
	Severity: analysis.SeverityHint,
	Refs:     analysis.Refs{BuildKit: "FromAsCasing"},
	Doc:      "Write `FROM x AS y` or `from x as y`, not a mix. The fix changes AS to match FROM.",
	Fixable:  true,
	Run: func(p *analysis.Pass) {
		for _, st := range p.File.Stages {
			from := st.From
			for _, a := range from.Args {
				if !strings.EqualFold(a.Value, "as") {
					continue
				}
				upperFrom := from.Keyword == strings.ToUpper(from.Keyword)
				lowerFrom := from.Keyword == strings.ToLower(from.Keyword)
				want := a.Value
				if upperFrom && a.Value != "AS" {
					want = "AS"
				} else if lowerFrom && a.Value != "as" {
					want = "as"
				}
				if want != a.Value {
					p.Report(analysis.Finding{Range: a.Range, Message: "'" + a.Value + "' and '" + from.Keyword + "' keywords' casing do not match",
						Fixes: []analysis.Fix{{Title: "Write " + want, Edits: []analysis.TextEdit{{Range: a.Range, NewText: want}}}}})
				}
			}
		}
	},
}
