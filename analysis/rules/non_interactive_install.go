package rules

import (
	"github.com/layerlens/layerlens/analysis"
	"github.com/layerlens/layerlens/analysis/shellcmd"
)

// NonInteractiveInstall flags installs that may prompt (row 72).
var NonInteractiveInstall = &analysis.Rule{
	Name:     "NonInteractiveInstall",
	Summary:  "Package install without the non-interactive flag (-y, -n)",
	Severity: analysis.SeverityWarning,
	Refs:     analysis.Refs{Hadolint: []string{"DL3014", "DL3030", "DL3034", "DL3038"}, Trivy: []string{"DS-0021"}},
	Doc:      "A build has no terminal: a confirmation prompt aborts the install (apt-get) or the build hangs. Use `apt-get install -y`, `yum install -y`, `dnf install -y`, `zypper --non-interactive install` (or `-n`). The fix adds the flag after `install`.",
	Fixable:  true,
	Run:      runShell(checkNonInteractive),
}

func checkNonInteractive(s *shellcmd.Script, r *shellReporter) {
	for _, ic := range packageInstalls(s) {
		c := ic.Cmd
		var ok bool
		flagText := "-y"
		switch ic.Manager {
		case "apt-get", "apt", "aptitude":
			ok = c.HasFlag("-y", "--yes", "--assume-yes", "--force-yes") || qLevel2(c)
		case "yum", "dnf", "microdnf", "tdnf":
			ok = c.HasFlag("-y", "--assumeyes")
		case "zypper":
			// --non-interactive (-n) is global, before the command; -y (--no-confirm) belongs
			// to install itself, so the fix adds that.
			ok = c.HasFlag("-n", "--non-interactive", "-y", "--no-confirm")
		default:
			continue
		}
		if ok {
			continue
		}
		wanted := flagText
		if ic.Manager == "zypper" {
			wanted = "--non-interactive or -y"
		}
		h := r.cmd(c, "%s install without %s will stop at a prompt", ic.Manager, wanted)
		if sub := subWord(c, "install", "in"); sub != nil {
			h.Fixes = []scriptFix{{Title: "Add " + flagText, Edits: []scriptEdit{{Start: sub.End, End: sub.End, NewText: " " + flagText}}}}
		}
	}
}

// qLevel2 reports apt-get -qq (which implies -y).
func qLevel2(c *shellcmd.Command) bool {
	return c.HasFlag("-qq") || c.HasFlag("--quiet=2")
}

// subWord returns the first operand equal to one of names.
func subWord(c *shellcmd.Command, names ...string) *shellcmd.Word {
	for i := 1; i < len(c.Args); i++ {
		for _, n := range names {
			if c.Args[i].Value == n {
				return &c.Args[i]
			}
		}
	}
	return nil
}
