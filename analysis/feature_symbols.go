package analysis

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Symbols for navigation: stage names, variables and here-document names, each occurrence
// located and grouped with the others that denote the same thing. Definition, references,
// document highlight and rename are all answered from one SymbolIndex.

// SymbolKind is the kind of a navigable name.
type SymbolKind int

// Symbol kinds.
const (
	SymbolStage SymbolKind = iota + 1
	SymbolVariable
	SymbolHeredoc
)

func (k SymbolKind) String() string {
	switch k {
	case SymbolStage:
		return "stage"
	case SymbolVariable:
		return "variable"
	case SymbolHeredoc:
		return "here-document"
	}
	return "symbol"
}

// Occurrence is one appearance of a name.
type Occurrence struct {
	Kind SymbolKind
	Name string
	// Range covers the name only.
	Range Range
	// Decl is true for a declaration (AS name, ARG/ENV name, <<NAME) and false for a use.
	Decl bool
	// Index is true for a stage referenced by number (COPY --from=0); it cannot be renamed.
	Index bool
	// Var is the variable use or declaration behind a SymbolVariable occurrence.
	Var    *VarUse
	VarDef *VarDef
	// Stage is the stage a SymbolStage occurrence refers to (nil when it names no stage).
	Stage *Stage
	group int
}

// SymbolIndex holds every occurrence of a navigable name in a File.
type SymbolIndex struct {
	File *File
	Vars *VarIndex
	occ  []Occurrence // sorted by Range.Start
	// groups[g] lists the indexes in occ of group g; renamable[g] says whether it may be renamed.
	groups    [][]int
	renamable []bool
	reason    []string
}

// IndexSymbols builds the symbol index of f in time linear in the file.
func IndexSymbols(f *File) *SymbolIndex {
	return IndexSymbolsWith(f, IndexVariables(f))
}

// IndexSymbolsWith is IndexSymbols reusing an existing variable index of f.
func IndexSymbolsWith(f *File, vars *VarIndex) *SymbolIndex {
	x := &SymbolIndex{File: f, Vars: vars}
	b := &symBuilder{x: x}
	b.stages(f)
	b.heredocs(f)
	b.variables(vars)
	b.finish()
	return x
}

type symBuilder struct {
	x      *SymbolIndex
	parent []int // union-find over provisional group keys (index = key)
	keys   []int // provisional key per occurrence
	// fixed reasons why a provisional key may not be renamed
	noRename map[int]string
}

func (b *symBuilder) newKey() int {
	k := len(b.parent)
	b.parent = append(b.parent, k)
	return k
}

func (b *symBuilder) find(k int) int {
	for b.parent[k] != k {
		b.parent[k] = b.parent[b.parent[k]]
		k = b.parent[k]
	}
	return k
}

func (b *symBuilder) union(a, c int) { b.parent[b.find(a)] = b.find(c) }

func (b *symBuilder) add(o Occurrence, key int) {
	b.x.occ = append(b.x.occ, o)
	b.keys = append(b.keys, key)
}

func (b *symBuilder) forbid(key int, why string) {
	if b.noRename == nil {
		b.noRename = map[int]string{}
	}
	b.noRename[key] = why
}

func (b *symBuilder) stages(f *File) {
	keys := make([]int, len(f.Stages))
	byName := map[string]int{}
	for i, st := range f.Stages {
		keys[i] = b.newKey()
		if st.Name != "" {
			if _, dup := byName[strings.ToLower(st.Name)]; !dup {
				byName[strings.ToLower(st.Name)] = i
			}
			b.add(Occurrence{Kind: SymbolStage, Name: st.Name, Range: st.NameRange, Decl: true, Stage: st}, keys[i])
		}
	}
	ref := func(name string, r Range, earlierThan int) {
		if name == "" || r.IsZero() {
			return
		}
		if i, ok := byName[strings.ToLower(name)]; ok && (earlierThan < 0 || i < earlierThan) {
			b.add(Occurrence{Kind: SymbolStage, Name: name, Range: r, Stage: f.Stages[i]}, keys[i])
			return
		}
		if n, err := strconv.Atoi(name); err == nil && n >= 0 && n < len(f.Stages) && earlierThan < 0 {
			k := b.newKey()
			b.forbid(k, "a stage referenced by number cannot be renamed")
			b.add(Occurrence{Kind: SymbolStage, Name: name, Range: r, Index: true, Stage: f.Stages[n]}, k)
		}
	}
	for _, st := range f.Stages {
		ref(st.BaseImage, st.BaseRange, st.Index)
	}
	for _, in := range f.Instructions {
		for _, fl := range in.Flags {
			switch {
			case fl.Name == "from" && (in.Cmd == "COPY"):
				ref(fl.Value, fl.ValueRange, -1)
			case fl.Name == "mount" && in.Cmd == "RUN":
				if v, r, ok := mountOption(f, fl, "from"); ok {
					ref(v, r, -1)
				}
			}
		}
	}
}

// mountOption finds key=value in the comma-separated value of flag fl (as typed on its first
// line) and returns the value with its range.
func mountOption(f *File, fl *Flag, key string) (string, Range, bool) {
	if fl.ValueRange.IsZero() {
		return "", Range{}, false
	}
	raw := ftSliceLine(f, Range{Start: fl.ValueRange.Start, End: fl.Range.End})
	col := fl.ValueRange.Start.Col
	for _, field := range strings.Split(raw, ",") {
		k, v, ok := strings.Cut(field, "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), key) {
			start := col + len(k) + 1
			return v, Range{Start: Pos{Line: fl.ValueRange.Start.Line, Col: start}, End: Pos{Line: fl.ValueRange.Start.Line, Col: start + len(v)}}, true
		}
		col += len(field) + 1
	}
	return "", Range{}, false
}

// heredocNameRange locates the name inside a "<<-'NAME'" token or a terminator line.
func heredocNameRange(f *File, r Range, name string) Range {
	if r.IsZero() || name == "" {
		return Range{}
	}
	s := ftSliceLine(f, r)
	i := strings.Index(s, name)
	if i < 0 {
		return Range{}
	}
	start := Pos{Line: r.Start.Line, Col: r.Start.Col + i}
	return Range{Start: start, End: Pos{Line: start.Line, Col: start.Col + len(name)}}
}

func (b *symBuilder) heredocs(f *File) {
	each := func(in *Instruction) {
		for _, h := range in.Heredocs {
			k := b.newKey()
			if r := heredocNameRange(f, h.NameRange, h.Name); !r.IsZero() {
				b.add(Occurrence{Kind: SymbolHeredoc, Name: h.Name, Range: r, Decl: true}, k)
			}
			if r := heredocNameRange(f, h.EndRange, h.Name); !r.IsZero() {
				b.add(Occurrence{Kind: SymbolHeredoc, Name: h.Name, Range: r}, k)
			}
		}
	}
	for _, in := range f.Instructions {
		each(in)
		if in.Sub != nil {
			each(in.Sub)
		}
	}
}

func (b *symBuilder) variables(vars *VarIndex) {
	defKey := map[*VarDef]int{}
	keyOf := func(d *VarDef) int {
		if k, ok := defKey[d]; ok {
			return k
		}
		k := b.newKey()
		defKey[d] = k
		if d.Kind == VarPredefined {
			b.forbid(k, d.Name+" is predefined by BuildKit")
		}
		return k
	}
	// Declarations of the same name in one scope chain are the same variable: link each to the
	// one it shadows, and stage ARGs to the global ARG they re-declare.
	for _, d := range vars.Defs {
		k := keyOf(d)
		if d.Global != nil {
			b.union(k, keyOf(d.Global))
		}
		if d.shadows != nil {
			b.union(k, keyOf(d.shadows))
		}
		b.add(Occurrence{Kind: SymbolVariable, Name: d.Name, Range: d.NameRange, Decl: true, VarDef: d}, k)
	}
	// Uses without a declaration are grouped by name and stage, for highlighting only.
	type stageName struct {
		stage int
		name  string
	}
	unresolved := map[stageName]int{}
	for _, u := range vars.Uses {
		var k int
		if u.Def != nil {
			k = keyOf(u.Def)
		} else {
			uk := stageName{u.Instr.Stage, u.Name}
			var ok bool
			if k, ok = unresolved[uk]; !ok {
				k = b.newKey()
				b.forbid(k, "$"+u.Name+" is not declared in this file")
				unresolved[uk] = k
			}
		}
		b.add(Occurrence{Kind: SymbolVariable, Name: u.Name, Range: u.Range, Var: u, VarDef: u.Def}, k)
	}
}

func (b *symBuilder) finish() {
	x := b.x
	type key struct{ line, col, i int }
	order := make([]key, len(x.occ))
	for i, o := range x.occ {
		order[i] = key{o.Range.Start.Line, o.Range.Start.Col, i}
	}
	slices.SortFunc(order, func(a, c key) int {
		if a.line != c.line {
			return a.line - c.line
		}
		if a.col != c.col {
			return a.col - c.col
		}
		return a.i - c.i
	})
	occ := make([]Occurrence, len(order))
	groupOf := make([]int, len(b.parent)) // root key -> group + 1
	for ni, k := range order {
		o := x.occ[k.i]
		root := b.find(b.keys[k.i])
		g := groupOf[root] - 1
		if g < 0 {
			g = len(x.groups)
			groupOf[root] = g + 1
			x.groups = append(x.groups, nil)
			x.renamable = append(x.renamable, true)
			x.reason = append(x.reason, "")
		}
		o.group = g
		occ[ni] = o
		x.groups[g] = append(x.groups[g], ni)
	}
	for key, why := range b.noRename {
		if g := groupOf[b.find(key)] - 1; g >= 0 {
			x.renamable[g] = false
			x.reason[g] = why
		}
	}
	x.occ = occ
}

// At returns the occurrence whose name contains p (a cursor just after the name counts).
func (x *SymbolIndex) At(p Pos) (Occurrence, bool) {
	i := sort.Search(len(x.occ), func(i int) bool { return !x.occ[i].Range.End.Before(p) })
	for ; i < len(x.occ) && !p.Before(x.occ[i].Range.Start); i++ {
		if x.occ[i].Range.Contains(p) {
			return x.occ[i], true
		}
	}
	return Occurrence{}, false
}

// Group returns every occurrence of the symbol o belongs to, in source order.
func (x *SymbolIndex) Group(o Occurrence) []Occurrence {
	if o.group < 0 || o.group >= len(x.groups) {
		return nil
	}
	out := make([]Occurrence, 0, len(x.groups[o.group]))
	for _, i := range x.groups[o.group] {
		out = append(out, x.occ[i])
	}
	return out
}

// Definitions returns the declarations of the symbol at p. For a variable use that is the
// declaration it sees (plus the global ARG a stage ARG re-declares); for a stage name, the
// "AS name" (or the FROM line of a stage referenced by number); for a here-document, its opener.
func (x *SymbolIndex) Definitions(p Pos) []Occurrence {
	o, ok := x.At(p)
	if !ok {
		return nil
	}
	switch o.Kind {
	case SymbolVariable:
		d := o.VarDef
		if d == nil || d.Kind == VarPredefined {
			return nil
		}
		out := []Occurrence{{Kind: SymbolVariable, Name: d.Name, Range: d.NameRange, Decl: true, VarDef: d}}
		if d.Global != nil {
			out = append(out, Occurrence{Kind: SymbolVariable, Name: d.Name, Range: d.Global.NameRange, Decl: true, VarDef: d.Global})
		}
		return out
	case SymbolStage:
		if o.Stage == nil {
			return nil
		}
		if o.Stage.Name == "" || o.Index {
			r := o.Stage.From.KeywordRange
			return []Occurrence{{Kind: SymbolStage, Name: o.Name, Range: r, Decl: true, Stage: o.Stage}}
		}
		return []Occurrence{{Kind: SymbolStage, Name: o.Stage.Name, Range: o.Stage.NameRange, Decl: true, Stage: o.Stage}}
	}
	var out []Occurrence
	for _, g := range x.Group(o) {
		if g.Decl {
			out = append(out, g)
		}
	}
	return out
}

// References returns the occurrences of the symbol at p; declarations only when includeDecl.
func (x *SymbolIndex) References(p Pos, includeDecl bool) []Occurrence {
	o, ok := x.At(p)
	if !ok {
		return nil
	}
	var out []Occurrence
	for _, g := range x.Group(o) {
		if includeDecl || !g.Decl {
			out = append(out, g)
		}
	}
	return out
}

// RenameError explains why a rename was refused.
type RenameError struct{ Reason string }

func (e *RenameError) Error() string { return e.Reason }

// PrepareRename returns the range of the name at p and the name, or a *RenameError when there
// is nothing renamable there.
func (x *SymbolIndex) PrepareRename(p Pos) (Range, string, error) {
	o, ok := x.At(p)
	if !ok {
		return Range{}, "", &RenameError{"no stage, variable or here-document name here"}
	}
	if !x.renamable[o.group] {
		return Range{}, "", &RenameError{x.reason[o.group]}
	}
	return o.Range, o.Name, nil
}

var (
	stageNameRE   = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9_.-]*$`)
	reservedStage = map[string]bool{"scratch": true, "context": true}
)

// Rename returns the edits that rename the symbol at p to newName, or a *RenameError.
func (x *SymbolIndex) Rename(p Pos, newName string) ([]TextEdit, error) {
	r, _, err := x.PrepareRename(p)
	if err != nil {
		return nil, err
	}
	o, _ := x.At(r.Start)
	switch o.Kind {
	case SymbolStage:
		if !stageNameRE.MatchString(newName) {
			return nil, &RenameError{fmt.Sprintf("%q is not a valid stage name (letters, digits, '-', '_', '.', starting with a letter)", newName)}
		}
		if reservedStage[strings.ToLower(newName)] {
			return nil, &RenameError{fmt.Sprintf("%q is a reserved name", newName)}
		}
		for _, st := range x.File.Stages {
			if st != o.Stage && strings.EqualFold(st.Name, newName) {
				return nil, &RenameError{fmt.Sprintf("a stage named %q already exists", newName)}
			}
		}
	default:
		if !ftValidName(newName) {
			return nil, &RenameError{fmt.Sprintf("%q is not a valid %s name", newName, o.Kind)}
		}
	}
	var edits []TextEdit
	for _, g := range x.Group(o) {
		edits = append(edits, TextEdit{Range: g.Range, NewText: newName})
	}
	return edits, nil
}
