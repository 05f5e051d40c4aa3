package rules

import (
	"strings"

	"github.com/layerlens/layerlens/analysis"
)

// ReservedStageName flags stages named scratch or context (row 17).
var ReservedStageName = &analysis.Rule{
	Name:     "ReservedStageName",
	Summary:  "Stage name is a reserved word (scratch, context)",
	Severity: analysis.SeverityError,
	Refs:     analysis.Refs{Hadolint: []string{"DL3063"}, BuildKit: "ReservedStageName"},
	Doc:      "`scratch` is the empty image and `context` names the build context in `COPY --from`; a stage with either name cannot be referred to.",
	Run: func(p *analysis.Pass) {
		for _, st := range p.File.Stages {
			if n := strings.ToLower(st.Name); n == "scratch" || n == "context" {
				p.Reportf(st.NameRange, "'%s' is reserved and should not be used as a stage name", st.Name)
			}
		}
	},
}
