package lsp

import (
	"strings"
	"testing"

	"go.lsp.dev/protocol"

	"github.com/layerlens/layerlens/analysis"
)

func TestMapperUTF16(t *testing.T) {
	// ä is 2 bytes / 1 UTF-16 unit; 😀 is 4 bytes / 2 units (a surrogate pair).
	const text = "FROM ä\r\n# 😀 x\nRUN 😀😀 y"
	m := NewMapper(text)
	tests := []struct {
		pos  analysis.Pos
		want protocol.Position
	}{
		{analysis.Pos{Line: 0, Col: 5}, protocol.Position{Line: 0, Character: 5}},  // before ä
		{analysis.Pos{Line: 0, Col: 7}, protocol.Position{Line: 0, Character: 6}},  // after ä
		{analysis.Pos{Line: 0, Col: 8}, protocol.Position{Line: 0, Character: 6}},  // on \r: clamped to line end
		{analysis.Pos{Line: 1, Col: 7}, protocol.Position{Line: 1, Character: 5}},  // "# 😀 " then x
		{analysis.Pos{Line: 1, Col: 4}, protocol.Position{Line: 1, Character: 2}},  // inside 😀: rounded down
		{analysis.Pos{Line: 2, Col: 13}, protocol.Position{Line: 2, Character: 9}}, // y
		{analysis.Pos{Line: 9, Col: 0}, protocol.Position{Line: 2, Character: 10}}, // past the end
	}
	for _, tt := range tests {
		if got := m.Position(tt.pos); got != tt.want {
			t.Errorf("Position(%v) = %v, want %v", tt.pos, got, tt.want)
		}
	}
	back := []struct {
		pos  protocol.Position
		want analysis.Pos
	}{
		{protocol.Position{Line: 0, Character: 6}, analysis.Pos{Line: 0, Col: 7}},
		{protocol.Position{Line: 0, Character: 99}, analysis.Pos{Line: 0, Col: 7}}, // clamped before \r\n
		{protocol.Position{Line: 1, Character: 3}, analysis.Pos{Line: 1, Col: 2}},  // half a surrogate pair: rounded down
		{protocol.Position{Line: 1, Character: 4}, analysis.Pos{Line: 1, Col: 6}},
		{protocol.Position{Line: 2, Character: 8}, analysis.Pos{Line: 2, Col: 12}},
		{protocol.Position{Line: 7, Character: 0}, analysis.Pos{Line: 2, Col: 14}},
	}
	for _, tt := range back {
		if got := m.Pos(tt.pos); got != tt.want {
			t.Errorf("Pos(%v) = %v, want %v", tt.pos, got, tt.want)
		}
	}
	if got := m.LineText(0); got != "FROM ä" {
		t.Errorf("LineText(0) = %q, want %q", got, "FROM ä")
	}
}

func TestMapperRoundTripAndInvalidUTF8(t *testing.T) {
	const text = "a\xffb\n😀\n\n"
	m := NewMapper(text)
	for off := 0; off <= len(text); off++ {
		p := m.OffsetPosition(off)
		back := m.Offset(p)
		if back > off || back < off-3 {
			t.Errorf("Offset(OffsetPosition(%d)) = %d", off, back)
		}
	}
	if got := m.Position(analysis.Pos{Line: 0, Col: 2}); got.Character != 2 {
		t.Errorf("invalid byte counts as %d units, want 1", got.Character-1)
	}
	if m.LineCount() != 4 {
		t.Errorf("LineCount = %d, want 4", m.LineCount())
	}
}

func TestApplyChanges(t *testing.T) {
	m := NewMapper("FROM ä\nRUN x\n")
	rng := func(l1, c1, l2, c2 uint32) *protocol.Range {
		return &protocol.Range{Start: protocol.Position{Line: l1, Character: c1}, End: protocol.Position{Line: l2, Character: c2}}
	}
	got := applyChanges(m, []changeEvent{
		{Range: rng(0, 5, 0, 6), Text: "ö😀"}, // replace ä
		{Range: rng(0, 8, 0, 8), Text: "!"},  // after the emoji (5 + 1 + 2 units)
		{Range: rng(1, 4, 1, 5), Text: "y"},
	})
	if want := "FROM ö😀!\nRUN y\n"; got != want {
		t.Errorf("applyChanges = %q, want %q", got, want)
	}
	got = applyChanges(m, []changeEvent{{Text: "whole"}, {Range: rng(0, 0, 0, 0), Text: ">"}})
	if got != ">whole" {
		t.Errorf("full then ranged change = %q, want %q", got, ">whole")
	}
}

func BenchmarkMapper5000(b *testing.B) {
	text := analysis.GenerateDockerfile(5000)
	b.ReportAllocs()
	for b.Loop() {
		m := NewMapper(text)
		_ = m.Position(analysis.Pos{Line: 4000, Col: 10})
	}
}

func TestParserPanicGivesEmptyModel(t *testing.T) {
	old := parseFile
	parseFile = func(string) *analysis.File { panic("boom") }
	defer func() { parseFile = old }()
	snap := newSnapshot("untitled:x", 1, "FROM a\n", "dockerfile", nil)
	f := snap.File()
	if f == nil || len(f.Errors) != 1 || f.Errors[0].Rule != "InternalError" || len(f.LineStarts) != 2 {
		t.Fatalf("File after a parser panic = %+v", f)
	}
	if !strings.Contains(f.Errors[0].Message, "boom") {
		t.Errorf("message = %q, want the cause", f.Errors[0].Message)
	}
	if snap.File() != f {
		t.Errorf("File is not stable after a failure")
	}
}
