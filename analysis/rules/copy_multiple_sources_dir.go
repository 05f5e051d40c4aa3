package rules

import (
	"strings"

	"github.com/layerlens/layerlens/analysis"
)

// CopyMultipleSourcesDir flags COPY a b dest where dest does not end in / (row 38).
var CopyMultipleSourcesDir = &analysis.Rule{
	Name:     "CopyMultipleSourcesDir",
	Summary:  "COPY/ADD with several sources needs a destination ending in /",
	Severity: analysis.SeverityError,
	Refs:     analysis.Refs{Hadolint: []string{"DL3021"}, Trivy: []string{"DS-0011"}},
	Doc:      "With more than one source, the destination must be a directory, written with a trailing slash; otherwise the build fails. The fix appends the slash.",
	Fixable:  true,
	Run: func(p *analysis.Pass) {
		for _, in := range byCmd(p.File, "COPY", "ADD") {
			if len(in.Args) < 3 || len(in.Heredocs) > 0 {
				continue
			}
			dest := in.Args[len(in.Args)-1]
			v := unquote(dest.Value)
			if strings.HasSuffix(v, "/") || strings.HasSuffix(v, "\\") || strings.Contains(v, "$") {
				continue
			}
			fd := analysis.Finding{Range: dest.Range, Message: "COPY with more than 2 arguments requires the last argument to end with /"}
			if !in.JSON && dest.Value == v {
				fd.Fixes = []analysis.Fix{{Title: "Append /", Edits: []analysis.TextEdit{{Range: analysis.Range{Start: dest.Range.End, End: dest.Range.End}, NewText: "/"}}}}
			}
			p.Report(fd)
		}
	},
}
