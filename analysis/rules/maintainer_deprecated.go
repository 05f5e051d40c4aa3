package rules

import (
	"strconv"

	"github.com/layerlens/layerlens/analysis"
)

// MaintainerDeprecated flags MAINTAINER (row 28).
var MaintainerDeprecated = &analysis.Rule{
	Name:     "MaintainerDeprecated",
	Summary:  "MAINTAINER is deprecated; use LABEL org.opencontainers.image.authors",
	Severity: analysis.SeverityInfo,
	Refs:     analysis.Refs{Hadolint: []string{"DL4000"}, BuildKit: "MaintainerDeprecated", Trivy: []string{"DS-0022"}, Checkov: []string{"CKV_DOCKER_6"}},
	Doc:      "MAINTAINER has been deprecated since Docker 1.13. The OCI annotation `org.opencontainers.image.authors` carries the same information. The fix rewrites the instruction.",
	Fixable:  true,
	Run: func(p *analysis.Pass) {
		for _, in := range byCmd(p.File, "MAINTAINER") {
			fd := analysis.Finding{Range: in.KeywordRange, Message: "MAINTAINER instruction is deprecated in favor of using label",
				Tags: []analysis.Tag{analysis.TagDeprecated}}
			if !in.Continued && len(in.Args) > 0 {
				who := rangeText(p.File, argsRange(p.File, in))
				fd.Fixes = []analysis.Fix{{Title: "Replace with LABEL org.opencontainers.image.authors",
					Edits: []analysis.TextEdit{{Range: analysis.Range{Start: in.Range.Start, End: argsRange(p.File, in).End},
						NewText: "LABEL org.opencontainers.image.authors=" + strconv.Quote(unquote(who))}}}}
			}
			p.Report(fd)
		}
	},
}
