package rules

import (
	"strings"

	"github.com/layerlens/layerlens/analysis"
)

// StageNameCasing flags stage names that are not lower case (row 18).
var StageNameCasing = &analysis.Rule{
	Name:     "StageNameCasing",
	Summary:  "Stage name should be lower case",
	Severity: analysis.SeverityHint,
	Refs:     analysis.Refs{BuildKit: "StageNameCasing"},
	Doc:      "Stage names are matched case-insensitively; writing them in lower case keeps references consistent. The fix lower-cases the name.",
	Fixable:  true,
	Run: func(p *analysis.Pass) {
		for _, st := range p.File.Stages {
			if st.Name == "" || st.Name == strings.ToLower(st.Name) {
				continue
			}
			low := strings.ToLower(st.Name)
			p.Report(analysis.Finding{Range: st.NameRange, Message: "stage name '" + st.Name + "' should be lowercase",
				Fixes: []analysis.Fix{{Title: "Rename to " + low, Edits: []analysis.TextEdit{{Range: st.NameRange, NewText: low}}}}})
		}
	},
}
