package rules

import (
	"strings"

	"github.com/layerlens/layerlens/analysis"
)

// InlineIgnorePragma reports inline linter-ignore comments (row 30).
var InlineIgnorePragma = &analysis.Rule{
	Name:     "InlineIgnorePragma",
	Summary:  "Inline linter-ignore comment present",
	Severity: analysis.SeverityHint,
	Refs:     analysis.Refs{Hadolint: []string{"DL1001"}},
	Doc: "Some teams want every exception in the project configuration, where it is reviewed, " +
		"rather than in `# layerlens ignore=` or `# hadolint ignore=` comments. This rule lists " +
		"them; turn it off (`InlineIgnorePragma: off`) if inline exceptions are fine for you.",
	Run: func(p *analysis.Pass) {
		for _, c := range p.File.Comments {
			t := strings.ToLower(strings.TrimSpace(c.Text))
			if strings.HasPrefix(t, "layerlens ignore=") || strings.HasPrefix(t, "hadolint ignore=") || strings.HasPrefix(t, "hadolint global ignore=") {
				p.Reportf(c.Range, "inline ignore comment; consider moving the exception to .layerlens.yaml")
			}
		}
	},
}
