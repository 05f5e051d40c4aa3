package rules

import (
	"strings"

	"github.com/layerlens/layerlens/analysis"
)

// imageRef is a base image reference split into its parts, Docker-normalised.
type imageRef struct {
	Raw      string // as resolved (ARGs substituted)
	Registry string // "docker.io" when implicit
	Repo     string // "library/alpine"
	Tag      string // "" when absent
	Digest   string // "sha256:..." when pinned
	// Unresolved reports variables that could not be substituted; Scratch and Stage report
	// "FROM scratch" and "FROM <earlier stage>".
	Unresolved, Scratch, Stage bool
}

// Official reports an image in Docker Hub's library namespace.
func (r imageRef) Official() bool {
	return r.Registry == "docker.io" && strings.HasPrefix(r.Repo, "library/")
}

// Name is the repository without "library/".
func (r imageRef) Name() string {
	return strings.TrimPrefix(r.Repo, "library/")
}

// parseRef splits a reference such as "ghcr.io/org/app:1.2@sha256:..." (no variables).
func parseRef(s string) imageRef {
	r := imageRef{Raw: s}
	if i := strings.IndexByte(s, '@'); i >= 0 {
		r.Digest = s[i+1:]
		s = s[:i]
	}
	if i := strings.LastIndexByte(s, ':'); i >= 0 && !strings.Contains(s[i:], "/") {
		r.Tag = s[i+1:]
		s = s[:i]
	}
	first, rest, hasSlash := strings.Cut(s, "/")
	if hasSlash && (strings.ContainsAny(first, ".:") || first == "localhost") {
		r.Registry = strings.ToLower(first)
		r.Repo = rest
	} else {
		r.Registry = "docker.io"
		r.Repo = s
	}
	if r.Registry == "index.docker.io" || r.Registry == "registry-1.docker.io" {
		r.Registry = "docker.io"
	}
	if r.Registry == "docker.io" && !strings.Contains(r.Repo, "/") {
		r.Repo = "library/" + r.Repo
	}
	r.Repo = strings.ToLower(r.Repo)
	return r
}

// fromInfo is one FROM with its base resolved.
type fromInfo struct {
	Stage *analysis.Stage
	Ref   imageRef
}

// globalArgs returns the default values of the ARGs before the first FROM.
func globalArgs(f *analysis.File) map[string]string {
	args := map[string]string{}
	for _, in := range f.Instructions {
		if in.Stage >= 0 {
			break
		}
		if in.Cmd != "ARG" {
			continue
		}
		for _, kv := range keyValues(in) {
			if kv.HasValue {
				args[kv.Key] = kv.Value
			} else if _, ok := args[kv.Key]; !ok {
				args[kv.Key] = "\x00" // declared, no default
			}
		}
	}
	return args
}

// expandArgs substitutes $X, ${X}, ${X:-d}, ${X-d}, ${X:+v} with args. ok is false when a
// variable has no value (undeclared or declared without a default).
func expandArgs(s string, args map[string]string) (string, bool) {
	if !strings.Contains(s, "$") {
		return s, true
	}
	var b strings.Builder
	ok := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '$' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		var name, op, word string
		if s[i+1] == '{' {
			j := strings.IndexByte(s[i:], '}')
			if j < 0 {
				b.WriteString(s[i:])
				return b.String(), false
			}
			inner := s[i+2 : i+j]
			i += j
			name = inner
			for _, o := range []string{":-", ":+", "-", "+"} {
				if k := strings.Index(inner, o); k > 0 {
					name, op, word = inner[:k], o, inner[k+len(o):]
					break
				}
			}
		} else {
			j := i + 1
			for j < len(s) && (isWordByte(s[j]) && s[j] != '-') {
				j++
			}
			name = s[i+1 : j]
			i = j - 1
			if name == "" {
				b.WriteByte('$')
				continue
			}
		}
		v, has := args[name]
		if v == "\x00" {
			v, has = "", false
		}
		switch op {
		case ":-", "-":
			if !has || v == "" {
				v, has = word, true
			}
		case ":+", "+":
			if has && v != "" {
				v = word
			} else {
				v, has = "", true
			}
		}
		if !has {
			ok = false
		}
		b.WriteString(v)
	}
	return b.String(), ok
}

// froms resolves the base of every stage (memoised).
func froms(p *analysis.Pass) []fromInfo {
	if v, ok := p.Memo["froms"].([]fromInfo); ok {
		return v
	}
	f := p.File
	args := globalArgs(f)
	stages := map[string]bool{}
	var out []fromInfo
	for _, st := range f.Stages {
		base := st.BaseImage
		fi := fromInfo{Stage: st}
		if base == "" {
			fi.Ref.Unresolved = true
		} else if stages[strings.ToLower(base)] {
			fi.Ref = imageRef{Raw: base, Stage: true}
		} else if strings.EqualFold(base, "scratch") {
			fi.Ref = imageRef{Raw: base, Scratch: true}
		} else {
			v, ok := expandArgs(base, args)
			if !ok || v == "" || strings.Contains(v, "$") {
				fi.Ref = imageRef{Raw: base, Unresolved: true}
			} else if stages[strings.ToLower(v)] {
				fi.Ref = imageRef{Raw: v, Stage: true}
			} else if strings.EqualFold(v, "scratch") {
				fi.Ref = imageRef{Raw: v, Scratch: true}
			} else {
				fi.Ref = parseRef(v)
			}
		}
		if st.Name != "" {
			stages[strings.ToLower(st.Name)] = true
		}
		out = append(out, fi)
	}
	if p.Memo != nil {
		p.Memo["froms"] = out
	}
	return out
}

// lastStage returns the final stage, or nil.
func lastStage(f *analysis.File) *analysis.Stage {
	if len(f.Stages) == 0 {
		return nil
	}
	return f.Stages[len(f.Stages)-1]
}
