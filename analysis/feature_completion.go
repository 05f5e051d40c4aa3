package analysis

import (
	"sort"
	"strconv"
	"strings"
)

// Completion: what may be typed at a position. The context (keyword, flag, flag value, mount
// option, FROM image, variable, directive) is read from the raw text around the cursor, not
// only from the model, so that it works on half-typed, otherwise broken lines ("COPY --",
// "FROM " at the end of a file the parser could not make sense of).

// CompletionKind classifies a completion candidate.
type CompletionKind int

// Completion kinds.
const (
	CompKeyword CompletionKind = iota + 1
	CompDirective
	CompFlag
	CompValue
	CompVariable
	CompStage
	CompOption
)

// CompletionItem is one candidate. Replace is the range of text it replaces (the part of the
// word already typed); InsertText uses LSP snippet syntax when Snippet is true.
type CompletionItem struct {
	Label      string
	Kind       CompletionKind
	Detail     string
	Doc        string // Markdown
	InsertText string
	Snippet    bool
	Replace    Range
	// SortText orders candidates (empty: by label).
	SortText string
	// Deprecated marks candidates such as MAINTAINER.
	Deprecated bool
	// Retrigger asks the editor to complete again after inserting (e.g. after "--mount=").
	Retrigger bool
}

// Completion context for one position.
type compCtx struct {
	f        *File
	vars     *VarIndex
	imageEnv func(stage int) map[string]string
	pos      Pos
	line     string // the cursor line
	// words of the logical instruction up to the cursor; the last one is the word under the
	// cursor (possibly empty); wordStart is the column where that word starts on the cursor line.
	words     []string
	wordStart int
	first     bool // the instruction starts on the cursor line
}

// Complete returns completion candidates at p. vars may be nil.
func Complete(f *File, vars *VarIndex, p Pos) []CompletionItem {
	return CompleteWith(f, vars, p, nil)
}

// CompleteWith is Complete that also offers the variables of the base images' environments:
// imageEnv(i) returns the ENV of the image stage i names (i from VarIndex.RootStage). It is
// called only when variables are being completed, and may be nil.
func CompleteWith(f *File, vars *VarIndex, p Pos, imageEnv func(stage int) map[string]string) []CompletionItem {
	if p.Line < 0 || p.Line >= len(f.LineStarts) {
		return nil
	}
	line := ftLine(f, p.Line)
	if p.Col > len(line) {
		p.Col = len(line)
	}
	if in := heredocAt(f, p); in != nil {
		// Inside a here-document body only variables are completed (a RUN script, or a file
		// whose body BuildKit expands).
		if vars == nil {
			vars = IndexVariables(f)
		}
		c := &compCtx{f: f, vars: vars, imageEnv: imageEnv, pos: p, line: line}
		c.wordStart = p.Col
		for c.wordStart > 0 && !ftIsSpace(line[c.wordStart-1]) {
			c.wordStart--
		}
		c.words = []string{in.Cmd, line[c.wordStart:p.Col]}
		return c.completeVariable(c.words[1])
	}
	before := line[:p.Col]
	trimmed := strings.TrimLeft(before, " \t")
	if strings.HasPrefix(trimmed, "#") {
		if directiveZone(f, p.Line) {
			return completeDirective(f, p, line)
		}
		return nil
	}
	if vars == nil {
		vars = IndexVariables(f)
	}
	c := &compCtx{f: f, vars: vars, imageEnv: imageEnv, pos: p, line: line}
	c.split()
	cur := c.words[len(c.words)-1]
	if items := c.completeVariable(cur); items != nil {
		return items
	}
	words := c.words
	if len(words) == 1 {
		if !c.first {
			return nil
		}
		return c.keywords(cur, false)
	}
	kw := strings.ToUpper(words[0])
	if kw == "ONBUILD" {
		if len(words) == 2 {
			return c.keywords(cur, true)
		}
		words = words[1:]
		kw = strings.ToUpper(words[0])
	}
	doc := LookupInstruction(kw)
	if doc == nil {
		return nil
	}
	// Flags come first; the word under the cursor is a flag while all earlier ones were.
	nonFlags := 0
	for _, w := range words[1 : len(words)-1] {
		if !strings.HasPrefix(w, "--") {
			nonFlags++
		}
	}
	if nonFlags == 0 && strings.HasPrefix(cur, "-") {
		if name, value, ok := strings.Cut(strings.TrimLeft(cur, "-"), "="); ok {
			return c.flagValue(doc, name, value)
		}
		return c.flags(doc, cur, words)
	}
	switch kw {
	case "FROM":
		switch nonFlags {
		case 0:
			items := c.stages(cur, -1, true)
			if cur == "" {
				items = append(items, c.flags(doc, cur, words)...)
			}
			return items
		case 1:
			if strings.HasPrefix("AS", strings.ToUpper(cur)) {
				return []CompletionItem{{Label: "AS", Kind: CompKeyword, Detail: "name this stage", InsertText: "AS ${1:name}", Snippet: true, Replace: c.curRange()}}
			}
		}
	case "ARG":
		if !strings.Contains(cur, "=") {
			return c.argNames(cur)
		}
	case "HEALTHCHECK":
		if nonFlags == 0 {
			var items []CompletionItem
			for _, w := range []string{"CMD", "NONE"} {
				if strings.HasPrefix(w, strings.ToUpper(cur)) {
					items = append(items, CompletionItem{Label: w, Kind: CompKeyword, InsertText: w + " ", Replace: c.curRange()})
				}
			}
			if cur == "" {
				items = append(items, c.flags(doc, cur, words)...)
			}
			return items
		}
	}
	if nonFlags == 0 && cur == "" && len(doc.Flags) > 0 {
		return c.flags(doc, cur, words)
	}
	return nil
}

// inHeredocBody reports whether p is inside a here-document body (or its terminator line).
func inHeredocBody(f *File, p Pos) bool { return heredocAt(f, p) != nil }

// heredocAt returns the instruction whose here-document body (or terminator line) holds p.
func heredocAt(f *File, p Pos) *Instruction {
	ins := f.Instructions
	i := sort.Search(len(ins), func(i int) bool { return !ins[i].Range.End.Before(p) })
	if i >= len(ins) || !ins[i].Range.Contains(p) {
		return nil
	}
	for _, sp := range ftHeredocSpans(ins[i]) {
		last := sp.last
		if sp.terminator >= 0 {
			last = sp.terminator
		}
		if p.Line >= sp.first && p.Line <= last {
			return ins[i]
		}
	}
	return nil
}

// directiveZone reports whether line may hold a parser directive: only directive lines precede it.
func directiveZone(f *File, line int) bool {
	for i := 0; i < line; i++ {
		t := strings.TrimSpace(ftLine(f, i))
		if i == 0 {
			t = strings.TrimPrefix(t, "\ufeff")
		}
		if !strings.HasPrefix(t, "#") || !strings.Contains(t, "=") {
			return false
		}
	}
	return true
}

func completeDirective(f *File, p Pos, line string) []CompletionItem {
	before := line[:p.Col]
	hash := strings.IndexByte(before, '#')
	rest := before[hash+1:]
	name, value, hasEq := strings.Cut(rest, "=")
	var items []CompletionItem
	if hasEq {
		d := LookupDirective(strings.TrimSpace(name))
		if d == nil {
			return nil
		}
		vstart := hash + 1 + len(name) + 1
		r := Range{Start: Pos{Line: p.Line, Col: vstart + (len(value) - len(strings.TrimLeft(value, " ")))}, End: p}
		for _, v := range d.Values {
			items = append(items, CompletionItem{Label: v, Kind: CompValue, Detail: d.Summary, InsertText: v, Replace: r})
		}
		return items
	}
	start := hash + 1 + (len(rest) - len(strings.TrimLeft(rest, " \t")))
	prefix := strings.ToLower(strings.TrimSpace(rest))
	seen := map[string]bool{}
	for _, d := range f.Directives {
		seen[d.Name] = true
	}
	for _, d := range Directives() {
		if seen[d.Name] && d.Name != prefix || !strings.HasPrefix(d.Name, prefix) {
			continue
		}
		items = append(items, CompletionItem{
			Label: d.Name, Kind: CompDirective, Detail: d.Summary, Doc: d.Doc,
			InsertText: d.Name + "=", Replace: Range{Start: Pos{Line: p.Line, Col: start}, End: p}, Retrigger: true,
		})
	}
	return items
}

// split reads the logical instruction around the cursor: it walks back over continuation lines
// (lines ending with the escape character, with comment and blank lines between them) and
// splits the text up to the cursor into words.
func (c *compCtx) split() {
	esc := byte(ftEscape(c.f))
	start := c.pos.Line
	for k := c.pos.Line - 1; k >= 0; k-- {
		t := strings.TrimRight(ftLine(c.f, k), " \t")
		lt := strings.TrimLeft(t, " \t")
		if lt == "" || lt[0] == '#' {
			continue
		}
		if t[len(t)-1] != esc {
			break
		}
		start = k
	}
	c.first = start == c.pos.Line
	var words []string
	for k := start; k < c.pos.Line; k++ {
		l := ftLine(c.f, k)
		lt := strings.TrimLeft(l, " \t")
		if k > start && (lt == "" || lt[0] == '#') {
			continue
		}
		l = strings.TrimRight(l, " \t")
		if l != "" && l[len(l)-1] == esc {
			l = l[:len(l)-1]
		}
		words = append(words, strings.Fields(l)...)
	}
	before := c.line[:c.pos.Col]
	c.wordStart = len(before)
	for c.wordStart > 0 && !ftIsSpace(before[c.wordStart-1]) {
		c.wordStart--
	}
	words = append(words, strings.Fields(before[:c.wordStart])...)
	words = append(words, before[c.wordStart:])
	c.words = words
}

func (c *compCtx) curRange() Range {
	return Range{Start: Pos{Line: c.pos.Line, Col: c.wordStart}, End: c.pos}
}

// keywords offers instructions; inOnbuild leaves out what ONBUILD cannot wrap.
func (c *compCtx) keywords(prefix string, inOnbuild bool) []CompletionItem {
	up := strings.ToUpper(prefix)
	lower := prefix != "" && prefix == strings.ToLower(prefix)
	beforeFrom := len(c.f.Stages) == 0 || c.pos.Before(c.f.Stages[0].From.Range.Start)
	var items []CompletionItem
	for _, in := range Instructions() {
		if !strings.HasPrefix(in.Name, up) {
			continue
		}
		if inOnbuild && (in.Name == "ONBUILD" || in.Name == "FROM" || in.Name == "MAINTAINER") {
			continue
		}
		sortKey := "1"
		if beforeFrom && (in.Name == "FROM" || in.Name == "ARG") {
			sortKey = "0"
		}
		if in.Deprecated {
			sortKey = "9"
		}
		snippet := in.Snippet
		label := in.Name
		if lower { // keep the user's casing
			label = strings.ToLower(in.Name)
			snippet = label + strings.TrimPrefix(snippet, in.Name)
		}
		items = append(items, CompletionItem{
			Label: label, Kind: CompKeyword, Detail: in.Summary, Doc: in.Doc,
			InsertText: snippet, Snippet: true, Replace: c.curRange(), SortText: sortKey + in.Name,
			Deprecated: in.Deprecated,
		})
	}
	return items
}

// flags offers the flags of an instruction not given yet (repeatable ones always).
func (c *compCtx) flags(doc *InstructionDoc, cur string, words []string) []CompletionItem {
	given := map[string]bool{}
	for _, w := range words[1 : len(words)-1] {
		if strings.HasPrefix(w, "--") {
			name, _, _ := strings.Cut(w[2:], "=")
			given[strings.ToLower(name)] = true
		}
	}
	prefix := strings.ToLower(strings.TrimLeft(cur, "-"))
	var items []CompletionItem
	for i, fl := range doc.Flags {
		if (given[fl.Name] && !fl.Repeatable) || !strings.HasPrefix(fl.Name, prefix) {
			continue
		}
		it := CompletionItem{
			Label: "--" + fl.Name, Kind: CompFlag, Detail: fl.Summary, Doc: flagDocText(fl),
			Replace: c.curRange(), SortText: strconv.Itoa(100 + i),
		}
		switch {
		case !fl.TakesValue:
			it.InsertText = "--" + fl.Name
		case len(fl.Values) > 0:
			it.InsertText = "--" + fl.Name + "=${1|" + strings.Join(fl.Values, ",") + "|}"
			it.Snippet = true
		default:
			it.InsertText = "--" + fl.Name + "="
			it.Retrigger = true
		}
		items = append(items, it)
	}
	return items
}

func flagDocText(fl *FlagDoc) string {
	var b strings.Builder
	b.WriteString(fl.Doc)
	if len(fl.Values) > 0 {
		b.WriteString("\n\nValues: `" + strings.Join(fl.Values, "`, `") + "`")
	}
	if fl.Default != "" {
		b.WriteString("\n\nDefault: `" + fl.Default + "`")
	}
	if fl.Since != "" {
		b.WriteString("\n\nSince: " + fl.Since)
	}
	return b.String()
}

// flagValue offers values for "--name=value" under the cursor.
func (c *compCtx) flagValue(doc *InstructionDoc, name, value string) []CompletionItem {
	fl := LookupFlag(doc.Name, name)
	if fl == nil {
		return nil
	}
	vstart := c.pos.Col - len(value)
	r := Range{Start: Pos{Line: c.pos.Line, Col: vstart}, End: c.pos}
	if len(fl.SubOptions) > 0 {
		return c.options(fl, value, vstart)
	}
	if fl.Name == "from" && doc.Name == "COPY" {
		return c.stages(value, c.stageAtCursor(), false)
	}
	var items []CompletionItem
	for _, v := range fl.Values {
		if strings.HasPrefix(v, value) {
			items = append(items, CompletionItem{Label: v, Kind: CompValue, Detail: fl.Summary, InsertText: v, Replace: r})
		}
	}
	for _, v := range fl.Suggestions {
		if strings.HasPrefix(v, value) {
			items = append(items, CompletionItem{Label: v, Kind: CompValue, Detail: fl.Summary, InsertText: v, Replace: r})
		}
	}
	if fl.Name == "parents" || fl.Name == "link" || fl.Name == "keep-git-dir" || fl.Name == "unpack" {
		for _, v := range []string{"true", "false"} {
			if strings.HasPrefix(v, value) {
				items = append(items, CompletionItem{Label: v, Kind: CompValue, InsertText: v, Replace: r})
			}
		}
	}
	return items
}

// options completes the comma-separated options of --mount and --device.
func (c *compCtx) options(fl *FlagDoc, value string, vstart int) []CompletionItem {
	fields := strings.Split(value, ",")
	curField := fields[len(fields)-1]
	fstart := vstart + len(value) - len(curField)
	mountType := ""
	given := map[string]bool{}
	for _, fd := range fields[:len(fields)-1] {
		k, v, _ := strings.Cut(fd, "=")
		if o := fl.Option(k); o != nil {
			given[o.Name] = true
			if o.Name == "type" {
				mountType = strings.ToLower(v)
			}
		}
	}
	if k, v, ok := strings.Cut(curField, "="); ok {
		o := fl.Option(k)
		if o == nil {
			return nil
		}
		r := Range{Start: Pos{Line: c.pos.Line, Col: fstart + len(k) + 1}, End: c.pos}
		if o.Name == "from" {
			return c.stages(v, c.stageAtCursor(), false)
		}
		var items []CompletionItem
		for _, val := range o.Values {
			if strings.HasPrefix(val, strings.ToLower(v)) {
				items = append(items, CompletionItem{Label: val, Kind: CompValue, Detail: o.Summary, InsertText: val, Replace: r})
			}
		}
		return items
	}
	r := Range{Start: Pos{Line: c.pos.Line, Col: fstart}, End: c.pos}
	var items []CompletionItem
	for i, o := range fl.OptionsFor(mountType) {
		if given[o.Name] || !strings.HasPrefix(o.Name, strings.ToLower(curField)) {
			continue
		}
		it := CompletionItem{Label: o.Name, Kind: CompOption, Detail: o.Summary, Replace: r, SortText: strconv.Itoa(100 + i)}
		if len(o.Values) > 0 && !o.Bare {
			it.InsertText = o.Name + "=${1|" + strings.Join(o.Values, ",") + "|}"
			it.Snippet = true
		} else if o.Bare {
			it.InsertText = o.Name
		} else {
			it.InsertText = o.Name + "="
			it.Retrigger = o.Name == "from"
		}
		items = append(items, it)
	}
	return items
}

// stageAtCursor returns the index of the stage the cursor is in (-1 before the first FROM).
func (c *compCtx) stageAtCursor() int {
	idx := -1
	for _, st := range c.f.Stages {
		if st.From != nil && !c.pos.Before(st.From.Range.Start) {
			idx = st.Index
		}
	}
	return idx
}

// stages offers stage names: for FROM the stages before the cursor (plus scratch), for
// --from every other stage.
func (c *compCtx) stages(prefix string, current int, forFrom bool) []CompletionItem {
	var r Range
	if forFrom {
		r = c.curRange()
	} else {
		r = Range{Start: Pos{Line: c.pos.Line, Col: c.pos.Col - len(prefix)}, End: c.pos}
	}
	lp := strings.ToLower(prefix)
	var items []CompletionItem
	for _, st := range c.f.Stages {
		if st.Name == "" || st.Index == current {
			continue
		}
		if forFrom && !st.From.Range.Start.Before(c.pos) {
			continue
		}
		if forFrom && st.From.Range.Contains(c.pos) {
			continue
		}
		if !strings.HasPrefix(strings.ToLower(st.Name), lp) {
			continue
		}
		detail := "stage " + strconv.Itoa(st.Index)
		if st.BaseImage != "" {
			detail += " FROM " + st.BaseImage
		}
		items = append(items, CompletionItem{Label: st.Name, Kind: CompStage, Detail: detail, InsertText: st.Name, Replace: r, SortText: "0" + st.Name})
	}
	if forFrom && strings.HasPrefix("scratch", lp) {
		items = append(items, CompletionItem{Label: "scratch", Kind: CompValue, Detail: "an empty base image", InsertText: "scratch", Replace: r, SortText: "1scratch"})
	}
	return items
}

// completeVariable completes "$NA" and "${NA" at the cursor; nil when the cursor is not on one.
func (c *compCtx) completeVariable(cur string) []CompletionItem {
	i := len(cur)
	for i > 0 && ftIsNameChar(cur[i-1]) {
		i--
	}
	brace := false
	switch {
	case i > 0 && cur[i-1] == '$':
	case i > 1 && cur[i-1] == '{' && cur[i-2] == '$':
		brace = true
	default:
		return nil
	}
	prefix := cur[i:]
	if prefix != "" && !ftIsNameStart(prefix[0]) {
		return nil
	}
	// Single-quoted text is not expanded.
	var q ftQuoteState
	ftScanVars(c.line[:c.pos.Col], Pos{}, byte(ftEscape(c.f)), &q, func(string, Range) {})
	if q.single {
		return []CompletionItem{}
	}
	r := Range{Start: Pos{Line: c.pos.Line, Col: c.pos.Col - len(prefix)}, End: c.pos}
	closeBrace := brace && !strings.HasPrefix(c.line[c.pos.Col:], "}")
	kw := strings.ToUpper(c.words[0])
	inFrom := kw == "FROM"
	var defs []*VarDef
	seen := map[string]bool{}
	for _, d := range c.visible(inFrom) {
		defs = append(defs, d)
		seen[d.Name] = true
	}
	stage := c.stageAtCursor()
	for _, d := range PredefinedVars() {
		if seen[d.Name] {
			continue
		}
		switch {
		case isPlatformArg(d.Name) && (inFrom || stage < 0):
		case isProxyArg(d.Name) && kw == "RUN":
		default:
			continue
		}
		defs = append(defs, d)
	}
	if !inFrom && stage >= 0 && c.imageEnv != nil {
		// The base image's environment, for names the file does not declare.
		root := c.vars.RootStage(stage)
		env := c.imageEnv(root)
		names := make([]string, 0, len(env))
		for name := range env {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			if !seen[name] && ftValidName(name) {
				seen[name] = true
				defs = append(defs, &VarDef{Name: name, Kind: VarEnv, Value: env[name], HasValue: true, Stage: root,
					Doc: "From the environment of the base image `" + c.f.Stages[root].BaseImage + "`."})
			}
		}
	}
	var items []CompletionItem
	for _, d := range defs {
		if !strings.HasPrefix(d.Name, prefix) {
			continue
		}
		ins := d.Name
		if closeBrace {
			ins += "}"
		}
		detail := d.Kind.String()
		if d.Instr == nil && d.Kind == VarEnv {
			detail = "base image ENV"
		}
		if d.HasValue {
			detail += " = " + d.Value
		}
		doc := d.Doc
		if d.Instr != nil {
			doc = "Declared on line " + strconv.Itoa(d.NameRange.Start.Line+1) + "."
		}
		items = append(items, CompletionItem{Label: d.Name, Kind: CompVariable, Detail: detail, Doc: doc, InsertText: ins, Replace: r})
	}
	if items == nil {
		items = []CompletionItem{}
	}
	return items
}

// visible returns the variables visible at the cursor (global ones for FROM lines).
func (c *compCtx) visible(inFrom bool) []*VarDef {
	f := c.f
	var last *Instruction
	for _, in := range f.Instructions {
		if c.pos.Before(in.Range.Start) {
			break
		}
		last = in
	}
	if inFrom || last == nil || last.Stage < 0 {
		var out []*VarDef
		for _, d := range c.vars.Defs {
			if d.Stage < 0 && d.NameRange.Start.Before(c.pos) {
				out = append(out, d)
			}
		}
		return out
	}
	if last.Range.Contains(c.pos) {
		return c.vars.Visible(last)
	}
	// After the instruction: its scope plus its own declarations, which replace earlier ones
	// of the same name.
	byName := map[string]*VarDef{}
	var order []string
	put := func(d *VarDef) {
		if _, ok := byName[d.Name]; !ok {
			order = append(order, d.Name)
		}
		byName[d.Name] = d
	}
	for _, d := range c.vars.Visible(last) {
		put(d)
	}
	for _, d := range c.vars.Defs {
		if d.Instr == last {
			put(d)
		}
	}
	out := make([]*VarDef, 0, len(order))
	for _, n := range order {
		out = append(out, byName[n])
	}
	return out
}

// argNames offers names for an ARG declaration: inside a stage, the global ARGs and the
// predefined platform ARGs not declared there yet (re-declaring is how a stage gets them);
// everywhere, BuildKit's own build arguments.
func (c *compCtx) argNames(prefix string) []CompletionItem {
	stage := c.stageAtCursor()
	declared := map[string]bool{}
	for _, d := range c.vars.Defs {
		if d.Stage == stage && d.NameRange.Start.Before(c.pos) {
			declared[d.Name] = true
		}
	}
	var items []CompletionItem
	add := func(name, detail, doc string) {
		if declared[name] || !strings.HasPrefix(name, prefix) {
			return
		}
		declared[name] = true
		items = append(items, CompletionItem{Label: name, Kind: CompVariable, Detail: detail, Doc: doc, InsertText: name, Replace: c.curRange()})
	}
	if stage >= 0 {
		for _, d := range c.vars.Defs {
			if d.Stage < 0 && d.Kind == VarArg {
				detail := "global ARG"
				if d.HasValue {
					detail += " = " + d.Value
				}
				add(d.Name, detail, "Re-declare the global ARG to use it in this stage.")
			}
		}
		for _, a := range platformArgs {
			add(a.name, "predefined ARG", a.doc)
		}
	}
	for _, a := range buildkitArgs {
		add(a.name, "BuildKit build argument", a.doc)
	}
	return items
}
