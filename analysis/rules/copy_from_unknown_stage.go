package rules

import (
	"strconv"
	"strings"

	"github.com/layerlens/layerlens/analysis"
)

// CopyFromUnknownStage flags COPY --from=<name> where no earlier stage has that name (row 21).
var CopyFromUnknownStage = &analysis.Rule{
	Name:     "CopyFromUnknownStage",
	Summary:  "COPY --from names a stage that is not defined earlier",
	Severity: analysis.SeverityWarning,
	Refs:     analysis.Refs{Hadolint: []string{"DL3022"}},
	Doc: "A `--from` value that is not an earlier stage is pulled as an image named that way, which " +
		"is rarely what a typo meant (`--from=buidler`). Values that look like image references " +
		"(with `:`, `/` or `@`) and indexes of earlier stages are fine. A later stage's name is " +
		"reported too: stages can only copy from stages above them. A named build context " +
		"(`docker buildx build --build-context name=...`) cannot be told apart from a typo in the " +
		"text; suppress the finding for it.",
	Run: func(p *analysis.Pass) {
		for _, in := range byCmd(p.File, "COPY") {
			fl := flagOf(in, "from")
			if fl == nil || fl.Value == "" || strings.ContainsAny(fl.Value, ":/@$") {
				continue
			}
			v := strings.ToLower(fl.Value)
			if n, err := strconv.Atoi(v); err == nil {
				if n >= 0 && (in.Stage < 0 || n < in.Stage) {
					continue
				}
				p.Reportf(fl.Range, "COPY --from=%d does not refer to an earlier stage", n)
				continue
			}
			known, later := false, false
			for _, st := range p.File.Stages {
				if strings.ToLower(st.Name) == v {
					if st.Index < in.Stage || in.Stage < 0 {
						known = true
					} else if st.Index > in.Stage {
						later = true
					} else {
						known = true // CopyFromSelf reports it
					}
				}
			}
			switch {
			case known:
			case later:
				p.Reportf(fl.Range, "COPY --from=%s refers to a stage defined later; stages can only copy from earlier ones", fl.Value)
			default:
				p.Reportf(fl.Range, "COPY --from=%s is not a stage defined above; it will be pulled as an image named %q", fl.Value, fl.Value)
			}
		}
	},
}

func itoa(i int) string { return strconv.Itoa(i) }
