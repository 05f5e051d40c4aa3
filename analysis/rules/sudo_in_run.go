package rules

import (
	"github.com/layerlens/layerlens/analysis"
	"github.com/layerlens/layerlens/analysis/shellcmd"
)

// SudoInRun flags sudo in RUN (row 58).
var SudoInRun = &analysis.Rule{
	Name:     "SudoInRun",
	Summary:  "Do not use sudo in RUN",
	Severity: analysis.SeverityWarning,
	Refs:     analysis.Refs{Hadolint: []string{"DL3004"}, Trivy: []string{"DS-0010"}, Checkov: []string{"CKV2_DOCKER_1"}},
	Doc:      "sudo behaves unpredictably without a TTY, needs a sudoers setup in the image, and leaves a privilege-escalation tool behind. Switch with `USER root` for the steps that need it and back afterwards.",
	Run:      runShell(checkSudo),
}

func checkSudo(s *shellcmd.Script, r *shellReporter) {
	for _, c := range s.Commands {
		if contains(c.Wrappers, "sudo") || c.Name == "sudo" {
			r.cmd(c, "do not use sudo in RUN; use USER to change user")
		}
	}
}
