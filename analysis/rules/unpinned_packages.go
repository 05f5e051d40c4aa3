package rules

import (
	"strings"

	"github.com/layerlens/layerlens/analysis"
	"github.com/layerlens/layerlens/analysis/shellcmd"
)

// UnpinnedPackages flags package installs without versions (row 71).
var UnpinnedPackages = &analysis.Rule{
	Name:     "UnpinnedPackages",
	Summary:  "Packages are installed without a pinned version",
	Severity: analysis.SeverityInfo,
	Refs: analysis.Refs{Hadolint: []string{"DL3008", "DL3018", "DL3013", "DL3016", "DL3028", "DL3033", "DL3041", "DL3037", "DL3062"},
		CIS: []string{"4.7"}},
	Doc: "Without versions, each build installs whatever is newest, so builds are not " +
		"reproducible and a compromised or broken release arrives unreviewed. Pin versions " +
		"(`curl=7.88.1-10`, `flask==3.0.0`, `left-pad@1.3.0`, `gem install x -v 1.2`, " +
		"`go install x@v1.2.3`) or use lock files (`pip install -r requirements.txt`, `npm ci`). " +
		"Covers apt-get/apt, apk, pip, npm, yarn, gem, yum/dnf/microdnf, zypper and go install. " +
		"Info, because distribution packages are often left to the base image's release.",
	Run: runShell(checkUnpinned),
}

func checkUnpinned(s *shellcmd.Script, r *shellReporter) {
	for _, ic := range packageInstalls(s) {
		var loose []string
		for _, w := range ic.Pkgs {
			if !pinned(ic, w.Value) {
				loose = append(loose, w.Value)
			}
		}
		if len(loose) == 0 {
			continue
		}
		if len(loose) > 3 {
			loose = append(loose[:3], "...")
		}
		r.cmd(ic.Cmd, "%s installs packages without a pinned version: %s", ic.Manager, strings.Join(loose, " "))
	}
}

// pinned reports whether a package operand names a version (or is a file, URL or variable).
func pinned(ic installCmd, v string) bool {
	if strings.ContainsAny(v, "$/") || strings.HasPrefix(v, ".") || strings.HasSuffix(v, ".deb") || strings.HasSuffix(v, ".rpm") ||
		strings.HasSuffix(v, ".whl") || strings.HasSuffix(v, ".tar.gz") || strings.Contains(v, "://") {
		if ic.Manager == "go" && !strings.Contains(v, "@") {
			return strings.HasPrefix(v, ".") // go install ./cmd/x uses the module's go.mod
		}
		if ic.Manager == "go" {
			return !strings.HasSuffix(v, "@latest")
		}
		return true
	}
	switch ic.Manager {
	case "apt-get", "apt", "aptitude", "apk":
		return strings.Contains(v, "=")
	case "pip":
		return strings.ContainsAny(v, "=<>~") || strings.Contains(v, "@")
	case "npm", "yarn":
		i := strings.LastIndexByte(v, '@')
		return i > 0 && !strings.HasSuffix(v, "@latest")
	case "gem":
		return strings.Contains(v, ":") || ic.Cmd.HasFlag("-v", "--version")
	case "go":
		return strings.Contains(v, "@") && !strings.HasSuffix(v, "@latest")
	case "yum", "dnf", "microdnf", "tdnf", "zypper":
		// name-1.2.3 or name-1.2.3-1.el9; a version part starts with a digit after a dash.
		if strings.ContainsAny(v, "=<>") {
			return true
		}
		if i := strings.LastIndexByte(v, '-'); i > 0 && i+1 < len(v) && v[i+1] >= '0' && v[i+1] <= '9' {
			return true
		}
		return strings.HasPrefix(v, "@") // groups
	}
	return true
}
