package rules

import "github.com/layerlens/layerlens/analysis"

// CopyWholeFilesystem flags COPY --from=<stage> / (row 22).
var CopyWholeFilesystem = &analysis.Rule{
	Name:     "CopyWholeFilesystem",
	Summary:  "COPY --from copies the whole filesystem of another stage or image",
	Severity: analysis.SeverityWarning,
	Refs:     analysis.Refs{Hadolint: []string{"DL3067"}},
	Doc:      "Copying `/` brings the other stage's entire OS (package databases, caches, /etc) into this one, defeating a multi-stage build. Copy the directories you need.",
	Run: func(p *analysis.Pass) {
		for _, in := range byCmd(p.File, "COPY") {
			if flagOf(in, "from") == nil || len(in.Args) < 2 {
				continue
			}
			for _, a := range in.Args[:len(in.Args)-1] {
				if v := unquote(a.Value); v == "/" || v == "/." || v == "/*" {
					p.Reportf(a.Range, "COPY --from copies the whole filesystem (%s); copy only the paths you need", v)
				}
			}
		}
	},
}
