package rules

import (
	"github.com/layerlens/layerlens/analysis"
	"github.com/layerlens/layerlens/analysis/shellcmd"
)

// SetCapabilities flags setcap (row 63).
var SetCapabilities = &analysis.Rule{
	Name:     "SetCapabilities",
	Summary:  "setcap grants file capabilities",
	Severity: analysis.SeverityWarning,
	Refs:     analysis.Refs{},
	Doc:      "File capabilities are setuid in small pieces: `cap_net_bind_service` is usually harmless, `cap_sys_admin` or `cap_dac_override` is root. Review each one; prefer run-time `--cap-add` that the operator decides on.",
	Run:      runShell(checkSetcap),
}

func checkSetcap(s *shellcmd.Script, r *shellReporter) {
	for _, c := range s.Find("setcap") {
		if c.HasFlag("-r") {
			continue // removing capabilities
		}
		caps := ""
		if ops := c.Operands(); len(ops) > 0 {
			caps = ops[0].Value
		}
		r.cmd(c, "setcap grants %s", caps)
	}
}
