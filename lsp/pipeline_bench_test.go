package lsp

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/layerlens/layerlens/analysis"
	"github.com/layerlens/layerlens/analysis/rules"
)

// BenchmarkServerTimeOneLine5000 is the server's own work for a one-line change of the
// generated 5,000-line file, without the transport: apply the change, snapshot, incremental
// re-parse, rules, conversion and encoding of the diagnostics. Sub-benchmarks split it.
func BenchmarkServerTimeOneLine5000(b *testing.B) {
	text := analysis.GenerateDockerfile(5000)
	s := &server{settings: DefaultSettings(), docs: map[string]*document{}}
	s.rulesCfg, _ = rulesConfig(s.settings)
	prev := newSnapshot("untitled:bench", 1, text, "dockerfile", nil)
	prev.File()
	m := prev.Mapper
	line := m.LineCount() / 2
	for !strings.HasPrefix(m.LineText(line), "ARG ") {
		line++
	}
	orig := m.LineText(line)
	edit := func(i int) *snapshot {
		start := m.PosOffset(analysis.Pos{Line: line})
		newText := text[:start] + fmt.Sprintf("%s%d", orig, i%10) + text[start+len(orig):]
		return newSnapshot(prev.URI, int32(i+2), newText, "dockerfile", prev.shared)
	}
	ctx := context.Background()
	b.Run("all", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			snap := edit(i)
			diags := s.diagnostics(snap, s.findings(ctx, snap))
			if _, err := json.Marshal(diags); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("reparse", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			edit(i).File()
		}
	})
	snap := edit(0)
	// Checking the same version again: every script and scan comes from the cache.
	b.Run("rules", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			s.ruleFindings(ctx, snap)
		}
	})
	// The same without the document's rules cache: what every change cost before it.
	b.Run("rules-uncached", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			rules.Check(snap.File(), rules.Options{Config: s.rulesCfg})
		}
	})
	findings := s.findings(ctx, snap)
	b.Run("convert+encode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(s.diagnostics(snap, findings)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Logf("%d findings", len(findings))
}
