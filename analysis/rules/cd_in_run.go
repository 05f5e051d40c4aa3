package rules

import (
	"github.com/layerlens/layerlens/analysis"
	"github.com/layerlens/layerlens/analysis/shellcmd"
)

// CdInRun flags cd in RUN (row 53).
var CdInRun = &analysis.Rule{
	Name:     "CdInRun",
	Summary:  "Use WORKDIR instead of cd in RUN",
	Severity: analysis.SeverityHint,
	Refs:     analysis.Refs{Hadolint: []string{"DL3003"}, Trivy: []string{"DS-0013"}},
	Doc: "A `cd` lasts only until the end of its RUN. A RUN that does nothing but `cd` is a bug " +
		"(reported as a warning); `cd dir && make` works but WORKDIR says it more clearly (a hint).",
	Run: runShell(checkCd),
}

func checkCd(s *shellcmd.Script, r *shellReporter) {
	var cds []*shellcmd.Command
	others := 0
	for _, c := range s.Commands {
		if c.Name == "cd" && !c.Nested && !c.Inner {
			cds = append(cds, c)
		} else if c.Name != "" && c.Name != "set" {
			others++
		}
	}
	for _, c := range cds {
		h := r.cmd(c, "use WORKDIR to switch to a directory")
		if others == 0 {
			h.Severity = analysis.SeverityWarning
			h.Message = "this cd has no effect: the directory change ends with the RUN; use WORKDIR"
		}
	}
}
