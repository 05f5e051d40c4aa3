package rules

import "github.com/layerlens/layerlens/analysis"

// ExposeInvalidFormat flags EXPOSE with an IP or host port (row 46).
var ExposeInvalidFormat = &analysis.Rule{
	Name:     "ExposeInvalidFormat",
	Summary:  "EXPOSE takes container ports only, not IP addresses or host:container mappings",
	Severity: analysis.SeverityWarning,
	Refs:     analysis.Refs{BuildKit: "ExposeInvalidFormat"},
	Doc:      "Publishing to a host port or address is a run-time decision (`docker run -p`). In EXPOSE the extra parts are ignored or rejected. The fix keeps the container port.",
	Fixable:  true,
	Run: func(p *analysis.Pass) {
		for _, in := range byCmd(p.File, "EXPOSE") {
			for _, e := range exposePorts(in) {
				if e.Host == "" && e.IP == "" {
					continue
				}
				keep := e.Ports
				if e.Proto != "" {
					keep += "/" + e.Proto
				}
				fd := analysis.Finding{Range: e.Arg.Range, Message: "EXPOSE instruction should not define an IP address or host-port mapping, found '" + unquote(e.Arg.Value) + "'"}
				if !in.JSON {
					fd.Fixes = []analysis.Fix{{Title: "Expose " + keep, Edits: []analysis.TextEdit{{Range: e.Arg.Range, NewText: keep}}}}
				}
				p.Report(fd)
			}
		}
	},
}
