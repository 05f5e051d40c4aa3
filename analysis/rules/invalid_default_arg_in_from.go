package rules

import (
	"regexp"
	"strings"

	"github.com/layerlens/layerlens/analysis"
)

// refShape is a loose check of a resolved image reference.
var refShape = regexp.MustCompile(`^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@[a-z0-9]+:[a-fA-F0-9]{32,})?$`)

// InvalidDefaultArgInFrom flags FROM lines that are not a valid image with the ARG defaults (row 13).
var InvalidDefaultArgInFrom = &analysis.Rule{
	Name:     "InvalidDefaultArgInFrom",
	Summary:  "With the default ARG values, the FROM image name is empty or invalid",
	Severity: analysis.SeverityWarning,
	Refs:     analysis.Refs{BuildKit: "InvalidDefaultArgInFrom"},
	Doc: "A global ARG without a default expands to the empty string, so `FROM busybox:${TAG}` " +
		"becomes `busybox:` and the build fails unless every caller passes `--build-arg TAG=...`. " +
		"Give the ARG a default or use `${TAG:-3.20}`.",
	Run: func(p *analysis.Pass) {
		global := globalArgs(p.File)
		empty := map[string]string{}
		for k, v := range global {
			if v == "\x00" {
				v = ""
			}
			empty[k] = v
		}
		stages := map[string]bool{}
		for _, st := range p.File.Stages {
			base := st.BaseImage
			if strings.Contains(base, "$") {
				v, _ := expandArgs(base, empty)
				undeclared := false
				for _, m := range varRef.FindAllStringSubmatch(base, -1) {
					name := m[1] + m[2]
					if _, ok := global[name]; !ok && !builtinArgs[name] {
						undeclared = true // UndefinedArgInFrom reports it
					}
				}
				if !undeclared && !builtinRef(base) && !stages[strings.ToLower(v)] && !strings.EqualFold(v, "scratch") && !refShape.MatchString(v) {
					p.Reportf(st.BaseRange, "default value for global ARG results in an empty or invalid base image name %q", v)
				}
			}
			if st.Name != "" {
				stages[strings.ToLower(st.Name)] = true
			}
		}
	},
}

// builtinRef reports a FROM that uses platform ARGs, whose values are only known at build time.
func builtinRef(s string) bool {
	for _, m := range varRef.FindAllStringSubmatch(s, -1) {
		if builtinArgs[m[1]+m[2]] {
			return true
		}
	}
	return false
}
