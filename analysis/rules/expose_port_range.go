package rules

import "github.com/layerlens/layerlens/analysis"

// ExposePortRange flags EXPOSE ports outside 0-65535 (row 44).
var ExposePortRange = &analysis.Rule{
	Name:     "ExposePortRange",
	Summary:  "EXPOSE port is outside 0–65535",
	Severity: analysis.SeverityError,
	Refs:     analysis.Refs{Hadolint: []string{"DL3011"}, Trivy: []string{"DS-0008"}},
	Doc:      "TCP and UDP ports are 16-bit numbers; anything larger is a typo and fails at run time.",
	Run: func(p *analysis.Pass) {
		for _, in := range byCmd(p.File, "EXPOSE") {
			for _, e := range exposePorts(in) {
				if e.HasVar {
					continue
				}
				if e.NumericErr {
					p.Reportf(e.Arg.Range, "EXPOSE %s is not a port number", e.Ports)
					continue
				}
				if e.Low < 0 || e.High > 65535 || e.Low > e.High {
					p.Reportf(e.Arg.Range, "EXPOSE %s is outside the valid port range 0-65535", e.Ports)
				}
			}
		}
	},
}
