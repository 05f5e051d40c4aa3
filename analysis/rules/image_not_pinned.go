package rules

import "github.com/layerlens/layerlens/analysis"

// ImageNotPinned flags base images referenced by a tag but no digest (row 3).
var ImageNotPinned = &analysis.Rule{
	Name:     "ImageNotPinned",
	Summary:  "Base image is referenced by a mutable tag, not pinned by digest",
	Severity: analysis.SeverityInfo,
	Refs:     analysis.Refs{CIS: []string{"4.2"}},
	Doc: "A tag can be re-pointed to different content at any time, by the publisher or by anyone " +
		"who compromises the repository. A digest (`image:1.2@sha256:...`) names exactly one " +
		"content. `layerlens pin` rewrites FROM lines with the current digest; Renovate and " +
		"Dependabot keep such pins fresh. Info, because most projects accept tags knowingly.",
	Run: func(p *analysis.Pass) {
		for _, fi := range froms(p) {
			r := fi.Ref
			if r.Stage || r.Scratch || r.Unresolved || r.Digest != "" {
				continue
			}
			p.Reportf(fi.Stage.BaseRange, "base image %s is not pinned by digest; run `layerlens pin` to add @sha256:...", r.Raw)
		}
	},
}
