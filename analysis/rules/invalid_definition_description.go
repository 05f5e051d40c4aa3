package rules

import (
	"strings"

	"github.com/layerlens/layerlens/analysis"
)

// InvalidDefinitionDescription flags comments right above FROM/ARG that do not start with the
// stage or ARG name (row 29).
var InvalidDefinitionDescription = &analysis.Rule{
	Name:     "InvalidDefinitionDescription",
	Summary:  "Comment above a stage or ARG should start with its name",
	Severity: analysis.SeverityHint,
	Refs:     analysis.Refs{BuildKit: "InvalidDefinitionDescription"},
	Doc: "Tools such as `docker buildx build --call=outline` show the comment directly above a " +
		"named stage or an ARG as its description, if it starts with the name (`# VERSION the " +
		"release to build`). Separate other comments with an empty line.",
	Run: func(p *analysis.Pass) {
		commentAt := map[int]*analysis.Comment{}
		for _, c := range p.File.Comments {
			commentAt[c.Range.Start.Line] = c
		}
		for _, in := range p.File.Instructions {
			var names []string
			switch in.Cmd {
			case "FROM":
				if in.Stage >= 0 && in.Stage < len(p.File.Stages) && p.File.Stages[in.Stage].Name != "" {
					names = []string{p.File.Stages[in.Stage].Name}
				}
			case "ARG":
				for _, kv := range kvOf(p, in) {
					names = append(names, kv.Key)
				}
			}
			if len(names) != 1 {
				continue
			}
			c := commentAt[in.Range.Start.Line-1]
			if c == nil || strings.HasPrefix(strings.TrimSpace(c.Text), "syntax=") {
				continue
			}
			first := strings.Fields(c.Text)
			if len(first) > 0 && first[0] == names[0] {
				continue
			}
			if len(first) > 0 && (strings.Contains(strings.ToLower(c.Text), "ignore=") || strings.HasPrefix(c.Text, "check=")) {
				continue
			}
			p.Reportf(c.Range, "comment for %s should follow the format: `# %s <description>`", in.Cmd, names[0])
		}
	},
}
