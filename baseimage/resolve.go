package baseimage

import (
	"errors"
	"fmt"
	"runtime"
	"sort"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/moby/buildkit/frontend/dockerfile/shell"

	"github.com/layerlens/layerlens/analysis"
)

// Target is what a FROM names once build args are expanded.
type Target struct {
	// Ref is the normalised image reference ("docker.io/library/alpine:3.20"), empty for a stage
	// reference or scratch.
	Ref string
	// Platform is the platform to review (os/arch[/variant]); PlatformSource says where it came
	// from: "--platform", "configured default" or "host default".
	Platform       string
	PlatformSource string
	// Stage is true when the FROM names an earlier build stage; Scratch when it names scratch.
	Stage   bool
	Scratch bool
	// Expanded is the image word after ARG expansion, before normalisation.
	Expanded string
}

// ErrUnresolvable is wrapped by ResolveFrom errors that come from the Dockerfile itself (an ARG
// without a default, an invalid name), as opposed to a bad call.
var ErrUnresolvable = errors.New("cannot resolve base image")

// ResolveFrom expands the FROM of stage st in f the way BuildKit does: global ARGs (those before
// the first FROM) with their defaults, overridden by buildArgs for declared ARGs, plus the
// built-in platform ARGs (TARGETPLATFORM, BUILDPLATFORM, ...). It skips stage references and
// scratch, picks the platform (--platform, else defPlatform, else linux/<host arch>) and
// normalises the name. A name that needs an ARG with no value is an ErrUnresolvable error that
// names the ARG; nothing is looked up.
func ResolveFrom(f *analysis.File, st *analysis.Stage, buildArgs map[string]string, defPlatform string) (Target, error) {
	if f == nil || st == nil {
		return Target{}, errors.New("ResolveFrom: nil file or stage")
	}
	escape := f.Escape
	if escape == 0 {
		escape = '\\'
	}
	lex := shell.NewLex(escape)

	plat, platSource := defPlatform, "configured default"
	if plat == "" {
		plat, platSource = hostPlatform(), "host default"
	}
	env := builtinPlatformArgs(plat)
	// Global ARGs, in order; each default may use the ARGs declared before it.
	for _, in := range f.Instructions {
		if in.Stage != -1 {
			break
		}
		if in.Cmd != "ARG" {
			continue
		}
		for _, a := range in.Args {
			k, v, hasDefault := strings.Cut(a.Value, "=")
			if k == "" {
				continue
			}
			if bv, ok := buildArgs[k]; ok {
				env.set(k, bv)
				continue
			}
			if !hasDefault {
				env.declare(k)
				continue
			}
			res, err := lex.ProcessWordWithMatches(v, env)
			if err != nil {
				return Target{}, fmt.Errorf("%w: ARG %s: %w", ErrUnresolvable, k, err)
			}
			env.set(k, res.Result)
		}
	}

	t := Target{}
	if st.Platform != "" {
		res, err := lex.ProcessWordWithMatches(st.Platform, env)
		if err != nil {
			return Target{}, fmt.Errorf("%w: --platform=%s: %w", ErrUnresolvable, st.Platform, err)
		}
		if _, perr := parsePlatform(res.Result); perr != nil && len(res.Unmatched) > 0 {
			return Target{}, fmt.Errorf("%w: --platform=%s uses %s, which has no value", ErrUnresolvable, st.Platform, names(res.Unmatched))
		}
		plat, platSource = res.Result, "--platform"
	}
	if _, err := parsePlatform(plat); err != nil {
		return Target{}, fmt.Errorf("%w: %w", ErrUnresolvable, err)
	}
	t.Platform, t.PlatformSource = normalisePlatform(plat), platSource

	res, err := lex.ProcessWordWithMatches(st.BaseImage, env)
	if err != nil {
		return Target{}, fmt.Errorf("%w: FROM %s: %w", ErrUnresolvable, st.BaseImage, err)
	}
	// BuildKit expands an unset ARG to "": a name that is still valid (${X:-default}, a
	// suffix) is what BuildKit would pull; an invalid or empty one names the missing ARGs.
	unset := func() error {
		return fmt.Errorf("%w: FROM %s uses %s, which has no default value (pass it as a build arg)",
			ErrUnresolvable, st.BaseImage, names(res.Unmatched))
	}
	word := res.Result
	if len(res.Unmatched) > 0 {
		if _, err := NormaliseRef(word); err != nil || word == "" {
			return Target{}, unset()
		}
	}
	t.Expanded = word
	if word == "" {
		return Target{}, fmt.Errorf("%w: FROM %s expands to an empty name", ErrUnresolvable, st.BaseImage)
	}
	if strings.EqualFold(word, "scratch") {
		t.Scratch = true
		return t, nil
	}
	for _, prev := range f.Stages {
		if prev.Index >= st.Index {
			break
		}
		if prev.Name != "" && strings.EqualFold(prev.Name, word) {
			t.Stage = true
			return t, nil
		}
	}
	ref, err := NormaliseRef(word)
	if err != nil {
		return Target{}, fmt.Errorf("%w: %w", ErrUnresolvable, err)
	}
	t.Ref = ref
	return t, nil
}

// NormaliseRef returns the fully qualified form of an image reference: Docker Hub names get
// "docker.io/" and "library/", a missing tag becomes ":latest" (unless a digest is given), and a
// tag+digest pin keeps both ("docker.io/library/alpine:3.20@sha256:...").
func NormaliseRef(s string) (string, error) {
	nameTag, dig, hasDigest := strings.Cut(s, "@")
	if hasDigest {
		if _, err := v1.NewHash(dig); err != nil {
			return "", fmt.Errorf("invalid digest in %q: %w", s, err)
		}
	}
	ref, err := name.ParseReference(nameTag)
	if err != nil {
		return "", fmt.Errorf("invalid image name %q: %w", s, err)
	}
	repo := displayRepo(ref.Context())
	tag := ""
	if t, ok := ref.(name.Tag); ok {
		tag = t.TagStr()
	}
	switch {
	case hasDigest && tagExplicit(nameTag):
		return repo + ":" + tag + "@" + dig, nil
	case hasDigest:
		return repo + "@" + dig, nil
	default:
		return repo + ":" + tag, nil
	}
}

// tagExplicit reports whether a "name[:tag]" string carries a tag (the colon after the last '/').
func tagExplicit(s string) bool {
	i := strings.LastIndex(s, "/")
	return strings.Contains(s[i+1:], ":")
}

// displayRepo is the repository name with Docker Hub spelled docker.io (ggcr says index.docker.io).
func displayRepo(r name.Repository) string {
	reg := r.RegistryStr()
	if reg == name.DefaultRegistry {
		reg = "docker.io"
	}
	return reg + "/" + r.RepositoryStr()
}

// canonicalRegistry maps Docker Hub's aliases to one key.
func canonicalRegistry(host string) string {
	h := strings.ToLower(strings.TrimSuffix(host, "/"))
	switch h {
	case "docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com":
		return "docker.io"
	}
	return h
}

// hostPlatform is the platform Docker would pick on this machine: linux/<GOARCH>.
func hostPlatform() string {
	if runtime.GOARCH == "arm" {
		return "linux/arm/v7"
	}
	return "linux/" + runtime.GOARCH
}

// parsePlatform parses os/arch[/variant].
func parsePlatform(s string) (v1.Platform, error) {
	parts := strings.Split(s, "/")
	if len(parts) < 2 || len(parts) > 3 || parts[0] == "" || parts[1] == "" {
		return v1.Platform{}, fmt.Errorf("invalid platform %q: want os/arch[/variant]", s)
	}
	p := v1.Platform{OS: strings.ToLower(parts[0]), Architecture: strings.ToLower(parts[1])}
	if len(parts) == 3 {
		p.Variant = strings.ToLower(parts[2])
	}
	return p, nil
}

func normalisePlatform(s string) string {
	p, err := parsePlatform(s)
	if err != nil {
		return s
	}
	return platformString(p)
}

func platformString(p v1.Platform) string {
	s := p.OS + "/" + p.Architecture
	if p.Variant != "" {
		s += "/" + p.Variant
	}
	return s
}

// argEnv is the shell.EnvGetter for FROM expansion. Declared ARGs without a value are absent,
// so the lexer reports them as unmatched.
type argEnv struct {
	vals map[string]string
	keys []string
}

func (e *argEnv) Get(k string) (string, bool) { v, ok := e.vals[k]; return v, ok }
func (e *argEnv) Keys() []string              { return e.keys }
func (e *argEnv) set(k, v string) {
	if _, ok := e.vals[k]; !ok {
		e.keys = append(e.keys, k)
	}
	e.vals[k] = v
}
func (e *argEnv) declare(k string) {
	if _, ok := e.vals[k]; ok {
		delete(e.vals, k)
		for i, x := range e.keys {
			if x == k {
				e.keys = append(e.keys[:i], e.keys[i+1:]...)
				break
			}
		}
	}
}

// builtinPlatformArgs are the ARGs BuildKit defines in the global scope.
func builtinPlatformArgs(plat string) *argEnv {
	e := &argEnv{vals: map[string]string{}}
	p, err := parsePlatform(plat)
	if err != nil {
		return e
	}
	for _, prefix := range []string{"TARGET", "BUILD"} {
		e.set(prefix+"PLATFORM", platformString(p))
		e.set(prefix+"OS", p.OS)
		e.set(prefix+"ARCH", p.Architecture)
		e.set(prefix+"VARIANT", p.Variant)
	}
	return e
}

func names(m map[string]struct{}) string {
	var ks []string
	for k := range m {
		ks = append(ks, "$"+k)
	}
	sort.Strings(ks)
	return strings.Join(ks, ", ")
}
