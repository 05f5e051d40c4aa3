package analysis

import (
	"encoding/json"
	"regexp"
	"strings"
	"unicode"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// This file holds the column scanner: it walks the source line by line exactly as BuildKit's
// parser.Parse groups lines into instructions (directives, comments, continuation lines, empty
// continuation lines, heredoc bodies), but keeps going past anything BuildKit would reject and
// records a position for everything it finds.

const psBOM = "\xEF\xBB\xBF"

// psScanner holds the source being scanned.
type psScanner struct {
	text   string
	starts []int // line start offsets
	n      int   // number of lines BuildKit's line scanner yields (no phantom line after a final "\n")
	esc    byte
	spans  [][2]int // scratch space for word spans
}

func newPsScanner(text string, starts []int, esc byte) *psScanner {
	n := len(starts)
	if starts[n-1] == len(text) {
		n-- // text is empty or ends with "\n": the last "line" holds nothing
	}
	return &psScanner{text: text, starts: starts, n: n, esc: esc}
}

// psLineStarts returns the byte offset of the start of every line of text ("\n" ends a line).
func psLineStarts(text string) []int {
	starts := make([]int, 1, 16+len(text)/32)
	for i := 0; ; {
		j := strings.IndexByte(text[i:], '\n')
		if j < 0 {
			break
		}
		i += j + 1
		starts = append(starts, i)
	}
	return starts
}

// line returns line i with its line terminator trimmed the way BuildKit's trimNewline does (every
// trailing "\r" and "\n").
func (sc *psScanner) line(i int) string {
	end := len(sc.text)
	if i+1 < len(sc.starts) {
		end = sc.starts[i+1]
	}
	return strings.TrimRight(sc.text[sc.starts[i]:end], "\r\n")
}

// lineEnd returns the offset just after line i's "\n" (or the end of the text).
func (sc *psScanner) lineEnd(i int) int {
	if i+1 < len(sc.starts) {
		return sc.starts[i+1]
	}
	return len(sc.text)
}

func psIsComment(s string) bool {
	s = strings.TrimLeftFunc(s, unicode.IsSpace)
	return len(s) > 0 && s[0] == '#'
}

func psIsBlank(s string) bool {
	return strings.TrimLeftFunc(s, unicode.IsSpace) == ""
}

// psTrimCont mirrors BuildKit's line continuation regexp: when s ends with the escape
// character (plus spaces and tabs) not itself escaped, it returns the length of s without them and
// true.
func psTrimCont(s string, esc byte) (int, bool) {
	k := len(strings.TrimRight(s, " \t"))
	if k == 0 || s[k-1] != esc {
		return len(s), false
	}
	if k >= 2 && s[k-2] == esc {
		return len(s), false
	}
	return k - 1, true
}

// psComment makes the Comment for line i whose content (after leading white space) starts at
// column col.
func psComment(line string, i, col int) *Comment {
	body := line[col+1:]
	return &Comment{
		Text:  strings.TrimPrefix(body, " "),
		Range: Range{Pos{i, col}, Pos{i, len(line)}},
	}
}

// psDirectiveRe is BuildKit's directive pattern.
var psDirectiveRe = regexp.MustCompile(`^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$`)

// header scans the parser directives at the top of the file. It returns them, the comments that
// look like directives but are not accepted (duplicates), findings, the escape character and the
// first line that is not a directive.
func (sc *psScanner) header() (dirs []*Directive, comments []*Comment, errs []Finding, esc byte, next int) {
	esc = '\\'
	seen := map[string]bool{}
	i := 0
	for ; i < sc.n; i++ {
		raw := sc.line(i)
		col := 0
		if i == 0 && strings.HasPrefix(raw, psBOM) {
			col = len(psBOM)
		}
		t := strings.TrimLeftFunc(raw[col:], unicode.IsSpace)
		col = len(raw) - len(t)
		if !strings.HasPrefix(t, "#") {
			break
		}
		after := strings.TrimLeftFunc(t[1:], unicode.IsSpace)
		off := len(raw) - len(after)
		m := psDirectiveRe.FindStringSubmatchIndex(after)
		if m == nil {
			break
		}
		name := strings.ToLower(after[m[2]:m[3]])
		if name != "syntax" && name != "escape" && name != "check" {
			break
		}
		d := &Directive{
			Name:       name,
			Value:      after[m[4]:m[5]],
			Range:      Range{Pos{i, col}, Pos{i, len(raw)}},
			NameRange:  Range{Pos{i, off + m[2]}, Pos{i, off + m[3]}},
			ValueRange: Range{Pos{i, off + m[4]}, Pos{i, off + m[5]}},
		}
		if seen[name] {
			errs = append(errs, Finding{
				Rule: RuleParseError, Severity: SeverityError, Range: d.Range,
				Message: "only one " + name + " parser directive can be used",
			})
			comments = append(comments, psComment(raw, i, col))
			continue
		}
		seen[name] = true
		if name == "escape" {
			if d.Value == "`" || d.Value == `\` {
				esc = d.Value[0]
			} else {
				errs = append(errs, Finding{
					Rule: RuleInvalidEscapeDirective, Severity: SeverityError, Range: d.ValueRange,
					Message: "invalid escape token '" + d.Value + "' does not match ` or \\",
				})
			}
		}
		dirs = append(dirs, d)
	}
	return dirs, comments, errs, esc, i
}

// psUnit is one instruction found by the scanner with the lines it spans.
type psUnit struct {
	lx           *psLexed
	first        int // first line
	last         int // last line (inclusive)
	lg           psLogical
	comments     []*Comment // comment lines inside continuations
	heredocErr   string     // BuildKit's complaint about the heredoc words, if any
	unterminated *Heredoc   // the heredoc no line ends, if any
}

// psLexed is an instruction with what the scanner learned on the way that is not part of the model.
type psLexed struct {
	ins     *Instruction
	jsonErr bool // a JSON array with a non-string element: BuildKit rejects the line
	nodeErr bool // BuildKit's line parser rejects the instruction
	sub     *psLexed
}

// scanFrom scans lines [i, sc.n) and calls emit for every instruction and every comment line
// outside instructions, in source order. emit returns false to stop; scanFrom then returns the
// line where scanning would resume.
func (sc *psScanner) scanFrom(i int, emit func(u *psUnit, c *Comment, next int) bool) int {
	for i < sc.n {
		raw := sc.line(i)
		col := 0
		if i == 0 && strings.HasPrefix(raw, psBOM) {
			col = len(psBOM)
		}
		t := strings.TrimLeftFunc(raw[col:], unicode.IsSpace)
		col = len(raw) - len(t)
		if len(t) > 0 && t[0] == '#' {
			c := psComment(raw, i, col)
			i++
			if !emit(nil, c, i) {
				return i
			}
			continue
		}
		keep, cont := psTrimCont(t, sc.esc)
		if !cont && keep == 0 {
			i++
			continue
		}
		u := sc.scanUnit(i, col, t[:keep], cont)
		i = u.last + 1
		if !emit(u, nil, i) {
			return i
		}
	}
	return i
}

// scanUnit scans the instruction that starts on line i at column col. first is that line's text
// from col with any continuation character removed; cont says whether it continues.
func (sc *psScanner) scanUnit(i, col int, first string, cont bool) *psUnit {
	u := &psUnit{first: i}
	var b strings.Builder
	b.WriteString(first)
	u.lg.anchor = Pos{i, col}
	u.lg.pieces = append(u.lg.pieces, psPiece{at: 0, line: i, col: col, n: len(first)})
	j := i + 1
	for cont && j < sc.n {
		raw := sc.line(j)
		j++
		if psIsComment(raw) {
			t := strings.TrimLeftFunc(raw, unicode.IsSpace)
			u.comments = append(u.comments, psComment(raw, j-1, len(raw)-len(t)))
			continue
		}
		if psIsBlank(raw) {
			continue
		}
		var keep int
		keep, cont = psTrimCont(raw, sc.esc)
		u.lg.pieces = append(u.lg.pieces, psPiece{at: b.Len(), line: j - 1, col: 0, n: keep})
		b.WriteString(raw[:keep])
	}
	u.lg.s = b.String()
	u.last = j - 1

	lx := sc.lexInstruction(&u.lg, 0, len(u.lg.s))
	u.lx = lx
	ins := lx.ins

	// Heredocs: BuildKit looks for them when the instruction (or the ONBUILD trigger) is ADD, COPY
	// or RUN in shell form and the joined line contains "<<".
	target := ins
	if ins.Cmd == "ONBUILD" && ins.Sub != nil {
		target = ins.Sub
	}
	if (target.Cmd == "ADD" || target.Cmd == "COPY" || target.Cmd == "RUN") && !target.JSON &&
		!lx.nodeErr && strings.Contains(u.lg.s, "<<") {
		docs, err := psHeredocs(u.lg.s)
		if err != nil {
			u.heredocErr = err.Error()
		}
		if err == nil && len(docs) > 0 {
			spans := psHeredocSpans(u.lg.s, len(docs))
			for k, d := range docs {
				h := &Heredoc{Name: d.Name, Expand: d.Expand, Chomp: d.Chomp}
				if k < len(spans) {
					h.NameRange = u.lg.rng(spans[k][0], spans[k][1])
				} else {
					h.NameRange = target.KeywordRange
				}
				bodyStart := j
				terminated := false
				for j < sc.n {
					l := sc.line(j)
					if d.Chomp {
						l = strings.TrimLeft(l, "\t")
					}
					j++
					if l == d.Name {
						terminated = true
						break
					}
				}
				startOff := len(sc.text)
				if bodyStart < len(sc.starts) {
					startOff = sc.starts[bodyStart]
				}
				if terminated {
					end := j - 1
					h.Body = sc.text[startOff:sc.starts[end]]
					h.BodyRange = Range{Pos{bodyStart, 0}, Pos{end, 0}}
					h.EndRange = Range{Pos{end, 0}, Pos{end, len(sc.line(end))}}
				} else {
					// BuildKit would take the rest of the file as the body and reject the file.
					// Recover instead: the heredoc gets no body and scanning goes on with the
					// next line, so the rest of the file stays visible while it is being typed.
					j = bodyStart
					p := sc.pos(startOff)
					h.BodyRange = Range{p, p}
					u.unterminated = h
				}
				target.Heredocs = append(target.Heredocs, h)
				u.last = max(j-1, u.last)
				if !terminated {
					break
				}
			}
		}
	}
	last := sc.line(u.last)
	ins.Range = Range{u.lg.anchor, Pos{u.last, len(last)}}
	if ins.Sub != nil {
		ins.Sub.Range.End = ins.Range.End
	}
	ins.Continued = u.last > u.first
	return u
}

// pos converts a byte offset to a position.
func (sc *psScanner) pos(off int) Pos {
	return psPosAt(sc.starts, off)
}

// lexInstruction tokenizes lg.s[a:b] as one instruction (recursively for ONBUILD), mirroring
// BuildKit's splitCommand, extractBuilderFlags and the per-instruction argument parsers.
func (sc *psScanner) lexInstruction(lg *psLogical, a, b int) *psLexed {
	s := lg.s
	kwA, kwB, restA, restB := psLexCommand(s, a, b)
	ins := &Instruction{Keyword: s[kwA:kwB], KeywordRange: lg.rng(kwA, kwB)}
	lx := &psLexed{ins: ins}
	ins.Cmd = strings.ToUpper(ins.Keyword)
	ins.Known = psKnown(ins.Cmd)
	ins.Range = Range{lg.rng(kwA, kwA).Start, lg.pos(b)}

	argA, argB := restA, restB
	if restA < restB {
		var flags []psFlagWord
		flags, argA = psLexFlags(s, restA, restB, sc.esc)
		if len(flags) > 0 {
			vals := make([]Flag, len(flags))
			ins.Flags = make([]*Flag, len(flags))
			for i, f := range flags {
				psMakeFlag(&vals[i], lg, f)
				ins.Flags[i] = &vals[i]
			}
		}
		argA, argB = psTrimSpace(s, argA, restB)
	}

	// Arguments are collected as values and turned into pointers at the end (two allocations per
	// instruction instead of one per argument).
	var args []Arg
	words := func(a, b int) {
		sc.spans = psLexWords(sc.spans[:0], s, a, b, sc.esc)
		for _, w := range sc.spans {
			args = append(args, Arg{Value: s[w[0]:w[1]], Range: lg.rng(w[0], w[1])})
		}
	}
	fields := func(a, b int) {
		sc.spans = psLexFields(sc.spans[:0], s, a, b)
		for _, w := range sc.spans {
			args = append(args, Arg{Value: s[w[0]:w[1]], Range: lg.rng(w[0], w[1])})
		}
	}
	// tryJSON mirrors parseJSON; it reports whether s[a:b] is an exec-form array.
	tryJSON := func(a, b int) bool {
		t := strings.TrimLeftFunc(s[a:b], unicode.IsSpace)
		if !strings.HasPrefix(t, "[") {
			return false
		}
		var arr []any
		if err := json.Unmarshal([]byte(t), &arr); err != nil {
			return false
		}
		vals := make([]string, 0, len(arr))
		for _, v := range arr {
			str, ok := v.(string)
			if !ok {
				lx.jsonErr = true
				return false
			}
			vals = append(vals, str)
		}
		ins.JSON = true
		for k, sp := range psLexJSON(s, b-len(t), b) {
			if k < len(vals) {
				args = append(args, Arg{Value: vals[k], Range: lg.rng(sp[0], sp[1])})
			}
		}
		return true
	}
	shellForm := func(a, b int) {
		ins.Shell = s[a:b]
		ins.ShellRange = lg.rng(a, b)
		words(a, b)
	}

	switch ins.Cmd {
	case "ADD", "COPY", "VOLUME":
		if !tryJSON(argA, argB) {
			fields(argA, argB)
		}
	case "FROM", "EXPOSE":
		fields(argA, argB)
	case "RUN", "CMD", "ENTRYPOINT":
		if argA < argB && !tryJSON(argA, argB) {
			shellForm(argA, argB)
		}
	case "SHELL":
		if argA < argB && !tryJSON(argA, argB) {
			words(argA, argB)
		}
	case "HEALTHCHECK":
		sep := argA
		for sep < argB && !unicode.IsSpace(rune(s[sep])) {
			sep++
		}
		if sep == argA {
			break
		}
		args = append(args, Arg{Value: s[argA:sep], Range: lg.rng(argA, sep)})
		next := sep
		for next < argB && unicode.IsSpace(rune(s[next])) {
			next++
		}
		if next < argB && !tryJSON(next, argB) {
			if strings.EqualFold(s[argA:sep], "CMD") {
				shellForm(next, argB)
			} else {
				words(next, argB)
			}
		}
	case "ONBUILD":
		if argA < argB {
			lx.sub = sc.lexInstruction(lg, argA, argB)
			ins.Sub = lx.sub.ins
			lx.nodeErr = lx.sub.nodeErr
		}
	case "ENV", "LABEL":
		words(argA, argB)
		lx.nodeErr = psNameValErr(s[argA:argB], args)
	default:
		words(argA, argB)
	}
	if len(args) > 0 {
		ins.Args = make([]*Arg, len(args))
		for i := range args {
			ins.Args[i] = &args[i]
		}
	}
	if lx.jsonErr {
		lx.nodeErr = true
	}
	return lx
}

// psNameValErr mirrors the failures of BuildKit's parseNameVal (ENV and LABEL).
func psNameValErr(rest string, words []Arg) bool {
	if len(words) == 0 {
		return false
	}
	if !strings.Contains(words[0].Value, "=") {
		return !strings.ContainsAny(rest, "\t\v\f\r ")
	}
	for _, w := range words {
		if !strings.Contains(w.Value, "=") {
			return true
		}
	}
	return false
}

func psMakeFlag(fl *Flag, lg *psLogical, f psFlagWord) {
	fl.Range = lg.rng(f.a, f.b)
	body := strings.TrimPrefix(f.word, "--")
	eq := strings.IndexByte(body, '=')
	if eq < 0 {
		fl.Name = body
		fl.NameRange = fl.Range
		return
	}
	fl.Name = body[:eq]
	fl.Value = body[eq+1:]
	fl.HasValue = true
	fl.NameRange = lg.rng(f.a, f.eqAt)
	fl.ValueRange = lg.rng(f.eqAt+1, f.b)
}

func psKnown(cmd string) bool {
	switch cmd {
	case "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK",
		"LABEL", "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR":
		return true
	}
	return false
}

type psNoEnv struct{}

func (psNoEnv) Get(string) (string, bool) { return "", false }
func (psNoEnv) Keys() []string            { return nil }

// psHeredocs mirrors BuildKit's heredocsFromLine with its exported pieces.
func psHeredocs(line string) ([]parser.Heredoc, error) {
	lex := shell.NewLex('\\')
	lex.RawQuotes = true
	lex.RawEscapes = true
	lex.SkipUnsetEnv = true
	words, _ := lex.ProcessWords(line, psNoEnv{})
	var docs []parser.Heredoc
	for _, w := range words {
		h, err := parser.ParseHeredoc(w)
		if err != nil {
			return nil, err
		}
		if h != nil {
			docs = append(docs, *h)
		}
	}
	return docs, nil
}

// psHeredocSpans finds the spans of the "<<NAME" words of line, for locating heredocs. It splits
// words the way the shell lexer does closely enough for that purpose.
func psHeredocSpans(line string, want int) [][2]int {
	var spans [][2]int
	for _, w := range psLexWords(nil, line, 0, len(line), '\\') {
		if !strings.Contains(line[w[0]:w[1]], "<<") {
			continue
		}
		if h, err := parser.ParseHeredoc(line[w[0]:w[1]]); err == nil && h != nil {
			spans = append(spans, w)
		}
	}
	if len(spans) == want {
		return spans
	}
	// Fall back to every "<<" in order, up to the next white space.
	spans = spans[:0]
	for i := 0; i < len(line) && len(spans) < want; {
		k := strings.Index(line[i:], "<<")
		if k < 0 {
			break
		}
		a := i + k
		e := a + 2
		for e < len(line) && !unicode.IsSpace(rune(line[e])) {
			e++
		}
		spans = append(spans, [2]int{a, e})
		i = e
	}
	return spans
}
