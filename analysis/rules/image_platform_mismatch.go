package rules

import (
	"strings"

	"github.com/layerlens/layerlens/analysis"
)

// ImagePlatformMismatch flags a base image whose platform is not the one the build asks for.
var ImagePlatformMismatch = &analysis.Rule{
	Name:     "ImagePlatformMismatch",
	Summary:  "The base image is for another platform than the build asks for",
	Severity: analysis.SeverityWarning,
	Doc: "A single-platform image is used whatever platform the build targets: an arm64 image " +
		"on an amd64 builder runs under emulation (slowly) or fails with `exec format error`. " +
		"The requested platform is FROM --platform, else the configured platform. Use a " +
		"multi-platform tag, or say --platform explicitly when the mismatch is intended.",
	Run: func(p *analysis.Pass) {
		for _, is := range imageStages(p) {
			st, facts := is.Stage, is.Facts
			if facts.RequestedPlatform == "" || facts.Platform == "" || samePlatform(facts.Platform, facts.RequestedPlatform) {
				continue
			}
			rng := st.BaseRange
			if !st.PlatformRange.IsZero() {
				rng = st.PlatformRange
			}
			p.Reportf(rng, "base image %s is for %s, not %s: it would run under emulation or fail with exec format error",
				facts.Ref, facts.Platform, facts.RequestedPlatform)
		}
	},
}

// samePlatform compares os/arch[/variant]; a missing variant matches any.
func samePlatform(a, b string) bool {
	pa, pb := strings.Split(strings.ToLower(a), "/"), strings.Split(strings.ToLower(b), "/")
	for i := 0; i < 2; i++ {
		if i >= len(pa) || i >= len(pb) || pa[i] != pb[i] {
			return false
		}
	}
	return len(pa) < 3 || len(pb) < 3 || pa[2] == pb[2]
}
