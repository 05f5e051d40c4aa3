package rules

import "github.com/layerlens/layerlens/analysis"

// InvalidOnbuildTrigger flags ONBUILD FROM/MAINTAINER/ONBUILD (row 24).
var InvalidOnbuildTrigger = &analysis.Rule{
	Name:     "InvalidOnbuildTrigger",
	Summary:  "ONBUILD cannot trigger FROM, MAINTAINER or ONBUILD",
	Severity: analysis.SeverityError,
	Refs:     analysis.Refs{Hadolint: []string{"DL3043"}},
	Doc:      "Docker rejects `ONBUILD FROM`, `ONBUILD MAINTAINER` and `ONBUILD ONBUILD`.",
	Run: func(p *analysis.Pass) {
		for _, in := range byCmd(p.File, "ONBUILD") {
			if in.Sub == nil {
				continue
			}
			switch in.Sub.Cmd {
			case "FROM", "MAINTAINER", "ONBUILD":
				p.Reportf(in.Sub.KeywordRange, "ONBUILD %s is not allowed", in.Sub.Cmd)
			}
		}
	},
}
