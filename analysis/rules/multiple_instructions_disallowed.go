package rules

import "github.com/layerlens/layerlens/analysis"

// MultipleInstructionsDisallowed flags repeated CMD/ENTRYPOINT/HEALTHCHECK in a stage (rows 40-42).
var MultipleInstructionsDisallowed = &analysis.Rule{
	Name:     "MultipleInstructionsDisallowed",
	Summary:  "More than one CMD, ENTRYPOINT or HEALTHCHECK in a stage; only the last counts",
	Severity: analysis.SeverityWarning,
	Refs: analysis.Refs{Hadolint: []string{"DL4003", "DL4004", "DL3012"}, BuildKit: "MultipleInstructionsDisallowed",
		Trivy: []string{"DS-0016", "DS-0007", "DS-0023"}},
	Doc: "A stage keeps only its last CMD, ENTRYPOINT and HEALTHCHECK; the earlier ones do nothing. " +
		"Each overridden one is reported (marked unnecessary), pointing at the one that wins.",
	Run: func(p *analysis.Pass) {
		for _, st := range p.File.Stages {
			last := map[string]*analysis.Instruction{}
			for _, in := range st.Instructions {
				switch in.Cmd {
				case "CMD", "ENTRYPOINT", "HEALTHCHECK":
					last[in.Cmd] = in
				}
			}
			for _, in := range st.Instructions {
				if l := last[in.Cmd]; l != nil && l != in {
					p.Report(analysis.Finding{Range: in.KeywordRange,
						Message: "multiple " + in.Cmd + " instructions should not be used in the same stage because only the last one will be used",
						Tags:    []analysis.Tag{analysis.TagUnnecessary},
						Related: []analysis.Related{{Range: l.KeywordRange, Message: "this " + in.Cmd + " overrides it"}}})
				}
			}
		}
	},
}
