package analysis

import (
	"sort"
	"strings"
)

// Offset returns the byte offset in f.Text of p. Positions past the end of a line clamp to the
// end of that line (before its "\n"); lines out of range clamp to the file.
func (f *File) Offset(p Pos) int {
	if p.Line < 0 {
		return 0
	}
	if p.Line >= len(f.LineStarts) {
		return len(f.Text)
	}
	start := f.LineStarts[p.Line]
	end := len(f.Text)
	if p.Line+1 < len(f.LineStarts) {
		end = f.LineStarts[p.Line+1] - 1
	}
	return start + max(0, min(p.Col, end-start))
}

// PosAt returns the position of byte offset off in f.Text (clamped to the text).
func (f *File) PosAt(off int) Pos {
	return psPosAt(f.LineStarts, min(max(off, 0), len(f.Text)))
}

func psPosAt(starts []int, off int) Pos {
	line := sort.Search(len(starts), func(i int) bool { return starts[i] > off }) - 1
	if line < 0 {
		line = 0
	}
	return Pos{line, off - starts[line]}
}

// Line returns line i of the text without its line terminator ("\n" or "\r\n"); "" when i is out
// of range.
func (f *File) Line(i int) string {
	if i < 0 || i >= len(f.LineStarts) {
		return ""
	}
	end := len(f.Text)
	if i+1 < len(f.LineStarts) {
		end = f.LineStarts[i+1] - 1
	}
	return strings.TrimSuffix(f.Text[f.LineStarts[i]:end], "\r")
}

// InstructionAt returns the top-level instruction whose range contains p (the end of a range
// counts, so a cursor just after an instruction finds it), or nil.
func (f *File) InstructionAt(p Pos) *Instruction {
	i := sort.Search(len(f.Instructions), func(i int) bool {
		return p.Before(f.Instructions[i].Range.Start)
	}) - 1
	if i >= 0 && f.Instructions[i].Range.Contains(p) {
		return f.Instructions[i]
	}
	return nil
}

// StageByName returns the stage named name (compared case-insensitively, as BuildKit lower-cases
// stage names), or nil. When two stages share a name, the first wins.
func (f *File) StageByName(name string) *Stage {
	for _, st := range f.Stages {
		if st.Name != "" && strings.EqualFold(st.Name, name) {
			return st
		}
	}
	return nil
}

// StageOf returns the stage ins belongs to (nil before the first FROM or when ins is not in f).
func (f *File) StageOf(ins *Instruction) *Stage {
	if ins == nil || ins.Stage < 0 || ins.Stage >= len(f.Stages) {
		return nil
	}
	return f.Stages[ins.Stage]
}

// Flag returns the first flag of ins named name (without dashes, case-sensitive as BuildKit
// is), or nil.
func (ins *Instruction) Flag(name string) *Flag {
	for _, fl := range ins.Flags {
		if fl.Name == name {
			return fl
		}
	}
	return nil
}
