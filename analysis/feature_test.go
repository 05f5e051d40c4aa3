package analysis

import (
	"fmt"
	"sort"
	"strings"
	"testing"
)

// markers removes "@{name}" markers from src and returns the text and each marker's position.
// Tests locate positions by marker, never by hard-coded line and column numbers.
func markers(t *testing.T, src string) (string, map[string]Pos) {
	t.Helper()
	pos := map[string]Pos{}
	var b strings.Builder
	line, col := 0, 0
	for i := 0; i < len(src); {
		if strings.HasPrefix(src[i:], "@{") {
			j := strings.IndexByte(src[i:], '}')
			if j < 0 {
				t.Fatalf("unterminated marker at byte %d", i)
			}
			name := src[i+2 : i+j]
			if _, dup := pos[name]; dup {
				t.Fatalf("duplicate marker %q", name)
			}
			pos[name] = Pos{Line: line, Col: col}
			i += j + 1
			continue
		}
		c := src[i]
		b.WriteByte(c)
		if c == '\n' {
			line++
			col = 0
		} else {
			col++
		}
		i++
	}
	return b.String(), pos
}

// occText renders occurrences as "name@line:col(decl)" in source order, for comparisons.
func occText(f *File, occ []Occurrence) string {
	var parts []string
	for _, o := range occ {
		s := ftSlice(f, o.Range) + "@" + o.Range.Start.String()
		if o.Decl {
			s += "(decl)"
		}
		parts = append(parts, s)
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

func posText(m map[string]Pos, names ...string) string {
	var parts []string
	for _, n := range names {
		parts = append(parts, fmt.Sprint(m[n]))
	}
	return strings.Join(parts, ",")
}

const navFixture = `# syntax=docker/dockerfile:1
ARG @{gver}VERSION=3.20
ARG @{greg}REGISTRY=docker.io
FROM ${@{fromreg}REGISTRY}/alpine:$@{fromver}VERSION AS @{builddecl}build
ARG @{stagever}VERSION
ENV @{pathdecl}APP=/opt/app TAG=v$@{useinstage}VERSION
RUN echo "$@{runapp}APP" '$APP' \
  # a comment between continuation lines
  && echo ${@{bracedapp}APP:-none} $@{undeclared}UNKNOWN $@{proxy}HTTP_PROXY
RUN <<@{hdecl}SCRIPT
echo $@{hereapp}APP
@{hend}SCRIPT
CMD echo $@{cmdver}VERSION $@{cmdapp}APP

FROM @{fromstage}build AS @{testdecl}test
ENV @{appredef}APP=$@{inherited}APP/bin
COPY --from=@{copyfrom}build /a /b
COPY --from=@{copyidx}0 /c /d
RUN --mount=type=cache,target=/c,from=@{mountfrom}build true
`

func TestVariablesResolve(t *testing.T) {
	src, m := markers(t, navFixture)
	f := Parse(src)
	vars := IndexVariables(f)
	for _, tc := range []struct {
		use  string
		def  string // marker of the declaration, "" for none, "predef" for predefined
		kind VarKind
	}{
		{"fromreg", "greg", VarArg},
		{"fromver", "gver", VarArg},
		{"useinstage", "stagever", VarArg},
		{"runapp", "pathdecl", VarEnv},
		{"bracedapp", "pathdecl", VarEnv},
		{"undeclared", "", 0},
		{"proxy", "predef", VarPredefined},
		{"hereapp", "pathdecl", VarEnv},
		{"cmdver", "", 0}, // CMD runs in the container: ARGs are gone
		{"cmdapp", "pathdecl", VarEnv},
		{"inherited", "pathdecl", VarEnv}, // ENV inherited from the parent stage
	} {
		u := vars.UseAt(m[tc.use])
		if u == nil {
			t.Errorf("UseAt(%s) = nil", tc.use)
			continue
		}
		switch {
		case tc.def == "" && u.Def != nil:
			t.Errorf("%s resolves to %v, want unresolved", tc.use, u.Def.NameRange)
		case tc.def == "predef" && (u.Def == nil || u.Def.Kind != VarPredefined):
			t.Errorf("%s resolves to %+v, want predefined", tc.use, u.Def)
		case tc.def != "" && tc.def != "predef" && (u.Def == nil || u.Def.NameRange.Start != m[tc.def]):
			t.Errorf("%s resolves to %+v, want declaration at %v", tc.use, u.Def, m[tc.def])
		}
	}
	// '$APP' in single quotes is not a use.
	for _, u := range vars.Uses {
		if u.Name == "APP" && u.Range.Start.Line == m["runapp"].Line && u.Range.Start.Col > m["runapp"].Col+3 {
			t.Errorf("single-quoted $APP counted as a use at %v", u.Range)
		}
	}
	// The stage ARG re-declares the global one and takes its default.
	d := vars.DefAt(m["stagever"])
	if d == nil || d.Global == nil || d.Global.NameRange.Start != m["gver"] {
		t.Fatalf("stage ARG VERSION: %+v, want Global at %v", d, m["gver"])
	}
	if v, ok := vars.Evaluate(f, d, nil); !ok || v != "3.20" {
		t.Errorf("Evaluate(stage VERSION) = %q, %v; want 3.20", v, ok)
	}
	tag := vars.DefAt(Pos{Line: m["useinstage"].Line, Col: strings.Index(ftLine(f, m["useinstage"].Line), "TAG")})
	if v, ok := vars.Evaluate(f, tag, nil); !ok || v != "v3.20" {
		t.Errorf("Evaluate(TAG) = %q, %v; want v3.20", v, ok)
	}
	if v, ok := vars.Evaluate(f, tag, map[string]string{"VERSION": "9"}); !ok || v != "v9" {
		t.Errorf("Evaluate(TAG, VERSION=9) = %q, %v; want v9", v, ok)
	}
}

func TestNavigation(t *testing.T) {
	src, m := markers(t, navFixture)
	f := Parse(src)
	x := IndexSymbols(f)
	// Definitions.
	for _, tc := range []struct{ at, want string }{
		{"fromstage", "builddecl"},
		{"copyfrom", "builddecl"},
		{"mountfrom", "builddecl"},
		{"runapp", "pathdecl"},
		{"hend", "hdecl"},
		{"fromver", "gver"},
	} {
		defs := x.Definitions(m[tc.at])
		if len(defs) == 0 || defs[0].Range.Start != m[tc.want] {
			t.Errorf("Definitions(%s) = %s, want %v", tc.at, occText(f, defs), m[tc.want])
		}
	}
	// The stage ARG's definition includes the global one it re-declares.
	if defs := x.Definitions(m["useinstage"]); len(defs) != 2 || defs[1].Range.Start != m["gver"] {
		t.Errorf("Definitions(useinstage) = %s, want stage and global ARG", occText(f, defs))
	}
	// COPY --from=0 goes to the FROM of stage 0.
	if defs := x.Definitions(m["copyidx"]); len(defs) != 1 || defs[0].Range.Start.Line != m["builddecl"].Line {
		t.Errorf("Definitions(copyidx) = %s", occText(f, defs))
	}
	// References of the stage name: every use, with and without the declaration.
	refs := x.References(m["builddecl"], true)
	if got := occText(f, refs); got != occText(f, []Occurrence{
		{Range: Range{Start: m["builddecl"], End: Pos{Line: m["builddecl"].Line, Col: m["builddecl"].Col + 5}}, Decl: true},
		{Range: Range{Start: m["fromstage"], End: Pos{Line: m["fromstage"].Line, Col: m["fromstage"].Col + 5}}},
		{Range: Range{Start: m["copyfrom"], End: Pos{Line: m["copyfrom"].Line, Col: m["copyfrom"].Col + 5}}},
		{Range: Range{Start: m["mountfrom"], End: Pos{Line: m["mountfrom"].Line, Col: m["mountfrom"].Col + 5}}},
	}) {
		t.Errorf("References(build) = %s", got)
	}
	if refs := x.References(m["builddecl"], false); len(refs) != 3 {
		t.Errorf("References(build, no decl) = %s, want 3", occText(f, refs))
	}
	// The APP variable: declaration, redefinition in the child stage and all uses are one symbol.
	app := x.References(m["pathdecl"], true)
	want := []string{"pathdecl", "runapp", "bracedapp", "hereapp", "cmdapp", "appredef", "inherited"}
	if len(app) != len(want) {
		t.Errorf("References(APP) = %s, want %d occurrences at %s", occText(f, app), len(want), posText(m, want...))
	}
	// Global VERSION: the global ARG, its uses in FROM, the stage re-declaration and its uses.
	ver := x.References(m["gver"], true)
	if got := len(ver); got != 4 { // gver, fromver, stagever, useinstage
		t.Errorf("References(VERSION) = %s, want 4", occText(f, ver))
	}
}

func TestRename(t *testing.T) {
	src, m := markers(t, navFixture)
	f := Parse(src)
	x := IndexSymbols(f)
	apply := func(edits []TextEdit) string {
		sort.Slice(edits, func(i, j int) bool { return edits[j].Range.Start.Before(edits[i].Range.Start) })
		out := f.Text
		for _, e := range edits {
			a, b := ftOffset(f, e.Range.Start), ftOffset(f, e.Range.End)
			out = out[:a] + e.NewText + out[b:]
		}
		return out
	}
	edits, err := x.Rename(m["copyfrom"], "builder")
	if err != nil {
		t.Fatal(err)
	}
	got := Parse(apply(edits))
	if got.Stages[0].Name != "builder" || got.Stages[1].BaseImage != "builder" {
		t.Errorf("after rename: stage 0 %q, stage 1 FROM %q", got.Stages[0].Name, got.Stages[1].BaseImage)
	}
	if strings.Count(apply(edits), "builder") != 4 {
		t.Errorf("rename build -> builder made %d replacements, want 4:\n%s", strings.Count(apply(edits), "builder"), apply(edits))
	}
	edits, err = x.Rename(m["runapp"], "APP_HOME")
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(apply(edits), "APP_HOME"); n != 7 {
		t.Errorf("rename APP made %d replacements, want 7", n)
	}
	for _, tc := range []struct{ at, name, want string }{
		{"copyidx", "x", "number"},
		{"undeclared", "X", "not declared"},
		{"proxy", "X", "predefined"},
		{"copyfrom", "test", "already exists"},
		{"copyfrom", "9lives", "not a valid stage name"},
		{"copyfrom", "scratch", "reserved"},
		{"runapp", "A-B", "not a valid variable name"},
	} {
		if _, err := x.Rename(m[tc.at], tc.name); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Rename(%s, %q) error = %v, want %q", tc.at, tc.name, err, tc.want)
		}
	}
	if r, name, err := x.PrepareRename(m["hdecl"]); err != nil || name != "SCRIPT" || ftSlice(f, r) != "SCRIPT" {
		t.Errorf("PrepareRename(heredoc) = %v %q %v", r, name, err)
	}
}
