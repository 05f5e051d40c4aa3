package rules

import "github.com/layerlens/layerlens/analysis"

// LatestTag flags FROM image:latest (row 2).
var LatestTag = &analysis.Rule{
	Name:     "LatestTag",
	Summary:  "Base image uses the mutable :latest tag",
	Severity: analysis.SeverityWarning,
	Refs:     analysis.Refs{Hadolint: []string{"DL3007"}, Trivy: []string{"DS-0001"}, Checkov: []string{"CKV_DOCKER_7"}},
	Doc: "`:latest` moves whenever the publisher pushes. Two builds of the same Dockerfile can get " +
		"different operating systems or runtimes. Use a version tag. A reference that is also pinned " +
		"by digest (`image:latest@sha256:...`) is reproducible and not reported.",
	Run: func(p *analysis.Pass) {
		for _, fi := range froms(p) {
			if fi.Ref.Tag == "latest" && fi.Ref.Digest == "" && !fi.Ref.Stage {
				p.Reportf(fi.Stage.BaseRange, "base image %s uses the :latest tag; use a version tag", fi.Ref.Raw)
			}
		}
	},
}
