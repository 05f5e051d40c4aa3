package rules

import (
	"strings"

	"github.com/layerlens/layerlens/analysis"
)

// commonEnv are variables every Linux image or Docker itself provides.
var commonEnv = map[string]bool{"PATH": true, "HOME": true, "HOSTNAME": true, "TERM": true, "PWD": true, "USER": true, "SHELL": true}

// UndefinedVar flags $VAR uses in instructions where VAR is not defined (row 32).
var UndefinedVar = &analysis.Rule{
	Name:     "UndefinedVar",
	Summary:  "Variable is used but not defined by ARG or ENV",
	Severity: analysis.SeverityWarning,
	Refs:     analysis.Refs{BuildKit: "UndefinedVar"},
	Doc: "In COPY, ADD, ENV, ARG, WORKDIR, USER, LABEL, EXPOSE, VOLUME and STOPSIGNAL, `$VAR` is " +
		"expanded by the builder from the ARGs and ENVs of the stage and of its base image; an " +
		"undefined one becomes the empty string. Global ARGs must be declared again inside the " +
		"stage. With base-image facts the check is exact; without them, names that contain a lower-" +
		"case letter are reported and upper-case names are assumed to possibly come from the base " +
		"image (as in `FROM python` + `$PYTHON_VERSION`). RUN lines are left alone: there the shell " +
		"expands variables.",
	Run: func(p *analysis.Pass) {
		f := p.File
		stageDefs := map[int]map[string]bool{}
		for _, st := range f.Stages {
			defs := map[string]bool{}
			for k := range commonEnv {
				defs[k] = true
			}
			for k := range builtinArgs {
				defs[k] = true
			}
			known := false // whether the base's environment is fully known
			fi := froms(p)
			if st.Index < len(fi) {
				r := fi[st.Index].Ref
				switch {
				case r.Scratch:
					known = true
				case r.Stage:
					for i, s := range f.Stages {
						if i < st.Index && strings.EqualFold(s.Name, r.Raw) {
							for k := range stageDefs[i] {
								defs[k] = true
							}
							known = stageDefs[i]["\x00known"]
						}
					}
				}
			}
			if facts := p.Facts[st.Index]; facts != nil {
				known = true
				for _, kv := range facts.Env {
					k, _, _ := strings.Cut(kv, "=")
					defs[k] = true
				}
			}
			if known {
				defs["\x00known"] = true
			}
			for _, in := range st.Instructions {
				switch in.Cmd {
				case "RUN", "CMD", "ENTRYPOINT", "HEALTHCHECK", "SHELL", "ONBUILD", "FROM", "MAINTAINER":
					continue
				}
				for _, a := range in.Args {
					for _, name := range varsIn(a.Value) {
						if defs[name] {
							continue
						}
						if !known && strings.ToUpper(name) == name {
							continue
						}
						p.Reportf(a.Range, "usage of undefined variable '$%s'", name)
					}
				}
				for _, fl := range in.Flags {
					for _, name := range varsIn(fl.Value) {
						if !defs[name] && (known || strings.ToUpper(name) != name) {
							p.Reportf(fl.Range, "usage of undefined variable '$%s'", name)
						}
					}
				}
				if in.Cmd == "ARG" || in.Cmd == "ENV" {
					for _, kv := range kvOf(p, in) {
						defs[kv.Key] = true
					}
				}
			}
			stageDefs[st.Index] = defs
		}
	},
}

// varsIn returns the variable names expanded in a Dockerfile word, honouring single quotes and
// backslash escapes.
func varsIn(s string) []string {
	var out []string
	inSingle := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && !inSingle:
			i++
		case c == '\'':
			inSingle = !inSingle
		case c == '$' && !inSingle && i+1 < len(s):
			j := i + 1
			brace := s[j] == '{'
			if brace {
				j++
			}
			k := j
			for k < len(s) && (s[k] == '_' || s[k] >= 'a' && s[k] <= 'z' || s[k] >= 'A' && s[k] <= 'Z' || k > j && s[k] >= '0' && s[k] <= '9') {
				k++
			}
			if k > j {
				name := s[j:k]
				// ${VAR:-default} and ${VAR:+x} are fine without a definition.
				if brace && k < len(s) && s[k] == ':' || brace && k < len(s) && (s[k] == '-' || s[k] == '+') {
					i = k
					continue
				}
				out = append(out, name)
			}
			i = k - 1
		}
	}
	return out
}
