package rules

import (
	"strconv"
	"strings"

	"github.com/layerlens/layerlens/analysis"
)

// NonNumericUser flags a final USER given by name (row 59).
var NonNumericUser = &analysis.Rule{
	Name:     "NonNumericUser",
	Summary:  "USER is a name, not a numeric UID",
	Severity: analysis.SeverityHint,
	Refs:     analysis.Refs{Hadolint: []string{"DL3066"}},
	Doc:      "Kubernetes' `runAsNonRoot` can only verify a numeric user; with a name it refuses to start the pod. `USER 10001:10001` works everywhere.",
	Run: func(p *analysis.Pass) {
		st := lastStage(p.File)
		if st == nil {
			return
		}
		last := lastInstruction(st, "USER")
		if last == nil || len(last.Args) == 0 {
			return
		}
		v := unquote(last.Args[0].Value)
		name, _, _ := strings.Cut(v, ":")
		if _, err := strconv.Atoi(name); err != nil && !strings.Contains(name, "$") && !isRootUser(v) {
			p.Reportf(last.Args[0].Range, "USER %s is not numeric; runAsNonRoot cannot verify it", v)
		}
	},
}
