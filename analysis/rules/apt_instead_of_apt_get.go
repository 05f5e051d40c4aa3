package rules

import (
	"github.com/layerlens/layerlens/analysis"
	"github.com/layerlens/layerlens/analysis/shellcmd"
)

// AptInsteadOfAptGet flags apt in RUN (row 75).
var AptInsteadOfAptGet = &analysis.Rule{
	Name:     "AptInsteadOfAptGet",
	Summary:  "Use apt-get (or apt-cache) instead of apt in scripts",
	Severity: analysis.SeverityInfo,
	Refs:     analysis.Refs{Hadolint: []string{"DL3027"}, Checkov: []string{"CKV_DOCKER_9"}},
	Doc:      "`apt` is meant for people at a terminal; its output and behaviour may change between releases and it warns that it has no stable CLI. `apt-get` is the scripting interface. The fix replaces the command name.",
	Fixable:  true,
	Run:      runShell(checkApt),
}

func checkApt(s *shellcmd.Script, r *shellReporter) {
	for _, c := range s.Find("apt") {
		if len(c.Args) == 0 || c.Args[0].Value != "apt" {
			continue
		}
		h := r.cmd(c, "use apt-get instead of apt in a Dockerfile")
		w := c.Args[0]
		h.Fixes = []scriptFix{{Title: "Use apt-get", Edits: []scriptEdit{{Start: w.Start, End: w.End, NewText: "apt-get"}}}}
	}
}
