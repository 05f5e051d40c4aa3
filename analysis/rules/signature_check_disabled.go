package rules

import (
	"strings"

	"github.com/layerlens/layerlens/analysis"
	"github.com/layerlens/layerlens/analysis/shellcmd"
)

// SignatureCheckDisabled flags package installs with signature checks turned off (row 78).
var SignatureCheckDisabled = &analysis.Rule{
	Name:     "SignatureCheckDisabled",
	Summary:  "Package signature verification is disabled",
	Severity: analysis.SeverityWarning,
	Refs:     analysis.Refs{Checkov: []string{"CKV2_DOCKER_7", "CKV2_DOCKER_8", "CKV2_DOCKER_9", "CKV2_DOCKER_10", "CKV2_DOCKER_11"}, CIS: []string{"4.11"}},
	Doc:      "`apk --allow-untrusted`, `apt-get --allow-unauthenticated` / `--force-yes`, `rpm --nosignature` / `--nodigest`, `yum/dnf --nogpgcheck` and `gpgcheck=0` install whatever the mirror (or anyone in the network path) serves. Import the repository key instead.",
	Run:      runShell(checkSignatures),
}

func checkSignatures(s *shellcmd.Script, r *shellReporter) {
	for _, c := range s.Commands {
		var bad string
		switch c.Name {
		case "apk":
			if c.HasFlag("--allow-untrusted") {
				bad = "--allow-untrusted"
			}
		case "apt-get", "apt", "aptitude":
			for _, f := range []string{"--allow-unauthenticated", "--force-yes", "--allow-insecure-repositories"} {
				if c.HasFlag(f) {
					bad = f
				}
			}
			if bad == "" && strings.Contains(c.Text(), "AllowUnauthenticated=true") {
				bad = "APT::Get::AllowUnauthenticated"
			}
		case "rpm":
			for _, f := range []string{"--nosignature", "--nodigest", "--nogpgcheck"} {
				if c.HasFlag(f) {
					bad = f
				}
			}
		case "yum", "dnf", "microdnf", "tdnf", "zypper":
			for _, f := range []string{"--nogpgcheck", "--no-gpg-checks"} {
				if c.HasFlag(f) {
					bad = f
				}
			}
			if bad == "" && strings.Contains(c.Text(), "gpgcheck=0") {
				bad = "gpgcheck=0"
			}
		}
		if bad != "" {
			r.cmd(c, "%s %s disables package signature checks", c.Name, bad)
		}
		for _, rd := range c.Redirs {
			if strings.Contains(c.Text(), "gpgcheck=0") && (strings.Contains(rd.Target.Value, ".repo") || strings.Contains(rd.Target.Value, "yum.conf") || strings.Contains(rd.Target.Value, "dnf.conf")) {
				r.cmd(c, "gpgcheck=0 in %s disables package signature checks", rd.Target.Value)
			}
		}
	}
}
