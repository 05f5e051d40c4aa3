package analysis

import (
	"encoding/json"
	"sort"
	"strings"
)

// Formatting: instruction keywords in upper case (and the AS of FROM), continuation lines
// indented consistently, exec-form arrays spaced as ["a", "b"], trailing blanks removed.
//
// What it never touches: here-document bodies and terminators, comment and directive lines
// outside instructions, and a continuation line whose line break lies inside a quoted string
// (its leading blanks are part of the string). With Indent "preserve" (the default) the
// continuation lines of an instruction are shifted together so the least indented one sits at
// ContinuationIndent, keeping deeper, deliberate indentation (if/then blocks in a RUN) as the
// user wrote it; "normalize" puts every continuation line at ContinuationIndent and instructions
// at column 0. Formatting is idempotent: formatting its output changes nothing.

// FormatOptions are the formatting preferences.
type FormatOptions struct {
	// Indent is "preserve" (default) or "normalize".
	Indent string
	// ContinuationIndent is the indentation of continuation lines, in spaces (default 4).
	ContinuationIndent int
}

func (o FormatOptions) normalize() bool { return o.Indent == "normalize" }

func (o FormatOptions) contIndent() string {
	n := o.ContinuationIndent
	if n <= 0 || n > 16 {
		n = 4
	}
	return strings.Repeat(" ", n)
}

// lineEdit replaces [start, end) of one line.
type lineEdit struct {
	line, start, end int
	text             string
}

// Format returns the edits that format f, or only the instructions overlapping within when it
// is non-nil. Each edit replaces the content of one whole line.
func Format(f *File, opts FormatOptions, within *Range) []TextEdit {
	var edits []lineEdit
	for _, in := range f.Instructions {
		if within != nil && (in.Range.End.Before(within.Start) || within.End.Before(in.Range.Start)) {
			continue
		}
		edits = append(edits, formatInstruction(f, in, opts)...)
	}
	return applyLineEdits(f, edits)
}

// FormatOnType handles a newline typed at p (p is at the start of the new line): it upper-cases
// the keyword of the instruction just typed and, when the previous line continues, indents the
// new line.
func FormatOnType(f *File, opts FormatOptions, p Pos, ch string) []TextEdit {
	if ch != "\n" || p.Line < 1 || p.Line >= len(f.LineStarts) {
		return nil
	}
	prevLine := p.Line - 1
	var edits []lineEdit
	var in *Instruction
	for _, x := range f.Instructions {
		if x.Range.Start.Line <= prevLine && prevLine <= x.Range.End.Line {
			in = x
		}
	}
	if in == nil || inHeredocBody(f, Pos{Line: prevLine}) {
		return nil
	}
	edits = append(edits, keywordEdits(f, in)...)
	prev := strings.TrimRight(ftLine(f, prevLine), " \t")
	esc := byte(ftEscape(f))
	if prev != "" && prev[len(prev)-1] == esc {
		indent := opts.contIndent()
		if !opts.normalize() && prevLine > in.Range.Start.Line {
			pl := ftLine(f, prevLine)
			indent = pl[:ftTrimLeft(pl)]
		}
		cur := ftLine(f, p.Line)
		n := ftTrimLeft(cur)
		if cur[:n] != indent {
			edits = append(edits, lineEdit{line: p.Line, start: 0, end: n, text: indent})
		}
	}
	return applyLineEdits(f, edits)
}

// keywordEdits upper-cases the keyword of in (and of an ONBUILD trigger, and FROM's AS).
func keywordEdits(f *File, in *Instruction) []lineEdit {
	var out []lineEdit
	for x := in; x != nil; x = x.Sub {
		if x.Known && x.Keyword != x.Cmd && x.KeywordRange.Start.Line == x.KeywordRange.End.Line {
			out = append(out, lineEdit{line: x.KeywordRange.Start.Line, start: x.KeywordRange.Start.Col, end: x.KeywordRange.End.Col, text: x.Cmd})
		}
		if x.Cmd == "FROM" && len(x.Args) == 3 && x.Args[1].Value != "AS" && strings.EqualFold(x.Args[1].Value, "AS") {
			a := x.Args[1].Range
			if a.Start.Line == a.End.Line {
				out = append(out, lineEdit{line: a.Start.Line, start: a.Start.Col, end: a.End.Col, text: "AS"})
			}
		}
	}
	return out
}

func formatInstruction(f *File, in *Instruction, opts FormatOptions) []lineEdit {
	out := keywordEdits(f, in)
	first := in.Range.Start.Line
	last := ftCommandEndLine(in)
	if opts.normalize() {
		l := ftLine(f, first)
		if n := ftTrimLeft(l[:min(in.KeywordRange.Start.Col, len(l))]); n > 0 && n == in.KeywordRange.Start.Col {
			out = append(out, lineEdit{line: first, start: 0, end: n})
		}
	}
	if e, ok := jsonSpacing(f, in); ok {
		out = append(out, e)
	}
	// Walk the command lines, tracking quotes so that continuation lines inside a string and
	// trailing blanks inside one are left alone.
	esc := byte(ftEscape(f))
	var q ftQuoteState
	type cont struct {
		line    int
		indent  string
		comment bool
	}
	var conts []cont
	insideQuote := false
	for ln := first; ln <= last && ln < len(f.LineStarts); ln++ {
		l := ftLine(f, ln)
		lt := strings.TrimLeft(l, " \t")
		isComment := ln > first && strings.HasPrefix(lt, "#")
		if ln > first && !insideQuote && lt != "" {
			conts = append(conts, cont{line: ln, indent: l[:len(l)-len(lt)], comment: isComment})
		}
		if !isComment {
			ftScanVars(l, Pos{}, esc, &q, func(string, Range) {})
		}
		insideQuote = q.single || q.double
		if !insideQuote {
			if t := strings.TrimRight(l, " \t"); len(t) < len(l) && len(t) > 0 {
				out = append(out, lineEdit{line: ln, start: len(t), end: len(l)})
			}
		}
	}
	if len(conts) == 0 {
		return out
	}
	want := opts.contIndent()
	if opts.normalize() {
		for _, c := range conts {
			if c.indent != want {
				out = append(out, lineEdit{line: c.line, start: 0, end: len(c.indent), text: want})
			}
		}
		return out
	}
	// The base is the least indented command line; comment lines follow the block.
	base, haveBase := "", false
	for _, c := range conts {
		if !c.comment && (!haveBase || len(c.indent) < len(base)) {
			base, haveBase = c.indent, true
		}
	}
	for _, c := range conts {
		if !c.comment && !strings.HasPrefix(c.indent, base) {
			return out // mixed tabs and spaces: leave the user's layout alone
		}
	}
	for _, c := range conts {
		var indent string
		switch {
		case c.comment && !strings.HasPrefix(c.indent, base):
			indent = want
		default:
			indent = want + c.indent[len(base):]
		}
		if indent != c.indent {
			out = append(out, lineEdit{line: c.line, start: 0, end: len(c.indent), text: indent})
		}
	}
	return out
}

// jsonSpacing rewrites a one-line exec-form array as ["a", "b"], keeping each string as typed.
func jsonSpacing(f *File, in *Instruction) (lineEdit, bool) {
	if !in.JSON || len(in.Args) == 0 {
		return lineEdit{}, false
	}
	a0, an := in.Args[0].Range, in.Args[len(in.Args)-1].Range
	if a0.Start.Line != an.End.Line {
		return lineEdit{}, false
	}
	l := ftLine(f, a0.Start.Line)
	open := strings.LastIndexByte(l[:min(a0.Start.Col, len(l))], '[')
	closeRel := strings.IndexByte(l[min(an.End.Col, len(l)):], ']')
	if open < 0 || closeRel < 0 {
		return lineEdit{}, false
	}
	end := an.End.Col + closeRel + 1
	raw := l[open:end]
	var check []string
	if json.Unmarshal([]byte(raw), &check) != nil {
		return lineEdit{}, false
	}
	var toks []string
	for i := 1; i < len(raw); i++ {
		if raw[i] != '"' {
			continue
		}
		j := i + 1
		for j < len(raw) && raw[j] != '"' {
			if raw[j] == '\\' {
				j++
			}
			j++
		}
		toks = append(toks, raw[i:j+1])
		i = j
	}
	want := "[" + strings.Join(toks, ", ") + "]"
	if want == raw {
		return lineEdit{}, false
	}
	return lineEdit{line: a0.Start.Line, start: open, end: end, text: want}, true
}

// applyLineEdits merges the edits of each line into one edit replacing the whole line content.
func applyLineEdits(f *File, edits []lineEdit) []TextEdit {
	if len(edits) == 0 {
		return nil
	}
	sort.SliceStable(edits, func(i, j int) bool {
		if edits[i].line != edits[j].line {
			return edits[i].line < edits[j].line
		}
		return edits[i].start > edits[j].start // apply right to left
	})
	var out []TextEdit
	for i := 0; i < len(edits); {
		ln := edits[i].line
		orig := ftLine(f, ln)
		s := orig
		lastStart := len(s) + 1
		for ; i < len(edits) && edits[i].line == ln; i++ {
			e := edits[i]
			if e.end > lastStart || e.start > e.end || e.end > len(s) {
				continue // overlapping or stale: skip rather than corrupt the line
			}
			s = s[:e.start] + e.text + s[e.end:]
			lastStart = e.start
		}
		if s != orig {
			out = append(out, TextEdit{Range: Range{Start: Pos{Line: ln}, End: Pos{Line: ln, Col: len(orig)}}, NewText: s})
		}
	}
	return out
}

// ApplyEdits applies non-overlapping edits to f's text (a helper for tests and the CLI).
func ApplyEdits(f *File, edits []TextEdit) string {
	sorted := append([]TextEdit(nil), edits...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Range.Start.Before(sorted[j].Range.Start) })
	var b strings.Builder
	b.Grow(len(f.Text))
	done := 0
	for _, e := range sorted {
		a, z := ftOffset(f, e.Range.Start), ftOffset(f, e.Range.End)
		if a < done || a > z {
			continue // overlapping: keep the first
		}
		b.WriteString(f.Text[done:a])
		b.WriteString(e.NewText)
		done = z
	}
	b.WriteString(f.Text[done:])
	return b.String()
}
