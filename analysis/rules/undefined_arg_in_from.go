package rules

import (
	"regexp"

	"github.com/layerlens/layerlens/analysis"
)

// builtinArgs are the ARGs BuildKit defines without a declaration.
var builtinArgs = map[string]bool{
	"TARGETPLATFORM": true, "TARGETOS": true, "TARGETARCH": true, "TARGETVARIANT": true,
	"BUILDPLATFORM": true, "BUILDOS": true, "BUILDARCH": true, "BUILDVARIANT": true,
	"BUILDKIT_SYNTAX": true, "BUILDKIT_INLINE_CACHE": true, "BUILDKIT_MULTI_PLATFORM": true,
	"SOURCE_DATE_EPOCH": true, "HTTP_PROXY": true, "HTTPS_PROXY": true, "FTP_PROXY": true, "NO_PROXY": true,
	"ALL_PROXY": true, "http_proxy": true, "https_proxy": true, "ftp_proxy": true, "no_proxy": true, "all_proxy": true,
}

var varRef = regexp.MustCompile(`\$(?:\{([A-Za-z_][A-Za-z0-9_]*)[^}]*\}|([A-Za-z_][A-Za-z0-9_]*))`)

// UndefinedArgInFrom flags FROM lines using an ARG not declared before the first FROM (row 12).
var UndefinedArgInFrom = &analysis.Rule{
	Name:     "UndefinedArgInFrom",
	Summary:  "FROM uses a build argument that is not declared before the first FROM",
	Severity: analysis.SeverityWarning,
	Refs:     analysis.Refs{BuildKit: "UndefinedArgInFrom"},
	Doc: "Only ARGs declared before the first FROM (global ARGs) and the predefined platform ARGs " +
		"can be used in FROM. An undeclared one expands to the empty string, which is rarely " +
		"intended. Declare it (with a default) above the first FROM.",
	Run: func(p *analysis.Pass) {
		global := globalArgs(p.File)
		for _, st := range p.File.Stages {
			for _, r := range []struct {
				text string
				rng  analysis.Range
			}{{st.BaseImage, st.BaseRange}, {st.Platform, st.PlatformRange}} {
				for _, m := range varRef.FindAllStringSubmatch(r.text, -1) {
					name := m[1] + m[2]
					if _, ok := global[name]; ok || builtinArgs[name] {
						continue
					}
					p.Reportf(r.rng, "FROM argument '%s' is not declared", name)
				}
			}
		}
	},
}
