package rules

import (
	"strings"

	"github.com/layerlens/layerlens/analysis"
)

// UntrustedRegistry flags base images from registries not on the configured allow-list (row 4).
var UntrustedRegistry = &analysis.Rule{
	Name:     "UntrustedRegistry",
	Summary:  "Base image comes from a registry that is not in trustedRegistries",
	Severity: analysis.SeverityWarning,
	Refs:     analysis.Refs{Hadolint: []string{"DL3026"}, CIS: []string{"4.2"}},
	Doc: "Only active when `trustedRegistries` is configured (in `.layerlens.yaml` or the editor " +
		"settings). An entry is a registry host (`docker.io`, `ghcr.io`) or a repository prefix " +
		"(`ghcr.io/myorg`); Docker Hub images without a host count as `docker.io`.",
	Run: func(p *analysis.Pass) {
		if p.Config == nil || len(p.Config.TrustedRegistries) == 0 {
			return
		}
		for _, fi := range froms(p) {
			r := fi.Ref
			if r.Stage || r.Scratch || r.Unresolved {
				continue
			}
			if !trusted(r, p.Config.TrustedRegistries) {
				p.Reportf(fi.Stage.BaseRange, "base image %s is from %s, which is not in trustedRegistries (%s)", r.Raw, r.Registry, strings.Join(p.Config.TrustedRegistries, ", "))
			}
		}
	},
}

func trusted(r imageRef, list []string) bool {
	full := r.Registry + "/" + r.Repo
	for _, t := range list {
		t = strings.ToLower(strings.TrimSuffix(t, "/"))
		if t == "hub.docker.com" || t == "index.docker.io" {
			t = "docker.io"
		}
		if t == r.Registry || full == t || strings.HasPrefix(full, t+"/") || (r.Registry == "docker.io" && strings.HasPrefix(r.Name(), t+"/")) {
			return true
		}
	}
	return false
}
