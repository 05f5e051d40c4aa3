package rules

import "github.com/layerlens/layerlens/analysis"

// NoHealthcheck flags a final stage without HEALTHCHECK (row 43).
var NoHealthcheck = &analysis.Rule{
	Name:     "NoHealthcheck",
	Summary:  "The image defines no HEALTHCHECK",
	Severity: analysis.SeverityInfo,
	Refs:     analysis.Refs{Hadolint: []string{"DL3057"}, Trivy: []string{"DS-0026"}, Checkov: []string{"CKV_DOCKER_2"}, CIS: []string{"4.6"}},
	Doc: "Without a HEALTHCHECK, Docker and Swarm only know whether the process runs, not whether " +
		"it works. Add one for long-running services. The final stage is checked; a HEALTHCHECK " +
		"in the base image (known from image facts) counts. Kubernetes ignores HEALTHCHECK and " +
		"uses probes, so turn the rule off for images that only run there.",
	Run: func(p *analysis.Pass) {
		st := lastStage(p.File)
		if st == nil {
			return
		}
		if facts, _, _ := finalFacts(p); facts != nil && facts.HasHealthcheck {
			return
		}
		for _, in := range st.Instructions {
			if in.Cmd == "HEALTHCHECK" {
				return
			}
		}
		// A final stage built FROM an earlier stage inherits that stage's HEALTHCHECK.
		for _, in := range p.File.Instructions {
			if in.Cmd == "HEALTHCHECK" && in.Stage >= 0 && in.Stage < st.Index && p.File.Stages[in.Stage].Name != "" &&
				equalFold(p.File.Stages[in.Stage].Name, st.BaseImage) {
				return
			}
		}
		p.Reportf(headRange(p.File, st.From), "no HEALTHCHECK in the final stage")
	},
}
