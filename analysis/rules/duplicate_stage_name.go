package rules

import (
	"strings"

	"github.com/layerlens/layerlens/analysis"
)

// DuplicateStageName flags stage names used twice (row 16).
var DuplicateStageName = &analysis.Rule{
	Name:     "DuplicateStageName",
	Summary:  "Two stages have the same name",
	Severity: analysis.SeverityError,
	Refs:     analysis.Refs{Hadolint: []string{"DL3024"}, BuildKit: "DuplicateStageName", Trivy: []string{"DS-0012"}, Checkov: []string{"CKV_DOCKER_11"}},
	Doc:      "Stage names are case-insensitive and must be unique: BuildKit rejects the file, and `COPY --from` could not say which stage it means.",
	Run: func(p *analysis.Pass) {
		seen := map[string]*analysis.Stage{}
		for _, st := range p.File.Stages {
			if st.Name == "" {
				continue
			}
			key := strings.ToLower(st.Name)
			if first, ok := seen[key]; ok {
				p.Report(analysis.Finding{Range: st.NameRange, Message: "duplicate stage name \"" + st.Name + "\", stage names should be unique",
					Related: []analysis.Related{{Range: first.NameRange, Message: "first defined here"}}})
				continue
			}
			seen[key] = st
		}
	},
}
