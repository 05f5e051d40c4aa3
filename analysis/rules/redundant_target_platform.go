package rules

import (
	"strings"

	"github.com/layerlens/layerlens/analysis"
)

// RedundantTargetPlatform flags FROM --platform=$TARGETPLATFORM (row 10).
var RedundantTargetPlatform = &analysis.Rule{
	Name:     "RedundantTargetPlatform",
	Summary:  "FROM --platform=$TARGETPLATFORM is the default and can be removed",
	Severity: analysis.SeverityHint,
	Refs:     analysis.Refs{Hadolint: []string{"DL3065"}, BuildKit: "RedundantTargetPlatform"},
	Doc: "Stages already build for the target platform; `--platform=$TARGETPLATFORM` says nothing " +
		"new. The fix removes the flag.",
	Fixable: true,
	Run: func(p *analysis.Pass) {
		for _, st := range p.File.Stages {
			fl := flagOf(st.From, "platform")
			if fl == nil {
				continue
			}
			v := strings.TrimSpace(fl.Value)
			if v != "$TARGETPLATFORM" && v != "${TARGETPLATFORM}" {
				continue
			}
			end := fl.Range.End
			txt := rangeText(p.File, analysis.Range{Start: end, End: lineRange(p.File, end.Line).End})
			end.Col += len(txt) - len(strings.TrimLeft(txt, " \t"))
			p.Report(analysis.Finding{
				Range:   fl.Range,
				Message: "setting platform to predefined " + v + " in FROM is redundant as this is the default behavior",
				Tags:    []analysis.Tag{analysis.TagUnnecessary},
				Fixes:   []analysis.Fix{{Title: "Remove --platform=" + v, Edits: []analysis.TextEdit{{Range: analysis.Range{Start: fl.Range.Start, End: end}}}}},
			})
		}
	},
}
