package analysis

import (
	"slices"
	"sort"
	"strings"
)

// Semantic tokens: a classification of the located parts of a Dockerfile (keywords, flags,
// stage names, variables, ...) for editors to colour. Computed in one pass over the model, in
// time linear in the file (plus a sort of nearly sorted tokens).

// SemanticType is a semantic token type; SemanticTypeNames gives the LSP legend in order.
type SemanticType int

// Semantic token types.
const (
	SemKeyword SemanticType = iota
	SemComment
	SemString
	SemNumber
	SemVariable
	SemParameter
	SemProperty
	SemEnumMember
	SemNamespace
	SemType
	SemOperator
	SemMacro
)

// SemanticTypeNames are the LSP names of the SemanticType values, index = value.
var SemanticTypeNames = []string{
	"keyword", "comment", "string", "number", "variable", "parameter", "property", "enumMember",
	"namespace", "type", "operator", "macro",
}

// SemanticModifier is a bit set of token modifiers; SemanticModifierNames gives the legend.
type SemanticModifier uint32

// Semantic token modifiers.
const (
	SemDeclaration SemanticModifier = 1 << iota
	SemDeprecated
	SemDefaultLibrary
)

// SemanticModifierNames are the LSP names of the modifier bits, index = bit number.
var SemanticModifierNames = []string{"declaration", "deprecated", "defaultLibrary"}

// SemanticToken is one token on one line; Col and Len are in bytes.
type SemanticToken struct {
	Line, Col, Len int
	Type           SemanticType
	Mods           SemanticModifier
}

func (t SemanticToken) end() int { return t.Col + t.Len }

// SemanticTokens classifies the tokens of f. When within is non-nil only instructions, comments
// and directives that overlap it are visited. vars may be nil (it is computed then).
func SemanticTokens(f *File, vars *VarIndex, within *Range) []SemanticToken {
	if vars == nil {
		vars = IndexVariables(f)
	}
	e := &semEmitter{f: f, stages: map[string]bool{}, toks: make([]SemanticToken, 0, 8*len(f.Instructions)+len(f.Comments))}
	for _, st := range f.Stages {
		if st.Name != "" {
			e.stages[strings.ToLower(st.Name)] = true
		}
	}
	overlaps := func(r Range) bool {
		return within == nil || (!r.End.Before(within.Start) && !within.End.Before(r.Start))
	}
	for _, d := range f.Directives {
		if overlaps(d.Range) {
			e.directive(d)
		}
	}
	// Tokens are emitted in source order so that no global sort is needed: comments are merged
	// in between instructions (and inside them, for comment lines between continuation lines),
	// and only an instruction whose own tokens came out of order is sorted, alone.
	comments := f.Comments
	ci := 0
	commentsUntil := func(end Pos, inclusive bool) {
		for ci < len(comments) && (comments[ci].Range.Start.Before(end) || (inclusive && comments[ci].Range.Start == end)) {
			if overlaps(comments[ci].Range) {
				e.add(comments[ci].Range, SemComment, 0)
			}
			ci++
		}
	}
	ins := f.Instructions
	first := 0
	if within != nil {
		first = sort.Search(len(ins), func(i int) bool { return !ins[i].Range.End.Before(within.Start) })
	}
	for i := first; i < len(ins); i++ {
		in := ins[i]
		if within != nil && within.End.Before(in.Range.Start) {
			break
		}
		commentsUntil(in.Range.Start, false)
		seg := len(e.toks)
		e.instruction(in)
		commentsUntil(in.Range.End, true)
		if part := e.toks[seg:]; !slices.IsSortedFunc(part, cmpSemantic) {
			slices.SortFunc(part, cmpSemantic)
		}
	}
	commentsUntil(Pos{Line: len(f.LineStarts) + 1}, false)
	var uses []SemanticToken
	for _, u := range vars.Uses {
		if !overlaps(u.Range) {
			continue
		}
		var m SemanticModifier
		if u.Def != nil && u.Def.Kind == VarPredefined {
			m = SemDefaultLibrary
		}
		// Colour "$NAME" and "${NAME}" whole, not just the name.
		line := ftLine(f, u.Range.Start.Line)
		start, end := u.Range.Start.Col, u.Range.End.Col
		if start > 0 && line[start-1] == '{' && start > 1 && line[start-2] == '$' {
			start -= 2
			if end < len(line) && line[end] == '}' {
				end++
			}
		} else if start > 0 && line[start-1] == '$' {
			start--
		}
		uses = append(uses, SemanticToken{Line: u.Range.Start.Line, Col: start, Len: end - start, Type: SemVariable, Mods: m})
	}
	return mergeSemantic(e.toks, uses)
}

func cmpSemantic(a, b SemanticToken) int {
	if a.Line != b.Line {
		return a.Line - b.Line
	}
	return a.Col - b.Col
}

// mergeSemantic sorts base and cuts the variable tokens (which win) out of it.
func mergeSemantic(base, vars []SemanticToken) []SemanticToken {
	if !slices.IsSortedFunc(base, cmpSemantic) { // only when a range request skipped ahead
		slices.SortFunc(base, cmpSemantic)
	}
	out := make([]SemanticToken, 0, len(base)+len(vars))
	vi := 0
	lastLine, lastEnd := -1, 0
	push := func(t SemanticToken) {
		if t.Len <= 0 {
			return
		}
		if t.Line == lastLine && t.Col < lastEnd { // overlap with the previous token: clip
			d := lastEnd - t.Col
			t.Col += d
			t.Len -= d
			if t.Len <= 0 {
				return
			}
		}
		out = append(out, t)
		lastLine, lastEnd = t.Line, t.end()
	}
	for _, t := range base {
		// Emit variable tokens that come before t.
		for vi < len(vars) && (vars[vi].Line < t.Line || (vars[vi].Line == t.Line && vars[vi].Col < t.Col)) {
			push(vars[vi])
			vi++
		}
		// Cut variable tokens out of t.
		for vi < len(vars) && vars[vi].Line == t.Line && vars[vi].Col < t.end() {
			v := vars[vi]
			push(SemanticToken{Line: t.Line, Col: t.Col, Len: v.Col - t.Col, Type: t.Type, Mods: t.Mods})
			push(v)
			vi++
			if v.end() >= t.end() {
				t.Len = 0
				break
			}
			t.Len = t.end() - v.end()
			t.Col = v.end()
		}
		push(t)
	}
	for ; vi < len(vars); vi++ {
		push(vars[vi])
	}
	return out
}

type semEmitter struct {
	f      *File
	stages map[string]bool
	toks   []SemanticToken
}

// add emits r as one token per line it covers (LSP tokens are single-line by default).
func (e *semEmitter) add(r Range, t SemanticType, m SemanticModifier) {
	if r.IsZero() && r.End.Col == 0 {
		return
	}
	for ln := r.Start.Line; ln <= r.End.Line; ln++ {
		start, end := 0, len(ftLine(e.f, ln))
		if ln == r.Start.Line {
			start = r.Start.Col
		}
		if ln == r.End.Line {
			end = min(end, r.End.Col)
		}
		if end > start {
			e.toks = append(e.toks, SemanticToken{Line: ln, Col: start, Len: end - start, Type: t, Mods: m})
		}
	}
}

func (e *semEmitter) addCols(line, start, end int, t SemanticType, m SemanticModifier) {
	if end > start {
		e.toks = append(e.toks, SemanticToken{Line: line, Col: start, Len: end - start, Type: t, Mods: m})
	}
}

func (e *semEmitter) directive(d *Directive) {
	if d.NameRange.IsZero() {
		e.add(d.Range, SemComment, 0)
		return
	}
	e.add(Range{Start: d.Range.Start, End: d.NameRange.Start}, SemComment, 0)
	e.add(d.NameRange, SemMacro, 0)
	if !d.ValueRange.IsZero() {
		e.add(d.ValueRange, SemString, 0)
	}
}

func (e *semEmitter) instruction(in *Instruction) {
	var m SemanticModifier
	if in.Cmd == "MAINTAINER" {
		m = SemDeprecated
	}
	if in.Known {
		e.add(in.KeywordRange, SemKeyword, m)
	}
	for _, fl := range in.Flags {
		e.flag(in, fl)
	}
	switch in.Cmd {
	case "FROM":
		e.from(in)
	case "ARG", "ENV", "LABEL":
		e.keyValues(in)
	case "EXPOSE":
		for _, a := range in.Args {
			e.add(a.Range, SemNumber, 0)
		}
	case "HEALTHCHECK":
		if len(in.Args) > 0 {
			if w := strings.ToUpper(in.Args[0].Value); w == "CMD" || w == "NONE" {
				e.add(in.Args[0].Range, SemKeyword, 0)
			}
		}
	case "ONBUILD":
		if in.Sub != nil {
			e.instruction(in.Sub)
		}
	}
	if in.JSON {
		for _, a := range in.Args {
			e.add(a.Range, SemString, 0)
		}
	}
	for _, h := range in.Heredocs {
		e.add(h.NameRange, SemOperator, 0)
		if r := heredocNameRange(e.f, h.EndRange, h.Name); !r.IsZero() {
			e.add(r, SemOperator, 0)
		}
	}
}

func (e *semEmitter) flag(in *Instruction, fl *Flag) {
	e.add(fl.NameRange, SemParameter, 0)
	if !fl.HasValue || fl.ValueRange.IsZero() || fl.ValueRange.Start == fl.ValueRange.End {
		return
	}
	doc := LookupFlag(in.Cmd, fl.Name)
	switch {
	case fl.Name == "from" && in.Cmd == "COPY":
		t := SemType
		if e.stages[strings.ToLower(fl.Value)] || isStageIndex(fl.Value) {
			t = SemNamespace
		}
		e.add(fl.ValueRange, t, 0)
	case doc != nil && len(doc.SubOptions) > 0 && fl.ValueRange.Start.Line == fl.ValueRange.End.Line:
		e.options(fl, doc)
	case doc != nil && len(doc.Values) > 0:
		e.add(fl.ValueRange, SemEnumMember, 0)
	default:
		e.add(fl.ValueRange, SemString, 0)
	}
}

func isStageIndex(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// options colours "key=value,key=value" (RUN --mount, --device).
func (e *semEmitter) options(fl *Flag, doc *FlagDoc) {
	line := fl.ValueRange.Start.Line
	raw := ftSlice(e.f, fl.ValueRange)
	col := fl.ValueRange.Start.Col
	for _, field := range strings.Split(raw, ",") {
		k, v, ok := strings.Cut(field, "=")
		opt := doc.Option(strings.TrimSpace(k))
		switch {
		case opt == nil && !ok:
			e.addCols(line, col, col+len(field), SemString, 0)
		case opt == nil:
			e.addCols(line, col, col+len(k), SemString, 0)
			e.addCols(line, col+len(k)+1, col+len(field), SemString, 0)
		default:
			e.addCols(line, col, col+len(k), SemProperty, 0)
			if ok {
				vs := col + len(k) + 1
				t := SemString
				switch {
				case len(opt.Values) > 0:
					t = SemEnumMember
				case opt.Name == "from" && (e.stages[strings.ToLower(v)] || isStageIndex(v)):
					t = SemNamespace
				case opt.Name == "from":
					t = SemType
				}
				e.addCols(line, vs, vs+len(v), t, 0)
			}
		}
		col += len(field) + 1
	}
}

func (e *semEmitter) from(in *Instruction) {
	if in.Stage < 0 || in.Stage >= len(e.f.Stages) || e.f.Stages[in.Stage].From != in {
		return
	}
	st := e.f.Stages[in.Stage]
	if !st.BaseRange.IsZero() {
		t := SemType
		if e.stages[strings.ToLower(st.BaseImage)] {
			t = SemNamespace
		}
		e.add(st.BaseRange, t, 0)
	}
	for _, a := range in.Args {
		if strings.EqualFold(a.Value, "AS") && a.Range.Start.Before(st.NameRange.Start) && st.BaseRange.End.Before(a.Range.End) {
			e.add(a.Range, SemKeyword, 0)
		}
	}
	if !st.NameRange.IsZero() {
		e.add(st.NameRange, SemNamespace, SemDeclaration)
	}
}

// keyValues colours ARG/ENV names (declarations) and LABEL keys, and their values.
func (e *semEmitter) keyValues(in *Instruction) {
	if in.JSON {
		return
	}
	keyType, keyMod := SemVariable, SemDeclaration
	if in.Cmd == "LABEL" {
		keyType, keyMod = SemProperty, 0
	}
	if in.Cmd == "ENV" && len(in.Args) > 0 && !strings.Contains(in.Args[0].Value, "=") {
		e.add(in.Args[0].Range, keyType, keyMod)
		for _, a := range in.Args[1:] {
			e.add(a.Range, SemString, 0)
		}
		return
	}
	for _, a := range in.Args {
		k, _, ok := strings.Cut(ftSliceLine(e.f, a.Range), "=")
		ks := a.Range.Start
		e.add(Range{Start: ks, End: Pos{Line: ks.Line, Col: ks.Col + len(k)}}, keyType, keyMod)
		if ok {
			e.add(Range{Start: Pos{Line: ks.Line, Col: ks.Col + len(k) + 1}, End: a.Range.End}, SemString, 0)
		}
	}
}
