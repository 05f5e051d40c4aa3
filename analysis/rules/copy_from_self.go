package rules

import (
	"strings"

	"github.com/layerlens/layerlens/analysis"
)

// CopyFromSelf flags COPY --from naming the stage it is in (row 20).
var CopyFromSelf = &analysis.Rule{
	Name:     "CopyFromSelf",
	Summary:  "COPY --from refers to the stage it is in",
	Severity: analysis.SeverityError,
	Refs:     analysis.Refs{Hadolint: []string{"DL3023"}, Trivy: []string{"DS-0006"}},
	Doc:      "A stage cannot copy from itself: the files do not exist yet. Point `--from` at an earlier stage or an image.",
	Run: func(p *analysis.Pass) {
		for _, in := range byCmd(p.File, "COPY") {
			fl := flagOf(in, "from")
			if fl == nil || in.Stage < 0 || in.Stage >= len(p.File.Stages) {
				continue
			}
			st := p.File.Stages[in.Stage]
			if st.Name != "" && strings.EqualFold(fl.Value, st.Name) || fl.Value == itoa(st.Index) {
				p.Reportf(fl.Range, "COPY --from=%s refers to the current stage", fl.Value)
			}
		}
	},
}
