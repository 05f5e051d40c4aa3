package rules

import (
	"strings"

	"github.com/layerlens/layerlens/analysis"
	"github.com/layerlens/layerlens/analysis/shellcmd"
)

// WorldWritable flags chmod 777 / o+w without the sticky bit (row 64).
var WorldWritable = &analysis.Rule{
	Name:     "WorldWritable",
	Summary:  "chmod makes files world-writable",
	Severity: analysis.SeverityWarning,
	Refs:     analysis.Refs{},
	Doc: "World-writable files and directories let any user in the container (and any process " +
		"that gets code execution) replace programs or configuration. Grant write access to the " +
		"owning user or group. Directories with the sticky bit (`1777`, like /tmp) are fine.",
	Run: func(p *analysis.Pass) {
		for _, in := range byCmd(p.File, "COPY", "ADD") {
			if fl := flagOf(in, "chmod"); fl != nil && modeWorldWritable(fl.Value) {
				p.Reportf(fl.Range, "%s --chmod=%s makes files world-writable", in.Cmd, fl.Value)
			}
		}
		runShell(checkWorldWritable)(p)
	},
}

func checkWorldWritable(s *shellcmd.Script, r *shellReporter) {
	for _, c := range s.Find("chmod") {
		for _, a := range c.Args[1:] {
			if modeWorldWritable(a.Value) {
				r.cmd(c, "chmod %s makes files world-writable", a.Value)
				break
			}
		}
	}
}

// modeWorldWritable reports a mode giving others write access without the sticky bit.
func modeWorldWritable(m string) bool {
	if m == "" {
		return false
	}
	if m[0] >= '0' && m[0] <= '7' {
		for _, c := range m {
			if c < '0' || c > '7' {
				return false
			}
		}
		if len(m) < 3 {
			return false
		}
		other := m[len(m)-1] - '0'
		sticky := len(m) == 4 && (m[0]-'0')&1 != 0
		return other&2 != 0 && !sticky
	}
	if strings.HasPrefix(m, "-") {
		return false
	}
	for _, clause := range strings.Split(m, ",") {
		i := strings.IndexAny(clause, "+=")
		if i < 0 {
			continue
		}
		who := clause[:i]
		if (who == "" || strings.ContainsAny(who, "oa")) && strings.ContainsRune(clause[i:], 'w') && !strings.ContainsRune(clause[i:], 't') {
			return true
		}
	}
	return false
}
