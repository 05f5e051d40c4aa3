package rules

import (
	"strconv"

	"github.com/layerlens/layerlens/analysis"
	"github.com/layerlens/layerlens/analysis/shellcmd"
)

// UseraddHighUID flags useradd with a large UID and no -l (row 60).
var UseraddHighUID = &analysis.Rule{
	Name:     "UseraddHighUID",
	Summary:  "useradd with a high UID and without -l makes a huge lastlog file",
	Severity: analysis.SeverityInfo,
	Refs:     analysis.Refs{Hadolint: []string{"DL3046"}},
	Doc:      "useradd reserves space in /var/log/lastlog and faillog up to the new UID; with a UID in the millions the sparse file becomes gigabytes once a layer is exported. Pass `-l` (`--no-log-init`).",
	Run:      runShell(checkUseradd),
}

func checkUseradd(s *shellcmd.Script, r *shellReporter) {
	for _, c := range s.Find("useradd") {
		v, ok := c.FlagValue("-u", "--uid")
		if !ok || c.HasFlag("-l", "--no-log-init") {
			continue
		}
		if n, err := strconv.Atoi(v); err == nil && n > 99999 {
			r.cmd(c, "useradd -u %d without -l creates a large lastlog; add -l", n)
		}
	}
}
