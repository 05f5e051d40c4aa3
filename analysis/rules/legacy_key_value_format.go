package rules

import (
	"strings"

	"github.com/layerlens/layerlens/analysis"
)

// LegacyKeyValueFormat flags "ENV key value" / "LABEL key value" / "ARG key value" (row 27).
var LegacyKeyValueFormat = &analysis.Rule{
	Name:     "LegacyKeyValueFormat",
	Summary:  "Legacy whitespace form \"ENV key value\"; use key=value",
	Severity: analysis.SeverityHint,
	Refs:     analysis.Refs{BuildKit: "LegacyKeyValueFormat"},
	Doc: "The whitespace form sets one variable to the whole rest of the line, which surprises " +
		"readers (`ENV A 1 B 2` sets A to \"1 B 2\") and is deprecated. Write `key=value`, quoting " +
		"values with spaces. The fix rewrites simple cases. Hint, because it is common in older " +
		"files (the docker-library images use it widely) and harmless.",
	Fixable: true,
	Run: func(p *analysis.Pass) {
		for _, in := range byCmd(p.File, "ENV", "LABEL", "ARG") {
			if len(in.Args) < 2 || strings.Contains(in.Args[0].Value, "=") {
				continue
			}
			if in.Cmd == "ARG" {
				// "ARG a b" declares two ARGs in new syntax only if both are plain names; the
				// legacy reading is "a" with value "b" — BuildKit flags it either way.
				if strings.Contains(in.Args[1].Value, "=") {
					continue
				}
			}
			key := in.Args[0]
			fd := analysis.Finding{Range: key.Range,
				Message: "\"" + in.Cmd + " key=value\" should be used instead of legacy \"" + in.Cmd + " key value\" format"}
			if !in.Continued {
				rest := analysis.Range{Start: in.Args[1].Range.Start, End: in.Args[len(in.Args)-1].Range.End}
				val := rangeText(p.File, rest)
				if !strings.ContainsAny(val, "\"'\\$`") {
					nv := val
					if strings.ContainsAny(val, " \t") {
						nv = "\"" + val + "\""
					}
					fd.Fixes = []analysis.Fix{{Title: "Use " + key.Value + "=value",
						Edits: []analysis.TextEdit{{Range: analysis.Range{Start: key.Range.Start, End: rest.End}, NewText: key.Value + "=" + nv}}}}
				}
			}
			p.Report(fd)
		}
	},
}
