package lsp

import (
	"strings"
	"unicode/utf8"

	"go.lsp.dev/protocol"

	"github.com/layerlens/layerlens/analysis"
)

// A Mapper converts between the three position representations the server meets:
//
//   - byte offsets into the document text;
//   - analysis.Pos: 0-based line and byte column (what package analysis reports);
//   - protocol.Position: 0-based line and UTF-16 code-unit column (what LSP clients send and
//     expect; we never negotiate another position encoding).
//
// All conversions clamp out-of-range input to the nearest valid position instead of failing:
// clients do send positions past the end of a line (after an edit raced a request), and a
// clamped answer is more useful than an error. A column that falls inside a multi-byte
// character or between the two halves of a surrogate pair is rounded down to the start of
// that character.
//
// Line ends are "\n"; a "\r" before it belongs to the line terminator, not the line content,
// so positions never land between "\r" and "\n".
//
// A Mapper is immutable and safe for concurrent use.
type Mapper struct {
	text  string
	lines []int // lines[i] is the byte offset of line i; len(lines) >= 1
}

// NewMapper returns a Mapper for text.
func NewMapper(text string) *Mapper {
	lines := make([]int, 1, 1+strings.Count(text, "\n"))
	for i := 0; ; {
		j := strings.IndexByte(text[i:], '\n')
		if j < 0 {
			break
		}
		i += j + 1
		lines = append(lines, i)
	}
	return &Mapper{text: text, lines: lines}
}

// Text returns the text the mapper was built for.
func (m *Mapper) Text() string { return m.text }

// LineCount returns the number of lines (a trailing newline starts one more, empty, line).
func (m *Mapper) LineCount() int { return len(m.lines) }

// lineBounds returns the byte offsets of the content of line i, without its terminator.
func (m *Mapper) lineBounds(i int) (start, end int) {
	start = m.lines[i]
	if i+1 < len(m.lines) {
		end = m.lines[i+1] - 1 // the '\n'
		if end > start && m.text[end-1] == '\r' {
			end--
		}
	} else {
		end = len(m.text)
	}
	return start, end
}

// LineText returns the content of line i without its terminator ("" when out of range).
func (m *Mapper) LineText(i int) string {
	if i < 0 || i >= len(m.lines) {
		return ""
	}
	s, e := m.lineBounds(i)
	return m.text[s:e]
}

// Offset converts a protocol position to a byte offset.
func (m *Mapper) Offset(p protocol.Position) int {
	line := int(p.Line)
	if line >= len(m.lines) {
		return len(m.text)
	}
	start, end := m.lineBounds(line)
	want := int(p.Character)
	units := 0
	for i, r := range m.text[start:end] {
		if units >= want {
			return start + i
		}
		n := 1
		if r >= 0x10000 {
			n = 2
		}
		if units+n > want { // inside a surrogate pair: round down
			return start + i
		}
		units += n
	}
	return end
}

// PosOffset converts an analysis position to a byte offset, clamped to the line content.
func (m *Mapper) PosOffset(p analysis.Pos) int {
	if p.Line < 0 {
		return 0
	}
	if p.Line >= len(m.lines) {
		return len(m.text)
	}
	start, end := m.lineBounds(p.Line)
	off := start + max(p.Col, 0)
	if off > end {
		return end
	}
	for off > start && off < end && !utf8.RuneStart(m.text[off]) {
		off--
	}
	return off
}

// OffsetPos converts a byte offset to an analysis position.
func (m *Mapper) OffsetPos(off int) analysis.Pos {
	off = min(max(off, 0), len(m.text))
	line := m.lineOf(off)
	start, end := m.lineBounds(line)
	return analysis.Pos{Line: line, Col: min(off, end) - start}
}

// lineOf returns the line containing byte offset off.
func (m *Mapper) lineOf(off int) int {
	lo, hi := 0, len(m.lines)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if m.lines[mid] <= off {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
}

// Position converts an analysis position (line, byte column) to a protocol position.
func (m *Mapper) Position(p analysis.Pos) protocol.Position {
	if p.Line < 0 {
		return protocol.Position{}
	}
	if p.Line >= len(m.lines) {
		return m.OffsetPosition(len(m.text))
	}
	start := m.lines[p.Line]
	off := m.PosOffset(p)
	return protocol.Position{Line: uint32(p.Line), Character: uint32(utf16Len(m.text[start:off]))}
}

// OffsetPosition converts a byte offset to a protocol position.
func (m *Mapper) OffsetPosition(off int) protocol.Position {
	return m.Position(m.OffsetPos(off))
}

// Pos converts a protocol position to an analysis position.
func (m *Mapper) Pos(p protocol.Position) analysis.Pos {
	return m.OffsetPos(m.Offset(p))
}

// Range converts an analysis range to a protocol range.
func (m *Mapper) Range(r analysis.Range) protocol.Range {
	return protocol.Range{Start: m.Position(r.Start), End: m.Position(r.End)}
}

// AnalysisRange converts a protocol range to an analysis range.
func (m *Mapper) AnalysisRange(r protocol.Range) analysis.Range {
	return analysis.Range{Start: m.Pos(r.Start), End: m.Pos(r.End)}
}

// utf16Len returns the length of s in UTF-16 code units. Invalid UTF-8 bytes count as one
// unit each (they decode as U+FFFD, which is what editors display).
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}
