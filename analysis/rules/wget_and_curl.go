package rules

import (
	"github.com/layerlens/layerlens/analysis"
)

// WgetAndCurl flags stages that use both wget and curl (row 84).
var WgetAndCurl = &analysis.Rule{
	Name:     "WgetAndCurl",
	Summary:  "Both wget and curl are used; pick one",
	Severity: analysis.SeverityInfo,
	Refs:     analysis.Refs{Hadolint: []string{"DL4001"}, Trivy: []string{"DS-0014"}},
	Doc:      "Two download tools mean two packages to install, patch and keep in the image. Use one of them throughout a stage.",
	Run: func(p *analysis.Pass) {
		type use struct {
			rs  *runScript
			rng analysis.Range
		}
		for _, st := range p.File.Stages {
			first := map[string]*use{}
			for _, rs := range scripts(p) {
				if rs.Inst.Stage != st.Index {
					continue
				}
				for _, c := range rs.Script.Find("wget", "curl") {
					if first[c.Name] == nil {
						first[c.Name] = &use{rs, rs.CmdRange(p.File, c)}
					}
				}
			}
			w, c := first["wget"], first["curl"]
			if w == nil || c == nil {
				continue
			}
			second, other := c, "wget"
			if w.rng.Start.Line > c.rng.Start.Line || w.rng.Start.Line == c.rng.Start.Line && c.rng.Start.Col < w.rng.Start.Col {
				second, other = w, "curl"
			}
			p.Report(analysis.Finding{Range: second.rng, Message: "both wget and curl are used in this stage; use one",
				Related: []analysis.Related{{Range: first[other].rng, Message: other + " is used here"}}})
		}
	},
}
