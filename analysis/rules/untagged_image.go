package rules

import "github.com/layerlens/layerlens/analysis"

// UntaggedImage flags a FROM without a tag or digest (row 1).
var UntaggedImage = &analysis.Rule{
	Name:     "UntaggedImage",
	Summary:  "Base image has no tag, so the build silently uses :latest",
	Severity: analysis.SeverityWarning,
	Refs:     analysis.Refs{Hadolint: []string{"DL3006"}, Trivy: []string{"DS-0001"}, Checkov: []string{"CKV_DOCKER_7"}},
	Doc: `A FROM without a tag or digest means ` + "`:latest`" + `: whatever the registry serves that
day. Builds stop being reproducible and a new major version can arrive unannounced. Name a tag
(and ideally pin the digest, see ImageNotPinned). Stage names and ` + "`scratch`" + ` are not images
and are skipped; references that use ARGs are checked after substituting the ARG defaults.`,
	Fixable: false,
	Run: func(p *analysis.Pass) {
		for _, fi := range froms(p) {
			r := fi.Ref
			if r.Stage || r.Scratch || r.Unresolved || r.Tag != "" || r.Digest != "" {
				continue
			}
			p.Reportf(fi.Stage.BaseRange, "base image %s has no tag; name a version, e.g. %s:<version>", r.Raw, r.Raw)
		}
	},
}
