package rules

import (
	"github.com/layerlens/layerlens/analysis"
	"github.com/layerlens/layerlens/analysis/shellcmd"
)

// NoInstallRecommends flags apt-get install without --no-install-recommends (row 73).
var NoInstallRecommends = &analysis.Rule{
	Name:     "NoInstallRecommends",
	Summary:  "apt-get install without --no-install-recommends",
	Severity: analysis.SeverityInfo,
	Refs:     analysis.Refs{Hadolint: []string{"DL3015"}, Trivy: []string{"DS-0029"}, CIS: []string{"4.3"}},
	Doc:      "Recommended packages are not needed to run the requested ones; they make the image larger and add attack surface. The fix adds `--no-install-recommends`.",
	Fixable:  true,
	Run:      runShell(checkInstallRecommends),
}

func checkInstallRecommends(s *shellcmd.Script, r *shellReporter) {
	for _, ic := range packageInstalls(s) {
		if ic.Manager != "apt-get" && ic.Manager != "apt" {
			continue
		}
		c := ic.Cmd
		if c.HasFlag("--no-install-recommends") {
			continue
		}
		recommends := false
		for _, a := range c.Args {
			if a.Value == "APT::Install-Recommends=false" || a.Value == "APT::Install-Recommends=0" {
				recommends = true
			}
		}
		if recommends {
			continue
		}
		h := r.cmd(c, "%s install without --no-install-recommends", ic.Manager)
		if sub := subWord(c, "install"); sub != nil {
			h.Fixes = []scriptFix{{Title: "Add --no-install-recommends", Edits: []scriptEdit{{Start: sub.End, End: sub.End, NewText: " --no-install-recommends"}}}}
		}
	}
}
