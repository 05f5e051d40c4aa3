package rules

import (
	"github.com/layerlens/layerlens/analysis"
)

// RootUser flags a final USER that is root (row 57).
var RootUser = &analysis.Rule{
	Name:     "RootUser",
	Summary:  "The last USER is root",
	Severity: analysis.SeverityWarning,
	Refs:     analysis.Refs{Hadolint: []string{"DL3002"}, Trivy: []string{"DS-0002"}, Checkov: []string{"CKV_DOCKER_8"}, CIS: []string{"4.1"}},
	Doc:      "Switching to root for installation steps is fine, but the final USER of the image decides who the container runs as. End with an unprivileged user.",
	Run: func(p *analysis.Pass) {
		st := lastStage(p.File)
		if st == nil {
			return
		}
		last := lastInstruction(st, "USER")
		if last != nil && len(last.Args) > 0 && isRootUser(unquote(last.Args[0].Value)) {
			p.Reportf(last.Args[0].Range, "the last USER is %s: the container runs as root", last.Args[0].Value)
		}
	},
}
