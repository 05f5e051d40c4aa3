package rules

import (
	"strings"

	"github.com/layerlens/layerlens/analysis"
)

// FromPlatformFlagConstDisallowed flags FROM --platform with a constant value (row 9).
var FromPlatformFlagConstDisallowed = &analysis.Rule{
	Name:     "FromPlatformFlagConstDisallowed",
	Summary:  "FROM --platform is set to a constant value",
	Severity: analysis.SeverityWarning,
	Refs:     analysis.Refs{Hadolint: []string{"DL3029"}, BuildKit: "FromPlatformFlagConstDisallowed"},
	Doc: "A constant `--platform=linux/amd64` forces one platform even when the build targets " +
		"another, so multi-platform builds quietly produce wrong images (or run under emulation). " +
		"Use `$BUILDPLATFORM` for build stages or drop the flag. A stage whose name mentions the " +
		"platform (`build_amd64`, selected later with `FROM build_${TARGETARCH}`) is the accepted " +
		"pattern and is not reported. The fix removes the flag.",
	Fixable: true,
	Run: func(p *analysis.Pass) {
		for _, st := range p.File.Stages {
			fl := flagOf(st.From, "platform")
			if fl == nil || strings.Contains(fl.Value, "$") || fl.Value == "" {
				continue
			}
			name := strings.ToLower(st.Name)
			skip := false
			for _, part := range strings.Split(strings.ToLower(fl.Value), "/") {
				if part != "" && strings.Contains(name, part) {
					skip = true
				}
			}
			if skip {
				continue
			}
			end := fl.Range.End
			// Remove the flag and the blank after it.
			line := lineRange(p.File, end.Line)
			txt := rangeText(p.File, analysis.Range{Start: end, End: line.End})
			if strings.HasPrefix(txt, " ") {
				end.Col += len(txt) - len(strings.TrimLeft(txt, " \t"))
			}
			p.Report(analysis.Finding{
				Range:   fl.Range,
				Message: "FROM --platform flag should not use a constant value \"" + fl.Value + "\"",
				Fixes:   []analysis.Fix{{Title: "Remove --platform=" + fl.Value, Edits: []analysis.TextEdit{{Range: analysis.Range{Start: fl.Range.Start, End: end}}}}},
			})
		}
	},
}
