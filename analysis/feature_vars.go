package analysis

import (
	"sort"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// Variables: where ARG and ENV variables are declared, where "$NAME" and "${NAME...}" use them,
// and which declaration each use sees. This serves navigation (definition, references,
// highlight, rename), hover on variables and variable completion.
//
// Scoping follows BuildKit: ARGs before the first FROM are global and visible only in FROM lines
// and later global ARGs; a stage sees its own ARG and ENV declarations made before the use, plus
// the ENV of the stage it is built FROM; "ARG NAME" inside a stage re-declares a global ARG (and
// takes its default). ENV wins over ARG of the same name. Commands run by the container later
// (CMD, ENTRYPOINT, HEALTHCHECK) see ENV only. The platform ARGs (TARGETPLATFORM, ...) are
// predefined in the global scope; the proxy ARGs (HTTP_PROXY, ...) are predefined for RUN.

// VarKind tells how a variable was declared.
type VarKind int

// Variable kinds.
const (
	VarArg VarKind = iota + 1
	VarEnv
	// VarPredefined is a variable BuildKit defines (platform and proxy ARGs); it has no range.
	VarPredefined
)

func (k VarKind) String() string {
	switch k {
	case VarArg:
		return "ARG"
	case VarEnv:
		return "ENV"
	case VarPredefined:
		return "predefined ARG"
	}
	return "variable"
}

// VarDef is one declaration of a variable.
type VarDef struct {
	Name string
	Kind VarKind
	// Instr is the declaring ARG or ENV (nil for predefined variables).
	Instr *Instruction
	// NameRange covers the name in the declaration (zero for predefined variables).
	NameRange Range
	// Value is the default or value as typed (quotes kept, variables unexpanded); HasValue is
	// false for "ARG NAME".
	Value    string
	HasValue bool
	// Stage is the index of the declaring stage, -1 for global ARGs and predefined variables.
	Stage int
	// Global is the global ARG that a stage-level ARG of the same name re-declares.
	Global *VarDef
	// Doc describes a predefined variable.
	Doc string
	// shadows is the declaration of the same name this one replaces in its scope (including
	// one inherited from a parent stage), for grouping by rename.
	shadows *VarDef
}

// VarUse is one use of a variable: "$NAME" or "${NAME...}".
type VarUse struct {
	Name string
	// Range covers the name only (not "$", "{" or a "${NAME:-default}" suffix).
	Range Range
	Instr *Instruction
	// Def is the declaration the use sees, nil when none is visible.
	Def *VarDef
}

// VarIndex holds every declaration and use of variables in a File.
type VarIndex struct {
	Defs []*VarDef // in source order
	Uses []*VarUse // in source order
	// scopes maps each instruction to the variables visible just before it.
	scopes map[*Instruction]*varScope
	global *varScope
	// root[i] is the stage whose FROM names the image stage i is ultimately built on: i itself,
	// or the root of the stage it is built FROM.
	root []int
}

// RootStage returns the stage whose base image stage i is ultimately built on (following
// FROM <stage> links), or -1 for an index out of range.
func (x *VarIndex) RootStage(i int) int {
	if i < 0 || i >= len(x.root) {
		return -1
	}
	return x.root[i]
}

// varScope is the set of variables visible at one point.
type varScope struct {
	arg map[string]*VarDef
	env map[string]*VarDef
}

func newVarScope() *varScope {
	return &varScope{arg: map[string]*VarDef{}, env: map[string]*VarDef{}}
}

func (s *varScope) clone(envOnly bool) *varScope {
	c := newVarScope()
	for k, v := range s.env {
		c.env[k] = v
	}
	if !envOnly {
		for k, v := range s.arg {
			c.arg[k] = v
		}
	}
	return c
}

// lookup returns the visible declaration of name; ENV wins over ARG.
func (s *varScope) lookup(name string, envOnly bool) *VarDef {
	if d := s.env[name]; d != nil {
		return d
	}
	if envOnly {
		return nil
	}
	return s.arg[name]
}

// Predefined variables BuildKit provides.
var (
	platformArgs = []struct{ name, doc string }{
		{"TARGETPLATFORM", "Platform of the build result, e.g. `linux/amd64` or `linux/arm/v7`."},
		{"TARGETOS", "OS part of TARGETPLATFORM, e.g. `linux`."},
		{"TARGETARCH", "Architecture part of TARGETPLATFORM, e.g. `amd64`."},
		{"TARGETVARIANT", "Variant part of TARGETPLATFORM, e.g. `v7`."},
		{"BUILDPLATFORM", "Platform of the machine running the build."},
		{"BUILDOS", "OS part of BUILDPLATFORM."},
		{"BUILDARCH", "Architecture part of BUILDPLATFORM."},
		{"BUILDVARIANT", "Variant part of BUILDPLATFORM."},
	}
	proxyArgs = []string{
		"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY", "ftp_proxy",
		"NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy",
	}
	buildkitArgs = []struct{ name, doc string }{
		{"BUILDKIT_BUILD_NAME", "Overrides the build name shown in build history."},
		{"BUILDKIT_CACHE_MOUNT_NS", "Namespace for cache mount ids."},
		{"BUILDKIT_CONTEXT_KEEP_GIT_DIR", "Keep the `.git` directory of a Git build context."},
		{"BUILDKIT_INLINE_CACHE", "Write inline cache metadata into the image config."},
		{"BUILDKIT_MULTI_PLATFORM", "Deterministic output whether or not the build is multi-platform."},
		{"BUILDKIT_SANDBOX_HOSTNAME", "Hostname seen by RUN (default `buildkitsandbox`)."},
		{"BUILDKIT_SYNTAX", "Frontend image, overriding the `# syntax=` directive."},
		{"SOURCE_DATE_EPOCH", "Unix timestamp used for image and layer times (reproducible builds)."},
	}
	predefined = func() map[string]*VarDef {
		m := map[string]*VarDef{}
		for _, a := range platformArgs {
			m[a.name] = &VarDef{Name: a.name, Kind: VarPredefined, Stage: -1, Doc: a.doc +
				" Predefined in the global scope; inside a stage, declare `ARG " + a.name + "` to use it."}
		}
		for _, n := range proxyArgs {
			m[n] = &VarDef{Name: n, Kind: VarPredefined, Stage: -1, Doc: "Proxy setting passed with " +
				"`--build-arg`; predefined for `RUN` and kept out of the image history unless declared with `ARG`."}
		}
		for _, a := range buildkitArgs {
			m[a.name] = &VarDef{Name: a.name, Kind: VarPredefined, Stage: -1, Doc: a.doc +
				" A BuildKit build argument; set it with `--build-arg`."}
		}
		return m
	}()
)

// PredefinedVar returns BuildKit's predefined variable name (platform, proxy and BUILDKIT_*
// build arguments), or nil.
func PredefinedVar(name string) *VarDef { return predefined[name] }

// PredefinedVars returns the predefined variables, sorted by name.
func PredefinedVars() []*VarDef {
	out := make([]*VarDef, 0, len(predefined))
	for _, d := range predefined {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func isPlatformArg(name string) bool {
	for _, a := range platformArgs {
		if a.name == name {
			return true
		}
	}
	return false
}

func isProxyArg(name string) bool {
	for _, n := range proxyArgs {
		if n == name {
			return true
		}
	}
	return false
}

// runtimeOnly reports instructions whose command runs in the final container, which sees ENV
// but not ARG.
func runtimeOnly(in *Instruction) bool {
	switch in.Cmd {
	case "CMD", "ENTRYPOINT", "HEALTHCHECK":
		return true
	}
	return false
}

// IndexVariables finds every variable declaration and use in f and resolves each use. It runs in
// time linear in the size of the file.
func IndexVariables(f *File) *VarIndex {
	x := &VarIndex{scopes: make(map[*Instruction]*varScope, len(f.Instructions)), global: newVarScope(), root: make([]int, len(f.Stages))}
	stageScopes := make([]*varScope, len(f.Stages))
	// The first stage of each name, for FROM <stage> (looked up once per stage).
	byName := make(map[string]int, len(f.Stages))
	for i, st := range f.Stages {
		x.root[i] = i
		if p, ok := byName[strings.ToLower(st.BaseImage)]; ok && p < i {
			x.root[i] = x.root[p]
		}
		if n := strings.ToLower(st.Name); n != "" {
			if _, dup := byName[n]; !dup {
				byName[n] = i
			}
		}
	}
	var cur *varScope
	curStage := -2
	for _, in := range f.Instructions {
		if in.Stage != curStage {
			curStage = in.Stage
			if in.Stage < 0 {
				cur = x.global
			} else {
				cur = newVarScope()
				if in.Stage < len(f.Stages) {
					st := f.Stages[in.Stage]
					if p, ok := byName[strings.ToLower(st.BaseImage)]; ok && p < st.Index && stageScopes[p] != nil {
						cur = stageScopes[p].clone(true)
					}
				}
			}
		}
		// FROM lines see only the global scope.
		scope := cur
		if in.Cmd == "FROM" {
			scope = x.global
		}
		// Scopes are copied on write (below), so instructions that declare nothing share one.
		x.scopes[in] = scope
		envOnly := runtimeOnly(in)
		for _, u := range scanVarUses(f, in) {
			u.Def = scope.lookup(u.Name, envOnly)
			if u.Def == nil {
				if p := predefined[u.Name]; p != nil {
					switch {
					case isPlatformArg(u.Name) && (in.Stage < 0 || in.Cmd == "FROM"):
						u.Def = p
					case isProxyArg(u.Name) && in.Cmd == "RUN":
						u.Def = p
					}
				}
			}
			x.Uses = append(x.Uses, u)
		}
		decls := varDecls(f, in)
		if len(decls) > 0 {
			cur = cur.clone(false)
			if in.Stage < 0 {
				x.global = cur
			}
		}
		for _, d := range decls {
			d.shadows = cur.lookup(d.Name, false)
			if d.Kind == VarArg {
				if d.Stage >= 0 {
					d.Global = x.global.arg[d.Name]
				}
				cur.arg[d.Name] = d
			} else {
				cur.env[d.Name] = d
			}
			x.Defs = append(x.Defs, d)
		}
		if in.Stage >= 0 && in.Stage < len(stageScopes) {
			stageScopes[in.Stage] = cur
		}
	}
	return x
}

// Visible returns the variables visible just before instruction in (ENV winning over ARG),
// sorted by name. Predefined variables are not included.
func (x *VarIndex) Visible(in *Instruction) []*VarDef {
	s := x.scopes[in]
	if s == nil {
		return nil
	}
	seen := map[string]bool{}
	var out []*VarDef
	for _, m := range []map[string]*VarDef{s.env, s.arg} {
		for name, d := range m {
			if !seen[name] {
				seen[name] = true
				out = append(out, d)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Lookup returns the declaration of name visible just before instruction in, or nil.
func (x *VarIndex) Lookup(in *Instruction, name string) *VarDef {
	if s := x.scopes[in]; s != nil {
		return s.lookup(name, runtimeOnly(in))
	}
	return nil
}

// UseAt returns the use whose name contains p, or nil.
func (x *VarIndex) UseAt(p Pos) *VarUse {
	i := sort.Search(len(x.Uses), func(i int) bool { return !x.Uses[i].Range.End.Before(p) })
	if i < len(x.Uses) && x.Uses[i].Range.Contains(p) {
		return x.Uses[i]
	}
	return nil
}

// DefAt returns the declaration whose name contains p, or nil.
func (x *VarIndex) DefAt(p Pos) *VarDef {
	i := sort.Search(len(x.Defs), func(i int) bool { return !x.Defs[i].NameRange.End.Before(p) })
	if i < len(x.Defs) && x.Defs[i].NameRange.Contains(p) {
		return x.Defs[i]
	}
	return nil
}

// varEnv adapts a name->value map to BuildKit's shell.EnvGetter.
type varEnv map[string]string

func (e varEnv) Get(k string) (string, bool) { v, ok := e[k]; return v, ok }

func (e varEnv) Keys() []string {
	keys := make([]string, 0, len(e))
	for k := range e {
		keys = append(keys, k)
	}
	return keys
}

// Evaluate computes the value of d as the build would see it at instruction at (nil: at d
// itself), expanding the variables its value uses with BuildKit's shell lexer. ok is false when
// the value is unknown (an ARG without default, a predefined variable, or a value that uses an
// unknown variable); buildArgs, when given, override ARG defaults like --build-arg.
func (x *VarIndex) Evaluate(f *File, d *VarDef, buildArgs map[string]string) (value string, ok bool) {
	return x.EvaluateIn(f, d, buildArgs, nil)
}

// EvaluateIn is Evaluate with the base images' environments: imageEnv[i] holds the ENV of the
// image stage i is built on (index by RootStage), used for names no ARG or ENV of the file
// declares ($PATH in ENV PATH=/opt/bin:$PATH).
func (x *VarIndex) EvaluateIn(f *File, d *VarDef, buildArgs map[string]string, imageEnv map[int]map[string]string) (value string, ok bool) {
	e := &evaluator{x: x, f: f, buildArgs: buildArgs, imageEnv: imageEnv, memo: map[*VarDef]*evalResult{}}
	return e.eval(d)
}

type evalResult struct {
	value string
	ok    bool
}

// evaluator computes variable values with memoisation (and cycle protection).
type evaluator struct {
	x         *VarIndex
	f         *File
	buildArgs map[string]string
	imageEnv  map[int]map[string]string
	memo      map[*VarDef]*evalResult
}

func (e *evaluator) eval(d *VarDef) (string, bool) {
	if d == nil {
		return "", false
	}
	if r, done := e.memo[d]; done {
		if r == nil { // a cycle
			return "", false
		}
		return r.value, r.ok
	}
	e.memo[d] = nil
	v, ok := e.eval1(d)
	e.memo[d] = &evalResult{v, ok}
	return v, ok
}

func (e *evaluator) eval1(d *VarDef) (string, bool) {
	if d.Kind == VarArg {
		if v, ok := e.buildArgs[d.Name]; ok {
			return v, true
		}
		if !d.HasValue && d.Global != nil {
			return e.eval(d.Global)
		}
	}
	if d.Kind == VarPredefined || !d.HasValue {
		return "", false
	}
	// Expand only the variables the value uses, each as seen at the declaration.
	env := varEnv{}
	if s := e.x.scopes[d.Instr]; s != nil {
		var q ftQuoteState
		ftScanVars(d.Value, Pos{}, byte(ftEscape(e.f)), &q, func(name string, _ Range) {
			if _, done := env[name]; done {
				return
			}
			if dep := s.lookup(name, false); dep != nil {
				if v, ok := e.eval(dep); ok {
					env[name] = v
				}
				return
			}
			if v, ok := e.imageEnv[e.x.RootStage(d.Stage)][name]; ok && d.Stage >= 0 {
				env[name] = v
			}
		})
	}
	res, err := shell.NewLex(ftEscape(e.f)).ProcessWordWithMatches(d.Value, env)
	if err != nil {
		return d.Value, false
	}
	return res.Result, len(res.Unmatched) == 0
}

// ftEscape returns the escape character in force, defaulting to backslash.
func ftEscape(f *File) rune {
	if f.Escape == 0 {
		return '\\'
	}
	return f.Escape
}

// varDecls returns the declarations an ARG or ENV instruction makes.
func varDecls(f *File, in *Instruction) []*VarDef {
	var kind VarKind
	switch in.Cmd {
	case "ARG":
		kind = VarArg
	case "ENV":
		kind = VarEnv
	default:
		return nil
	}
	if len(in.Args) == 0 {
		return nil
	}
	var out []*VarDef
	if kind == VarEnv && !strings.Contains(in.Args[0].Value, "=") {
		// Legacy "ENV NAME value with spaces".
		a := in.Args[0]
		d := &VarDef{Name: a.Value, Kind: kind, Instr: in, NameRange: a.Range, Stage: in.Stage}
		if len(in.Args) > 1 {
			d.HasValue = true
			d.Value = ftSlice(f, Range{Start: in.Args[1].Range.Start, End: in.Args[len(in.Args)-1].Range.End})
		}
		if ftValidName(d.Name) {
			out = append(out, d)
		}
		return out
	}
	for _, a := range in.Args {
		raw := ftSlice(f, a.Range)
		name, value, has := strings.Cut(raw, "=")
		if !ftValidName(name) {
			continue
		}
		nr := Range{Start: a.Range.Start, End: Pos{Line: a.Range.Start.Line, Col: a.Range.Start.Col + len(name)}}
		out = append(out, &VarDef{Name: name, Kind: kind, Instr: in, NameRange: nr, Value: value, HasValue: has, Stage: in.Stage})
	}
	return out
}

// ftValidName reports a valid variable name.
func ftValidName(s string) bool {
	if s == "" || !ftIsNameStart(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !ftIsNameChar(s[i]) {
			return false
		}
	}
	return true
}

// expandsVars reports whether the command text of in is subject to variable expansion at all:
// exec-form commands are run without a shell, so "$X" in them is literal.
func expandsVars(in *Instruction) bool {
	switch in.Cmd {
	case "ONBUILD", "MAINTAINER":
		return false
	case "RUN", "CMD", "ENTRYPOINT", "SHELL", "HEALTHCHECK":
		return !in.JSON
	}
	return true
}

// scanVarUses returns the variable uses in instruction in, in source order.
func scanVarUses(f *File, in *Instruction) []*VarUse {
	if in.Cmd == "ONBUILD" || in.Cmd == "MAINTAINER" {
		return nil
	}
	var out []*VarUse
	emit := func(name string, r Range) { out = append(out, &VarUse{Name: name, Range: r, Instr: in}) }
	esc := byte(ftEscape(f))
	if !expandsVars(in) {
		// Only the flags are expanded by BuildKit.
		for _, fl := range in.Flags {
			var q ftQuoteState
			ftScanVars(ftSliceLine(f, fl.Range), fl.Range.Start, esc, &q, emit)
		}
		return out
	}
	last := ftCommandEndLine(in)
	var q ftQuoteState
	for ln := in.Range.Start.Line; ln <= last && ln < len(f.LineStarts); ln++ {
		line := ftLine(f, ln)
		start := 0
		if ln == in.KeywordRange.Start.Line {
			start = min(in.KeywordRange.End.Col, len(line))
		} else if i := ftTrimLeft(line); i < len(line) && line[i] == '#' {
			continue // a comment line inside a continuation
		}
		ftScanVars(line[start:], Pos{Line: ln, Col: start}, esc, &q, emit)
	}
	for _, sp := range ftHeredocSpans(in) {
		// A quoted name stops BuildKit's expansion, but a RUN script still sees ARG and ENV
		// in its environment, so its shell expands them.
		if !sp.h.Expand && in.Cmd != "RUN" {
			continue
		}
		for ln := sp.first; ln <= sp.last && ln < len(f.LineStarts); ln++ {
			var hq ftQuoteState
			ftScanVars(ftLine(f, ln), Pos{Line: ln}, esc, &hq, emit)
		}
	}
	return out
}

// ftSliceLine returns the part of r on its first line.
func ftSliceLine(f *File, r Range) string {
	if r.End.Line != r.Start.Line {
		line := ftLine(f, r.Start.Line)
		return line[min(r.Start.Col, len(line)):]
	}
	return ftSlice(f, r)
}

// ftQuoteState tracks shell quoting across the lines of one instruction.
type ftQuoteState struct{ single, double bool }

// ftScanVars finds "$NAME" and "${NAME" in s (which starts at position at, on one line) and
// calls emit with each name and its range. Single quotes and the escape character suppress
// expansion, as in the shell and in BuildKit's lexer.
func ftScanVars(s string, at Pos, esc byte, q *ftQuoteState, emit func(string, Range)) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case q.single:
			if c == '\'' {
				q.single = false
			}
		case c == esc:
			i++ // the next character is literal
		case c == '\'' && !q.double:
			q.single = true
		case c == '"':
			q.double = !q.double
		case c == '$' && i+1 < len(s):
			j := i + 1
			if s[j] == '$' {
				i = j
				continue
			}
			if s[j] == '{' {
				j++
			}
			if j >= len(s) || !ftIsNameStart(s[j]) {
				continue
			}
			k := j + 1
			for k < len(s) && ftIsNameChar(s[k]) {
				k++
			}
			emit(s[j:k], Range{Start: Pos{Line: at.Line, Col: at.Col + j}, End: Pos{Line: at.Line, Col: at.Col + k}})
			i = k - 1
		}
	}
}
