package rules

import (
	"github.com/layerlens/layerlens/analysis"
	"github.com/layerlens/layerlens/analysis/shellcmd"
)

// UpdateAlone flags a package index update in a RUN without an install (row 76).
var UpdateAlone = &analysis.Rule{
	Name:     "UpdateAlone",
	Summary:  "Package index update in a RUN without an install",
	Severity: analysis.SeverityWarning,
	Refs:     analysis.Refs{Trivy: []string{"DS-0017"}, Checkov: []string{"CKV_DOCKER_5"}, CIS: []string{"4.7"}},
	Doc: "The build cache keeps the `apt-get update` layer; a later RUN that changes its package " +
		"list installs from the old, cached index and can fail or get outdated versions. Update " +
		"and install in the same RUN.",
	Run: runShell(checkUpdateAlone),
}

func checkUpdateAlone(s *shellcmd.Script, r *shellReporter) {
	var updates []*shellcmd.Command
	installs := len(packageInstalls(s)) > 0
	for _, c := range s.Commands {
		switch c.Name {
		case "apt-get", "apt", "apk", "yum", "dnf", "zypper":
			switch c.Sub() {
			case "update", "makecache", "refresh", "ref":
				if c.Name == "yum" || c.Name == "dnf" {
					if c.Sub() != "makecache" {
						continue // yum update upgrades packages; DistUpgrade territory
					}
				}
				updates = append(updates, c)
			case "upgrade", "dist-upgrade", "full-upgrade", "build-dep", "source", "dup", "up", "update-minimal":
				installs = true
			}
		}
	}
	if installs {
		return
	}
	for _, c := range updates {
		r.cmd(c, "%s %s without an install in the same RUN; the cached index goes stale", c.Name, c.Sub())
	}
}
