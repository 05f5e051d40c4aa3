package rules

import (
	"path"
	"strings"

	"github.com/layerlens/layerlens/analysis"
)

// WorkdirSystemDir flags WORKDIR on /proc, /boot, /dev, /sys... (row 55).
var WorkdirSystemDir = &analysis.Rule{
	Name:     "WorkdirSystemDir",
	Summary:  "WORKDIR is a system directory (/proc, /sys, /dev, /boot, ...)",
	Severity: analysis.SeverityWarning,
	Refs:     analysis.Refs{Trivy: []string{"DS-0030"}},
	Doc:      "`/proc`, `/sys` and `/dev` are replaced by kernel filesystems at run time, and `/boot`, `/initrd` and `/lost+found` belong to the host OS. Files written there vanish or shadow system state.",
	Run: func(p *analysis.Pass) {
		for _, in := range byCmd(p.File, "WORKDIR") {
			if len(in.Args) == 0 {
				continue
			}
			v := path.Clean(unquote(in.Args[0].Value))
			for _, d := range []string{"/proc", "/sys", "/dev", "/boot", "/initrd", "/lost+found"} {
				if v == d || strings.HasPrefix(v, d+"/") {
					p.Reportf(in.Args[0].Range, "WORKDIR %s is a system directory", v)
				}
			}
		}
	},
}
