package rules

import (
	"strings"

	"github.com/layerlens/layerlens/analysis"
	"github.com/layerlens/layerlens/analysis/shellcmd"
)

// SetuidBit flags chmod u+s / g+s / 4xxx (row 62).
var SetuidBit = &analysis.Rule{
	Name:     "SetuidBit",
	Summary:  "chmod sets the setuid or setgid bit",
	Severity: analysis.SeverityWarning,
	Refs:     analysis.Refs{CIS: []string{"4.8"}},
	Doc:      "A setuid binary runs with its owner's rights; in a container that is usually root, and any bug in it is a privilege escalation. Avoid adding setuid/setgid bits; the base-image review lists the ones already in the layers. `COPY --chmod=4755` is reported too.",
	Run: func(p *analysis.Pass) {
		for _, in := range byCmd(p.File, "COPY", "ADD") {
			if fl := flagOf(in, "chmod"); fl != nil && modeSetuid(fl.Value) {
				p.Reportf(fl.Range, "%s --chmod=%s sets the %s", in.Cmd, fl.Value, setuidBits(fl.Value))
			}
		}
		runShell(checkSetuid)(p)
	},
}

func checkSetuid(s *shellcmd.Script, r *shellReporter) {
	for _, c := range s.Find("chmod", "install") {
		mode := ""
		if c.Name == "install" {
			mode, _ = c.FlagValue("-m", "--mode")
		} else if ops := c.Operands(); len(ops) > 0 {
			mode = ops[0].Value
		}
		if mode == "" {
			for _, a := range c.Args[1:] {
				// chmod's mode can look like a flag: "chmod -R u+s" has mode after -R.
				if strings.Contains(a.Value, "+s") {
					mode = a.Value
				}
			}
		}
		if modeSetuid(mode) {
			r.cmd(c, "%s %s sets the %s", c.Name, mode, setuidBits(mode))
		}
	}
}

// modeSetuid reports a chmod mode that adds setuid or setgid.
func modeSetuid(m string) bool {
	if m == "" {
		return false
	}
	if m[0] >= '0' && m[0] <= '7' {
		if len(m) == 4 {
			d := m[0] - '0'
			return d&6 != 0
		}
		return false
	}
	for _, clause := range strings.Split(m, ",") {
		if i := strings.IndexAny(clause, "+="); i >= 0 && strings.ContainsRune(clause[i:], 's') {
			return true
		}
	}
	return false
}

// setuidBits names the special bits a mode accepted by modeSetuid adds: "setuid bit", "setgid
// bit" or "setuid and setgid bits".
func setuidBits(m string) string {
	uid, gid := false, false
	if m != "" && m[0] >= '0' && m[0] <= '7' {
		d := m[0] - '0'
		uid, gid = d&4 != 0, d&2 != 0
	} else {
		for _, clause := range strings.Split(m, ",") {
			i := strings.IndexAny(clause, "+=")
			if i < 0 || !strings.ContainsRune(clause[i:], 's') {
				continue
			}
			who := clause[:i]
			if who == "" || strings.ContainsAny(who, "ua") {
				uid = true
			}
			if who == "" || strings.ContainsAny(who, "ga") {
				gid = true
			}
		}
	}
	switch {
	case uid && gid:
		return "setuid and setgid bits"
	case gid:
		return "setgid bit"
	default:
		return "setuid bit"
	}
}
