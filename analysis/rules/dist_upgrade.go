package rules

import (
	"github.com/layerlens/layerlens/analysis"
	"github.com/layerlens/layerlens/analysis/shellcmd"
)

// DistUpgrade flags full distribution upgrades in the build (row 77).
var DistUpgrade = &analysis.Rule{
	Name:     "DistUpgrade",
	Summary:  "Distribution upgrade during the build (dist-upgrade, zypper dup)",
	Severity: analysis.SeverityInfo,
	Refs:     analysis.Refs{Hadolint: []string{"DL3035", "DL3005"}, Trivy: []string{"DS-0024"}},
	Doc:      "A dist-upgrade can move the image to packages the base image's publisher never tested, and makes builds non-reproducible. Use a newer base image instead. (Applying security updates with `apt-get upgrade` is a separate, defensible choice and is not reported.)",
	Run:      runShell(checkDistUpgrade),
}

func checkDistUpgrade(s *shellcmd.Script, r *shellReporter) {
	for _, c := range s.Commands {
		switch c.Name {
		case "apt-get", "apt", "aptitude":
			if sub := c.Sub("-o"); sub == "dist-upgrade" || sub == "full-upgrade" {
				r.cmd(c, "%s %s upgrades the whole distribution", c.Name, sub)
			}
		case "zypper":
			if sub := c.Sub(); sub == "dist-upgrade" || sub == "dup" {
				r.cmd(c, "zypper %s upgrades the whole distribution", sub)
			}
		case "dnf", "yum":
			if sub := c.Sub(); sub == "distro-sync" || sub == "system-upgrade" {
				r.cmd(c, "%s %s upgrades the whole distribution", c.Name, sub)
			}
		}
	}
}
