package lsptest

import (
	"testing"

	"go.lsp.dev/protocol"
)

func TestMarkers(t *testing.T) {
	const text = "FROM ä AS base\n# 😀\nRUN echo 😀 done\n"
	pos := func(l, c uint32) protocol.Position { return protocol.Position{Line: l, Character: c} }

	if p, err := At(text, "AS"); err != nil || p != pos(0, 7) {
		t.Errorf(`At("AS") = %v, %v, want 0:7 (ä is one UTF-16 unit)`, p, err)
	}
	if p, err := At(text, "d|one"); err != nil || p != pos(2, 13) {
		t.Errorf(`At("d|one") = %v, %v, want 2:13 (😀 is two units)`, p, err)
	}
	if r, err := RangeOf(text, "😀 done"); err != nil || r.Start != pos(2, 9) || r.End != pos(2, 16) {
		t.Errorf(`RangeOf("😀 done") = %v, %v, want 2:9-2:16`, r, err)
	}
	if r, err := Match(text, `AS (\w+)`); err != nil || r.Start != pos(0, 10) || r.End != pos(0, 14) {
		t.Errorf("Match(AS (\\w+)) = %v, %v, want the group 0:10-0:14", r, err)
	}
	if _, err := At(text, "missing"); err == nil {
		t.Errorf("At of a missing marker: no error")
	}
}

func TestApplyTextEdits(t *testing.T) {
	const text = "a😀b\nc\n"
	got, err := ApplyTextEdits(text, []protocol.TextEdit{
		{Range: protocol.Range{Start: protocol.Position{Line: 0, Character: 3}, End: protocol.Position{Line: 0, Character: 4}}, NewText: "B"},
		{Range: protocol.Range{Start: protocol.Position{Line: 1}, End: protocol.Position{Line: 1}}, NewText: ">"},
		{Range: protocol.Range{Start: protocol.Position{Line: 0, Character: 1}, End: protocol.Position{Line: 0, Character: 3}}, NewText: ""},
	})
	if want := "aB\n>c\n"; err != nil || got != want {
		t.Errorf("ApplyTextEdits = %q, %v, want %q", got, err, want)
	}
	_, err = ApplyTextEdits(text, []protocol.TextEdit{
		{Range: protocol.Range{Start: protocol.Position{Line: 0, Character: 0}, End: protocol.Position{Line: 0, Character: 3}}, NewText: "x"},
		{Range: protocol.Range{Start: protocol.Position{Line: 0, Character: 1}, End: protocol.Position{Line: 0, Character: 4}}, NewText: "y"},
	})
	if err == nil {
		t.Errorf("overlapping edits: no error")
	}
}

func TestEnvWaitsForVersion(t *testing.T) {
	env := New(t)
	const u = "untitled:t"
	env.Open(u, "FROM alpine:3.20\n")
	for i := 0; i < 5; i++ {
		env.Change(u, "FROM alpine:3.20\nNOPE\n")
	}
	env.Diagnostics(u)
	if v := env.PublishedVersions(u); len(v) == 0 || v[len(v)-1] != 6 {
		t.Errorf("published versions = %v, want the last to be 6", v)
	}
	if env.Version(u) != 6 || env.Text(u) != "FROM alpine:3.20\nNOPE\n" {
		t.Errorf("Version, Text = %d, %q", env.Version(u), env.Text(u))
	}
}
