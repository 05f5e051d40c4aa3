package rules

import (
	"strings"

	"github.com/layerlens/layerlens/analysis"
	"github.com/layerlens/layerlens/analysis/shellcmd"
)

// ShellChangeInRun flags RUN ln -sf /bin/bash /bin/sh (row 35).
var ShellChangeInRun = &analysis.Rule{
	Name:     "ShellChangeInRun",
	Summary:  "RUN replaces /bin/sh; use the SHELL instruction instead",
	Severity: analysis.SeverityWarning,
	Refs:     analysis.Refs{Hadolint: []string{"DL4005"}},
	Doc:      "Relinking `/bin/sh` changes the shell for everything in the image, including scripts that expect a POSIX sh. The SHELL instruction changes it only for the Dockerfile's own RUN, CMD and ENTRYPOINT.",
	Run:      runShell(checkShellChange),
}

func checkShellChange(s *shellcmd.Script, r *shellReporter) {
	for _, c := range s.Find("ln") {
		ops := c.Operands()
		if len(ops) >= 2 && strings.TrimSuffix(ops[len(ops)-1].Value, "/") == "/bin/sh" {
			r.cmd(c, "RUN relinks /bin/sh; use SHELL [\"%s\", \"-c\"] instead", ops[0].Value)
		}
	}
}
