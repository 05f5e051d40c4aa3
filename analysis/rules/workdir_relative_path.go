package rules

import (
	"strings"

	"github.com/layerlens/layerlens/analysis"
)

// WorkdirRelativePath flags a relative WORKDIR (row 52).
var WorkdirRelativePath = &analysis.Rule{
	Name:     "WorkdirRelativePath",
	Summary:  "WORKDIR should be an absolute path",
	Severity: analysis.SeverityWarning,
	Refs:     analysis.Refs{Hadolint: []string{"DL3000"}, BuildKit: "WorkdirRelativePath", Trivy: []string{"DS-0009"}, Checkov: []string{"CKV_DOCKER_10"}},
	Doc: "A relative WORKDIR is resolved against the previous one, which may come from the base " +
		"image and change under you. Only the first WORKDIR of a stage is reported when it is " +
		"relative (later relative ones build on an absolute one set in this file). Paths starting " +
		"with a variable are not reported.",
	Run: func(p *analysis.Pass) {
		for _, st := range p.File.Stages {
			for _, in := range st.Instructions {
				if in.Cmd != "WORKDIR" || len(in.Args) == 0 {
					continue
				}
				v := unquote(in.Args[0].Value)
				if !strings.HasPrefix(v, "/") && !strings.HasPrefix(v, "$") && !windowsAbs(v) {
					p.Reportf(in.Args[0].Range, "relative workdir %q can have unexpected results if the base image changes", v)
				}
				break
			}
		}
	},
}

func windowsAbs(v string) bool {
	return len(v) >= 2 && v[1] == ':' || strings.HasPrefix(v, `\`)
}
