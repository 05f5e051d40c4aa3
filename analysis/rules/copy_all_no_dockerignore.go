package rules

import (
	"strings"

	"github.com/layerlens/layerlens/analysis"
)

// CopyAllNoDockerignore flags COPY . without a .dockerignore (row 94).
var CopyAllNoDockerignore = &analysis.Rule{
	Name:     "CopyAllNoDockerignore",
	Summary:  "COPY of the whole build context with no .dockerignore",
	Severity: analysis.SeverityWarning,
	Refs:     analysis.Refs{CIS: []string{"4.10"}},
	Doc: "`COPY . .` without a .dockerignore copies everything in the context: `.git` (with its " +
		"history), `.env` files, local credentials, build output. Add a .dockerignore that " +
		"excludes at least `.git`, `.env*` and key files. Only reported when the caller looked " +
		"for the .dockerignore and found none.",
	Run: func(p *analysis.Pass) {
		if p.DockerIgnore == nil || p.DockerIgnore.Exists {
			return
		}
		for _, in := range byCmd(p.File, "COPY", "ADD") {
			if flagOf(in, "from") != nil || len(in.Args) < 2 {
				continue
			}
			for _, a := range in.Args[:len(in.Args)-1] {
				if v := strings.TrimSuffix(unquote(a.Value), "/"); v == "." || v == "" || v == "*" || v == "./*" {
					p.Reportf(a.Range, "%s copies the whole build context, and there is no .dockerignore", in.Cmd)
				}
			}
		}
	},
}
