package rules

import (
	"strings"

	"github.com/layerlens/layerlens/analysis"
)

// ExposeProtoCasing flags EXPOSE 80/TCP (row 45).
var ExposeProtoCasing = &analysis.Rule{
	Name:     "ExposeProtoCasing",
	Summary:  "EXPOSE protocol should be lower case",
	Severity: analysis.SeverityWarning,
	Refs:     analysis.Refs{BuildKit: "ExposeProtoCasing"},
	Doc:      "Protocols are `tcp`, `udp` and `sctp` in lower case; other spellings are not recognised by every tool. The fix lower-cases it.",
	Fixable:  true,
	Run: func(p *analysis.Pass) {
		for _, in := range byCmd(p.File, "EXPOSE") {
			for _, e := range exposePorts(in) {
				if e.Proto == "" || e.Proto == strings.ToLower(e.Proto) {
					continue
				}
				low := strings.ToLower(e.Arg.Value)
				p.Report(analysis.Finding{Range: e.Arg.Range, Message: "defined protocol '" + e.Proto + "' in EXPOSE instruction should be lowercase",
					Fixes: []analysis.Fix{{Title: "Write " + low, Edits: []analysis.TextEdit{{Range: e.Arg.Range, NewText: low}}}}})
			}
		}
	},
}
