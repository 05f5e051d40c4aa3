package rules

import (
	"regexp"
	"strings"

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
				for _, name := range varRefNames(r.text) {
					if _, ok := global[name]; ok || builtinArgs[name] {
						continue
					}
					p.Reportf(r.rng, "FROM argument '%s' is not declared", name)
				}
			}
		}
	},
}

// varRefNames returns the variable names varRef matches in s, in order: what
// varRef.FindAllStringSubmatch gives as m[1]+m[2], without the regular expression (rules run it
// over every ENV value and FROM of the file on every keystroke).
func varRefNames(s string) []string {
	var out []string
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 >= len(s) {
			continue
		}
		j := i + 1
		if s[j] == '{' {
			// ${NAME...}: a name, anything but '}', then '}'.
			k := nameEnd(s, j+1)
			if k == j+1 {
				continue
			}
			end := strings.IndexByte(s[k:], '}')
			if end < 0 {
				continue
			}
			out = append(out, s[j+1:k])
			i = k + end
			continue
		}
		if k := nameEnd(s, j); k > j {
			out = append(out, s[j:k])
			i = k - 1
		}
	}
	return out
}

// nameEnd returns the end of the variable name ([A-Za-z_][A-Za-z0-9_]*) starting at i, or i.
func nameEnd(s string, i int) int {
	if i >= len(s) || !(s[i] == '_' || s[i] >= 'a' && s[i] <= 'z' || s[i] >= 'A' && s[i] <= 'Z') {
		return i
	}
	k := i + 1
	for k < len(s) && isNameByte(s[k]) {
		k++
	}
	return k
}
