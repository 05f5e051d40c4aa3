package rules

import (
	"strings"

	"github.com/layerlens/layerlens/analysis"
)

// NoUser flags a final stage without USER (row 56).
var NoUser = &analysis.Rule{
	Name:     "NoUser",
	Summary:  "No USER instruction: the container runs as the base image's user, usually root",
	Severity: analysis.SeverityInfo,
	Refs:     analysis.Refs{Trivy: []string{"DS-0002"}, Checkov: []string{"CKV_DOCKER_3"}, CIS: []string{"4.1"}},
	Doc: "Processes running as root in a container are one kernel bug away from root on the " +
		"host, and can write anywhere in the image. Create an unprivileged user and switch to it " +
		"with USER. When base-image facts show a non-root user already, nothing is reported; when " +
		"the base-image review reports ImageRunsAsRoot on this stage's image, that finding says it. " +
		"Info, because official base images deliberately leave this to the application image.",
	Run: func(p *analysis.Pass) {
		st := lastStage(p.File)
		if st == nil {
			return
		}
		facts, _, named := finalFacts(p)
		if facts != nil && facts.User != "" && !isRootUser(facts.User) {
			return
		}
		if facts != nil && named == st && hasImageFinding(facts, "ImageRunsAsRoot") {
			// The review's ImageRunsAsRoot already says this on the FROM image token of this
			// very stage (ImageReviewFinding); one finding for one fact.
			return
		}
		if stageHas(p.File, st, "USER") {
			return
		}
		if facts != nil {
			// The base image was reviewed: say what we know instead of "unless".
			if facts.User == "" {
				p.Reportf(headRange(p.File, st.From), "no USER in the final stage or its base image: the container runs as root")
			} else {
				p.Reportf(headRange(p.File, st.From), "no USER in the final stage, and the base image's USER is %s: the container runs as root", facts.User)
			}
			return
		}
		p.Reportf(headRange(p.File, st.From), "no USER in the final stage: the container runs as root unless the base image says otherwise")
	},
}

func isRootUser(u string) bool {
	name, _, _ := strings.Cut(strings.TrimSpace(u), ":")
	return name == "root" || name == "0" || name == ""
}

// hasImageFinding reports whether the base-image review behind facts reported rule.
func hasImageFinding(facts *analysis.ImageFacts, rule string) bool {
	for _, f := range facts.Findings {
		if f.Rule == rule {
			return true
		}
	}
	return false
}
