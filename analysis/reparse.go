package analysis

import (
	"sort"
	"sync/atomic"
)

// reparseRecovered counts Reparse calls that panicked and fell back to Parse; tests check that it
// stays zero.
var reparseRecovered atomic.Int64

// Reparse parses text, a new version of prev.Text, and returns the same File as Parse(text)
// would, re-scanning only the instructions an edit touched.
//
// It finds the changed bytes (common prefix and suffix of the two texts), re-scans from the start
// of the last instruction that begins at or before the first changed line, and stops as soon as
// the scan is past the change at a line where the old scan was between instructions too: from
// there on the old instructions are reused, shifted by the change in line count. Instructions
// and comments keep their pointers when nothing about them changed; otherwise they are copied,
// so prev is never modified. It falls back to Parse when the change reaches the directives (up to
// and including the first line that is not one), or when prev is nil.
func Reparse(prev *File, text string) (file *File) {
	defer func() {
		if r := recover(); r != nil {
			reparseRecovered.Add(1)
			file = Parse(text) // a bug in the incremental path: start from scratch
		}
	}()
	if prev == nil {
		return Parse(text)
	}
	if text == prev.Text {
		return prev
	}
	old := prev.Text
	pre := commonPrefix(old, text)
	suf := commonSuffix(old[pre:], text[pre:])
	firstLine := psPosAt(prev.LineStarts, pre).Line
	if firstLine <= prev.headerEnd {
		// The directives end at the first line that is not one; an edit up to that line may
		// change them (and the escape character for the whole file).
		return Parse(text)
	}
	// Re-scan from the last instruction starting at or before the first changed line: every
	// instruction before it ended on its own lines, so its extent cannot depend on the edit.
	// Without one, re-scan from the end of the directives.
	k := sort.Search(len(prev.Instructions), func(i int) bool {
		return prev.Instructions[i].Range.Start.Line > firstLine
	}) - 1
	// An unterminated heredoc looks for its terminator in every later line, so an edit anywhere
	// after it may change it: re-scan from there.
	if prev.openHeredoc >= 0 && prev.openHeredoc < k {
		k = prev.openHeredoc
	}
	restart := prev.headerEnd
	if k >= 0 {
		restart = prev.Instructions[k].Range.Start.Line
	} else {
		k = 0
	}

	starts := psLineStarts(text)
	f := &File{
		Text: text, LineStarts: starts, Escape: prev.Escape, Directives: prev.Directives,
		headerErrs: prev.headerErrs, headerEnd: prev.headerEnd,
	}
	sc := newPsScanner(text, starts, byte(prev.Escape))
	delta := len(starts) - len(prev.LineStarts)
	shiftBytes := len(text) - len(old)
	sufStart := len(text) - suf // first byte of the unchanged tail in text

	f.Instructions = make([]*Instruction, 0, len(prev.Instructions)+8)
	f.Instructions = append(f.Instructions, prev.Instructions[:k]...)
	fresh := make([]bool, k, cap(f.Instructions))
	nc := sort.Search(len(prev.Comments), func(i int) bool {
		return prev.Comments[i].Range.Start.Line >= restart
	})
	f.Comments = make([]*Comment, 0, len(prev.Comments)+4)
	f.Comments = append(f.Comments, prev.Comments[:nc]...)

	resumeOld := -1 // old line from which the old scan is reused
	var units []*psUnit
	sc.scanFrom(restart, func(u *psUnit, c *Comment, next int) bool {
		if c != nil {
			f.Comments = append(f.Comments, c)
		} else {
			units = append(units, u)
			f.Instructions = append(f.Instructions, u.lx.ins)
			fresh = append(fresh, true)
			f.Comments = append(f.Comments, u.comments...)
		}
		if next >= sc.n || starts[next] < sufStart+1 {
			return true
		}
		// Line next starts inside the unchanged tail and after its first byte, so the old text
		// has a line start at the matching offset: old line next-delta.
		o := next - delta
		if o <= 0 || o >= len(prev.LineStarts) || prev.LineStarts[o] != starts[next]-shiftBytes {
			return true
		}
		m := sort.Search(len(prev.Instructions), func(i int) bool {
			return prev.Instructions[i].Range.Start.Line >= o
		})
		if m > 0 && prev.Instructions[m-1].Range.End.Line >= o {
			return true // the old scan was inside an instruction there
		}
		resumeOld = o
		return false
	})
	sc.checkAll(units)
	if resumeOld >= 0 {
		m := sort.Search(len(prev.Instructions), func(i int) bool {
			return prev.Instructions[i].Range.Start.Line >= resumeOld
		})
		var sl *psSlab
		if delta != 0 {
			sl = newPsSlab(prev.Instructions[m:])
		}
		for _, ins := range prev.Instructions[m:] {
			if delta != 0 {
				ins = ins.shifted(delta, sl)
			}
			f.Instructions = append(f.Instructions, ins)
			fresh = append(fresh, delta != 0)
		}
		c := sort.Search(len(prev.Comments), func(i int) bool {
			return prev.Comments[i].Range.Start.Line >= resumeOld
		})
		var moved []Comment
		if delta != 0 {
			moved = make([]Comment, len(prev.Comments)-c)
		}
		for i, cm := range prev.Comments[c:] {
			if delta != 0 {
				moved[i] = Comment{Text: cm.Text, Range: shiftRange(cm.Range, delta)}
				cm = &moved[i]
			}
			f.Comments = append(f.Comments, cm)
		}
	}
	if len(f.Comments) == 0 {
		f.Comments = nil // as Parse leaves it
	}
	if len(f.Instructions) == 0 {
		f.Instructions = nil
	}
	f.assemble(fresh)
	return f
}

func commonPrefix(a, b string) int {
	n := min(len(a), len(b))
	i := 0
	for i+64 <= n && a[i:i+64] == b[i:i+64] {
		i += 64
	}
	for i < n && a[i] == b[i] {
		i++
	}
	return i
}

func commonSuffix(a, b string) int {
	n := min(len(a), len(b))
	i := 0
	for i+64 <= n && a[len(a)-i-64:len(a)-i] == b[len(b)-i-64:len(b)-i] {
		i += 64
	}
	for i < n && a[len(a)-1-i] == b[len(b)-1-i] {
		i++
	}
	return i
}

func shiftRange(r Range, d int) Range {
	r.Start.Line += d
	r.End.Line += d
	return r
}

// psSlab hands out the objects of shifted copies from a few large allocations: a moved tail
// of a big file would otherwise cost one allocation per flag, argument and heredoc.
type psSlab struct {
	ins   []Instruction
	flags []Flag
	fptrs []*Flag
	args  []Arg
	aptrs []*Arg
	docs  []Heredoc
	dptrs []*Heredoc
	errs  []Finding
}

// newPsSlab sizes a slab for shifted copies of list.
func newPsSlab(list []*Instruction) *psSlab {
	var nIns, nFlags, nArgs, nDocs, nErrs int
	var count func(ins *Instruction)
	count = func(ins *Instruction) {
		nIns++
		nFlags += len(ins.Flags)
		nArgs += len(ins.Args)
		nDocs += len(ins.Heredocs)
		nErrs += len(ins.errs)
		if ins.Sub != nil {
			count(ins.Sub)
		}
	}
	for _, ins := range list {
		count(ins)
	}
	return &psSlab{
		ins:   make([]Instruction, 0, nIns),
		flags: make([]Flag, 0, nFlags), fptrs: make([]*Flag, 0, nFlags),
		args: make([]Arg, 0, nArgs), aptrs: make([]*Arg, 0, nArgs),
		docs: make([]Heredoc, 0, nDocs), dptrs: make([]*Heredoc, 0, nDocs),
		errs: make([]Finding, 0, nErrs),
	}
}

// psTake returns the next n elements of *pool (with capacity n, so appends never overlap).
func psTake[T any](pool *[]T, n int) []T {
	p := *pool
	if cap(p)-len(p) < n {
		return make([]T, n)
	}
	out := p[len(p) : len(p)+n : len(p)+n]
	*pool = p[:len(p)+n]
	return out
}

// shifted returns a deep copy of ins moved by d lines, allocated from sl.
func (ins *Instruction) shifted(d int, sl *psSlab) *Instruction {
	cs := psTake(&sl.ins, 1)
	c := &cs[0]
	*c = *ins
	c.Range = shiftRange(c.Range, d)
	c.KeywordRange = shiftRange(c.KeywordRange, d)
	if c.Shell != "" {
		c.ShellRange = shiftRange(c.ShellRange, d)
	}
	if c.Flags != nil {
		vals := psTake(&sl.flags, len(ins.Flags))
		c.Flags = psTake(&sl.fptrs, len(ins.Flags))
		for i, fl := range ins.Flags {
			n := &vals[i]
			*n = *fl
			n.Range = shiftRange(n.Range, d)
			n.NameRange = shiftRange(n.NameRange, d)
			if n.HasValue {
				n.ValueRange = shiftRange(n.ValueRange, d)
			}
			c.Flags[i] = n
		}
	}
	if c.Args != nil {
		vals := psTake(&sl.args, len(ins.Args))
		c.Args = psTake(&sl.aptrs, len(ins.Args))
		for i, a := range ins.Args {
			vals[i] = Arg{Value: a.Value, Range: shiftRange(a.Range, d)}
			c.Args[i] = &vals[i]
		}
	}
	if c.Heredocs != nil {
		vals := psTake(&sl.docs, len(ins.Heredocs))
		c.Heredocs = psTake(&sl.dptrs, len(ins.Heredocs))
		for i, h := range ins.Heredocs {
			n := &vals[i]
			*n = *h
			n.NameRange = shiftRange(n.NameRange, d)
			n.BodyRange = shiftRange(n.BodyRange, d)
			if !n.EndRange.IsZero() {
				n.EndRange = shiftRange(n.EndRange, d)
			}
			c.Heredocs[i] = n
		}
	}
	if c.Sub != nil {
		c.Sub = c.Sub.shifted(d, sl)
	}
	if c.errs != nil {
		c.errs = psTake(&sl.errs, len(ins.errs))
		for i, e := range ins.errs {
			e.Range = shiftRange(e.Range, d)
			c.errs[i] = e
		}
	}
	return c
}
