package rules

import (
	"github.com/layerlens/layerlens/analysis"
	"github.com/layerlens/layerlens/analysis/shellcmd"
)

// PasswordInBuild flags passwords set during the build (row 61).
var PasswordInBuild = &analysis.Rule{
	Name:     "PasswordInBuild",
	Summary:  "A password is set during the build (chpasswd, passwd --stdin, usermod -p)",
	Severity: analysis.SeverityWarning,
	Refs:     analysis.Refs{Checkov: []string{"CKV2_DOCKER_17"}, CIS: []string{"4.10"}},
	Doc:      "A password set in a RUN line is in the image history for anyone who pulls it, and the same password is shared by every container. Use key-based access configured at run time, or no login at all.",
	Run:      runShell(checkPasswords),
}

func checkPasswords(s *shellcmd.Script, r *shellReporter) {
	for _, c := range s.Commands {
		switch {
		case c.Name == "chpasswd":
			r.cmd(c, "password set with chpasswd during the build")
		case c.Name == "passwd" && c.HasFlag("--stdin"):
			r.cmd(c, "password set with passwd --stdin during the build")
		case (c.Name == "usermod" || c.Name == "useradd") && c.HasFlag("-p", "--password"):
			r.cmd(c, "password set with %s -p during the build", c.Name)
		}
	}
}
