package rules

import "github.com/layerlens/layerlens/analysis"

// ConsecutiveRun flags runs of several RUN instructions in a row (row 37).
var ConsecutiveRun = &analysis.Rule{
	Name:     "ConsecutiveRun",
	Summary:  "Several consecutive RUN instructions could be one",
	Severity: analysis.SeverityHint,
	Refs:     analysis.Refs{Hadolint: []string{"DL3059"}},
	Doc:      "Each RUN makes a layer. Consecutive RUNs with the same flags can usually be joined with `&&`, which also lets one RUN clean up what it installed. Reported from the third RUN in a row; RUNs with different --mount or --network flags are not counted together.",
	Run: func(p *analysis.Pass) {
		for _, st := range p.File.Stages {
			n := 0
			prevFlags := ""
			for _, in := range st.Instructions {
				if in.Cmd != "RUN" {
					n = 0
					continue
				}
				fl := ""
				for _, f := range in.Flags {
					fl += f.Name + "=" + f.Value + " "
				}
				if n > 0 && fl != prevFlags {
					n = 0
				}
				prevFlags = fl
				n++
				if n == 3 {
					p.Reportf(in.KeywordRange, "three or more consecutive RUN instructions; consider joining them")
				}
			}
		}
	},
}
