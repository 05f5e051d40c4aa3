package rules

import (
	"strings"

	"github.com/layerlens/layerlens/analysis"
	"github.com/layerlens/layerlens/analysis/shellcmd"
)

// PlantedSSHKey flags authorized_keys written into the image and root SSH logins enabled (row 70).
var PlantedSSHKey = &analysis.Rule{
	Name:     "PlantedSSHKey",
	Summary:  "An SSH authorized key is planted in the image, or root login is enabled",
	Severity: analysis.SeverityError,
	Refs:     analysis.Refs{CIS: []string{"4.10"}},
	Doc: "A key in `authorized_keys` lets whoever holds the private key into every container of " +
		"the image; enabling `PermitRootLogin yes` makes that root. Planted keys are a known " +
		"backdoor in malicious images. Provide access at run time if at all.",
	Run: func(p *analysis.Pass) {
		for _, in := range byCmd(p.File, "COPY", "ADD") {
			if len(in.Args) < 2 {
				continue
			}
			dest := in.Args[len(in.Args)-1]
			if strings.Contains(dest.Value, "authorized_keys") || strings.HasSuffix(strings.TrimSuffix(unquote(dest.Value), "/"), ".ssh") && anySrc(in, ".pub", "authorized_keys") {
				p.Reportf(dest.Range, "%s writes an SSH authorized key into the image", in.Cmd)
			}
		}
		runShell(checkPlantedSSH)(p)
	},
}

func anySrc(in *analysis.Instruction, subs ...string) bool {
	for _, a := range in.Args[:len(in.Args)-1] {
		for _, s := range subs {
			if strings.Contains(a.Value, s) {
				return true
			}
		}
	}
	return false
}

func checkPlantedSSH(s *shellcmd.Script, r *shellReporter) {
	for _, c := range s.Commands {
		for _, rd := range c.Redirs {
			if (rd.Op == ">" || rd.Op == ">>") && strings.Contains(rd.Target.Value, "authorized_keys") {
				r.cmd(c, "writes an SSH key to %s", rd.Target.Value)
			}
			if (rd.Op == ">" || rd.Op == ">>") && strings.Contains(rd.Target.Value, "sshd_config") && strings.Contains(c.Text(), "PermitRootLogin yes") {
				r.cmd(c, "enables SSH root login")
			}
		}
		if c.Name == "tee" || c.Name == "cp" || c.Name == "mv" || c.Name == "curl" || c.Name == "wget" {
			for _, a := range c.Args[1:] {
				if strings.Contains(a.Value, "authorized_keys") {
					r.cmd(c, "writes an SSH key to %s", a.Value)
					break
				}
			}
		}
		if c.Name == "sed" && strings.Contains(c.Text(), "PermitRootLogin yes") {
			r.cmd(c, "enables SSH root login")
		}
	}
}
