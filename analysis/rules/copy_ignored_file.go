package rules

import (
	"strings"

	"github.com/layerlens/layerlens/analysis"
)

// CopyIgnoredFile flags COPY/ADD sources excluded by .dockerignore (row 93).
var CopyIgnoredFile = &analysis.Rule{
	Name:     "CopyIgnoredFile",
	Summary:  "COPY/ADD source is excluded by .dockerignore",
	Severity: analysis.SeverityWarning,
	Refs:     analysis.Refs{BuildKit: "CopyIgnoredFile"},
	Doc: "Files excluded by .dockerignore are not sent to the builder, so the COPY fails or " +
		"silently copies less than it names. Needs the .dockerignore next to the Dockerfile " +
		"(`layerlens check` and the editor read it).",
	Run: func(p *analysis.Pass) {
		if p.DockerIgnore == nil || !p.DockerIgnore.Exists {
			return
		}
		for _, in := range byCmd(p.File, "COPY", "ADD") {
			if flagOf(in, "from") != nil || len(in.Args) < 2 || len(in.Heredocs) > 0 {
				continue
			}
			for _, a := range in.Args[:len(in.Args)-1] {
				v := unquote(a.Value)
				if isRemote(v) || strings.ContainsAny(v, "*?[$") {
					continue
				}
				if ign, pat := p.DockerIgnore.Ignored(v); ign {
					p.Reportf(a.Range, "attempting to %s file %q that is excluded by .dockerignore (pattern %q)", in.Cmd, v, pat.Text)
				}
			}
		}
	},
}
