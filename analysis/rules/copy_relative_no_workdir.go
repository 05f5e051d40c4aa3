package rules

import (
	"strings"

	"github.com/layerlens/layerlens/analysis"
)

// CopyRelativeNoWorkdir flags COPY to a relative destination before any WORKDIR (row 54).
var CopyRelativeNoWorkdir = &analysis.Rule{
	Name:     "CopyRelativeNoWorkdir",
	Summary:  "COPY to a relative destination with no WORKDIR set",
	Severity: analysis.SeverityInfo,
	Refs:     analysis.Refs{Hadolint: []string{"DL3045"}},
	Doc: "A relative destination lands in the current WORKDIR, which, without a WORKDIR in this " +
		"stage, is whatever the base image chose (often `/`). Set WORKDIR first or use an " +
		"absolute destination. With base-image facts, a base WORKDIR counts as set.",
	Run: func(p *analysis.Pass) {
		// Whether some earlier stage of a name set a WORKDIR (for stages built on it), by
		// lower-case name.
		workdir := map[string]bool{}
		for _, st := range p.File.Stages {
			set := false
			if facts := p.Facts[st.Index]; facts != nil && facts.WorkingDir != "" {
				set = true
			}
			if workdir[strings.ToLower(st.BaseImage)] {
				set = true
			}
			for _, in := range st.Instructions {
				if in.Cmd == "WORKDIR" {
					set = true
				}
				if (in.Cmd != "COPY" && in.Cmd != "ADD") || set || len(in.Args) < 2 {
					continue
				}
				dest := in.Args[len(in.Args)-1]
				v := unquote(dest.Value)
				if strings.HasPrefix(v, "/") || strings.HasPrefix(v, "$") || windowsAbs(v) {
					continue
				}
				p.Reportf(dest.Range, "relative destination %q with no WORKDIR set in this stage", v)
			}
			if st.Name != "" && set {
				workdir[strings.ToLower(st.Name)] = true
			}
		}
	},
}
