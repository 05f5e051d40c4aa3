package analysis

// Small text helpers for the editor features (feature_*.go). They read File.Text and
// File.LineStarts only, so they work on any File the parser returns. Private names carry an
// "ft" prefix to stay clear of the parser's own helpers in this package.

// ftOffset converts p to a byte offset in f.Text, clamped to the text.
func ftOffset(f *File, p Pos) int {
	if p.Line < 0 {
		return 0
	}
	if p.Line >= len(f.LineStarts) {
		return len(f.Text)
	}
	off := f.LineStarts[p.Line] + max(p.Col, 0)
	return min(off, len(f.Text))
}

// ftLine returns line i without its terminator ("\n" or "\r\n").
func ftLine(f *File, i int) string {
	if i < 0 || i >= len(f.LineStarts) {
		return ""
	}
	s := f.LineStarts[i]
	e := len(f.Text)
	if i+1 < len(f.LineStarts) {
		e = f.LineStarts[i+1] - 1
	}
	if e > s && f.Text[e-1] == '\r' {
		e--
	}
	if e < s {
		e = s
	}
	return f.Text[s:e]
}

// ftSlice returns the source text of r.
func ftSlice(f *File, r Range) string {
	a, b := ftOffset(f, r.Start), ftOffset(f, r.End)
	if b < a {
		return ""
	}
	return f.Text[a:b]
}

// ftCommandEndLine returns the last line of the instruction's command part: the line holding
// its last keyword, flag, argument, shell text or heredoc opener. Heredoc bodies follow it.
func ftCommandEndLine(in *Instruction) int {
	end := in.KeywordRange.End.Line
	bump := func(r Range) {
		if !r.IsZero() && r.End.Line > end {
			end = r.End.Line
		}
	}
	for _, fl := range in.Flags {
		bump(fl.Range)
	}
	for _, a := range in.Args {
		bump(a.Range)
	}
	bump(in.ShellRange)
	for _, h := range in.Heredocs {
		bump(h.NameRange)
	}
	if len(in.Heredocs) == 0 && in.Range.End.Line > end {
		// Trailing continuation lines (comments, an empty continuation) still belong to it.
		end = in.Range.End.Line
	}
	return end
}

// ftHeredocSpan is the line span of one here-document body and its terminator.
type ftHeredocSpan struct {
	h          *Heredoc
	first      int // first body line
	last       int // last body line (first-1 when the body is empty)
	terminator int // terminator line, -1 when unterminated
}

// ftHeredocSpans returns the body spans of the instruction's here-documents, in order. Bodies
// follow the command line(s) one after the other.
func ftHeredocSpans(in *Instruction) []ftHeredocSpan {
	if len(in.Heredocs) == 0 {
		return nil
	}
	spans := make([]ftHeredocSpan, 0, len(in.Heredocs))
	next := ftCommandEndLine(in) + 1
	for _, h := range in.Heredocs {
		sp := ftHeredocSpan{h: h, first: next, terminator: -1}
		if !h.EndRange.IsZero() {
			sp.terminator = h.EndRange.Start.Line
			sp.last = sp.terminator - 1
			next = sp.terminator + 1
		} else {
			sp.last = in.Range.End.Line
			next = sp.last + 1
		}
		spans = append(spans, sp)
	}
	return spans
}

// ftIsNameStart and ftIsNameChar classify the characters of a variable name.
func ftIsNameStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func ftIsNameChar(c byte) bool { return ftIsNameStart(c) || (c >= '0' && c <= '9') }

// ftIsSpace reports a blank byte.
func ftIsSpace(c byte) bool { return c == ' ' || c == '\t' }

// ftTrimLeft returns the index of the first non-blank byte of s (len(s) when blank).
func ftTrimLeft(s string) int {
	i := 0
	for i < len(s) && ftIsSpace(s[i]) {
		i++
	}
	return i
}
