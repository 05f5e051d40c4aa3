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
	Run: runUndefinedVar,
}

// runUndefinedVar walks the stages in order. A stage's definitions are its own ARG/ENV names and
// the base image's environment, plus, through a link rather than a copy, those of the stage it
// is built FROM: chains of hundreds of stages (each ARG after a FROM belongs to that stage) would
// otherwise copy ever larger sets. The variables every image has and the builder's automatic
// ARGs are checked separately, and stages are found by name through an index.
func runUndefinedVar(p *analysis.Pass) {
	f := p.File
	scopes := make([]*varScope, len(f.Stages))
	byName := map[string][]int{}
	fi := froms(p)
	for _, st := range f.Stages {
		sc := &varScope{own: map[string]bool{}}
		if st.Index < len(fi) {
			r := fi[st.Index].Ref
			switch {
			case r.Scratch:
				sc.known = true
			case r.Stage:
				for _, i := range byName[strings.ToLower(r.Raw)] {
					if i < st.Index && scopes[i] != nil {
						sc.parents = append(sc.parents, scopes[i])
						sc.known = scopes[i].known
					}
				}
			}
		}
		if facts := p.Facts[st.Index]; facts != nil {
			sc.known = true
			for _, kv := range facts.Env {
				k, _, _ := strings.Cut(kv, "=")
				sc.own[k] = true
			}
		}
		known := sc.known
		for _, in := range st.Instructions {
			switch in.Cmd {
			case "RUN", "CMD", "ENTRYPOINT", "HEALTHCHECK", "SHELL", "ONBUILD", "FROM", "MAINTAINER":
				continue
			}
			for _, a := range in.Args {
				for _, name := range varsIn(a.Value) {
					if sc.defined(name) {
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
					if !sc.defined(name) && (known || strings.ToUpper(name) != name) {
						p.Reportf(fl.Range, "usage of undefined variable '$%s'", name)
					}
				}
			}
			if in.Cmd == "ARG" || in.Cmd == "ENV" {
				for _, kv := range kvOf(p, in) {
					sc.own[kv.Key] = true
				}
			}
		}
		if st.Index >= 0 && st.Index < len(scopes) {
			scopes[st.Index] = sc
			if st.Name != "" {
				n := strings.ToLower(st.Name)
				byName[n] = append(byName[n], st.Index)
			}
		}
	}
}

// varScope is the set of variables a stage defines, linked to the stages it inherits from.
type varScope struct {
	own     map[string]bool
	parents []*varScope // the earlier stages of the name in FROM (several only for duplicates)
	known   bool        // whether the base's environment is fully known
}

// defined reports whether name is defined in the scope, by a parent stage, by every image or by
// the builder.
func (s *varScope) defined(name string) bool {
	if commonEnv[name] || builtinArgs[name] {
		return true
	}
	// The usual chain of single parents needs no stack.
	for len(s.parents) <= 1 {
		if s.own[name] {
			return true
		}
		if len(s.parents) == 0 {
			return false
		}
		s = s.parents[0]
	}
	// Walk the parent links; a set guards against revisiting shared ancestors.
	var seen map[*varScope]bool
	stack := []*varScope{s}
	for len(stack) > 0 {
		c := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if c.own[name] {
			return true
		}
		if len(c.parents) > 1 && seen == nil {
			seen = map[*varScope]bool{}
		}
		for _, pa := range c.parents {
			if seen != nil {
				if seen[pa] {
					continue
				}
				seen[pa] = true
			}
			stack = append(stack, pa)
		}
	}
	return false
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
