package rules

import (
	"github.com/layerlens/layerlens/analysis"
	"github.com/layerlens/layerlens/analysis/shellcmd"
)

// ExposedSSH flags EXPOSE 22 and SSH servers installed in the image (row 47).
var ExposedSSH = &analysis.Rule{
	Name:     "ExposedSSH",
	Summary:  "SSH port exposed or an SSH server installed",
	Severity: analysis.SeverityWarning,
	Refs:     analysis.Refs{Hadolint: []string{"DL3001"}, Trivy: []string{"DS-0004"}, Checkov: []string{"CKV_DOCKER_1"}, CIS: []string{"4.3"}},
	Doc: "Containers are entered with `docker exec` or `kubectl exec`; an SSH daemon adds keys to " +
		"manage, a daemon to patch and a way in for attackers (images with planted SSH access are " +
		"a known malware pattern). Remove port 22 and the server package.",
	Run: func(p *analysis.Pass) {
		for _, in := range byCmd(p.File, "EXPOSE") {
			for _, e := range exposePorts(in) {
				if !e.NumericErr && e.Low <= 22 && 22 <= e.High {
					p.Reportf(e.Arg.Range, "port 22 (SSH) is exposed")
				}
			}
		}
		runShell(checkSSHServer)(p)
		// Port 22 exposed by the base image is ImageInheritedExposedPort's.
	},
}

func checkSSHServer(s *shellcmd.Script, r *shellReporter) {
	for _, ic := range packageInstalls(s) {
		for _, w := range ic.Pkgs {
			switch pkgName(w.Value) {
			case "openssh-server", "openssh", "dropbear", "ssh":
				r.word(w, "SSH server package %s is installed", w.Value)
			}
		}
	}
	for _, c := range s.Find("sshd") {
		r.cmd(c, "sshd is started in the build")
	}
}
