package rules

import (
	"github.com/layerlens/layerlens/analysis"
)

// JSONArgsRecommended flags shell-form CMD/ENTRYPOINT (row 39).
var JSONArgsRecommended = &analysis.Rule{
	Name:     "JSONArgsRecommended",
	Summary:  "Use the JSON (exec) form for CMD and ENTRYPOINT",
	Severity: analysis.SeverityInfo,
	Refs:     analysis.Refs{Hadolint: []string{"DL3025"}, BuildKit: "JSONArgsRecommended"},
	Doc: "In shell form the program runs as a child of `/bin/sh -c`, which does not forward " +
		"SIGTERM: `docker stop` waits and then kills the container. Use `[\"prog\", \"arg\"]`, or " +
		"`exec` in a script. Not reported in stages that set SHELL, or when the base image sets one.",
	Run: func(p *analysis.Pass) {
		for _, st := range p.File.Stages {
			if facts := p.Facts[st.Index]; facts != nil && len(facts.Shell) > 0 {
				continue
			}
			shell := false
			for _, in := range st.Instructions {
				if in.Cmd == "SHELL" {
					shell = true
				}
			}
			if shell {
				continue
			}
			for _, in := range st.Instructions {
				if (in.Cmd == "CMD" || in.Cmd == "ENTRYPOINT") && !in.JSON && len(in.Args) > 0 {
					p.Reportf(argsRange(p.File, in), "JSON arguments recommended for %s to prevent unintended behavior related to OS signals", in.Cmd)
				}
			}
		}
	},
}
