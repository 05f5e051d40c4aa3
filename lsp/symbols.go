package lsp

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"go.lsp.dev/protocol"

	"github.com/layerlens/layerlens/analysis"
)

// documentSymbol answers textDocument/documentSymbol: each build stage is a symbol whose
// children are its instructions; ARGs before the first FROM are top-level symbols. Clients
// that do not announce hierarchicalDocumentSymbolSupport get the same symbols flattened into
// SymbolInformation, each instruction naming its stage as container.
func (s *server) documentSymbol(ctx context.Context, params json.RawMessage) (any, error) {
	var p protocol.DocumentSymbolParams
	if err := decodeParams(params, &p); err != nil {
		return nil, err
	}
	snap, err := s.snapshot(p.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	syms := documentSymbols(snap.File(), snap.Mapper)
	s.mu.Lock()
	hierarchical := s.client.TextDocument.DocumentSymbol.HierarchicalDocumentSymbolSupport
	s.mu.Unlock()
	if hierarchical {
		return syms, nil
	}
	return flattenSymbols(p.TextDocument.URI, syms, "", []protocol.SymbolInformation{}), nil
}

// flattenSymbols turns a symbol tree into SymbolInformation in document order.
func flattenSymbols(uri protocol.DocumentURI, syms []protocol.DocumentSymbol, container string, out []protocol.SymbolInformation) []protocol.SymbolInformation {
	for _, sym := range syms {
		out = append(out, protocol.SymbolInformation{
			Name:          sym.Name,
			Kind:          sym.Kind,
			Location:      protocol.Location{URI: uri, Range: sym.Range},
			ContainerName: container,
		})
		out = flattenSymbols(uri, sym.Children, sym.Name, out)
	}
	return out
}

// documentSymbols builds the symbol tree of f. The result is never nil.
func documentSymbols(f *analysis.File, m *Mapper) []protocol.DocumentSymbol {
	out := []protocol.DocumentSymbol{}
	stageSyms := make([]int, len(f.Stages)) // index in out of each stage's symbol
	for i, st := range f.Stages {
		sel := st.From.KeywordRange
		switch {
		case !st.NameRange.IsZero():
			sel = st.NameRange
		case !st.BaseRange.IsZero():
			sel = st.BaseRange
		}
		name := st.Name
		if name == "" {
			name = fmt.Sprintf("stage %d", st.Index)
		}
		detail := "FROM " + st.BaseImage
		if st.Platform != "" {
			detail += " (" + st.Platform + ")"
		}
		rng := m.Range(st.Range)
		out = append(out, protocol.DocumentSymbol{
			Name:           name,
			Detail:         detail,
			Kind:           protocol.SymbolKindModule,
			Range:          rng,
			SelectionRange: clampRange(m.Range(sel), rng),
			Children:       []protocol.DocumentSymbol{},
		})
		stageSyms[i] = len(out) - 1
	}
	global := []protocol.DocumentSymbol{}
	for _, ins := range f.Instructions {
		sym := instructionSymbol(f, ins, m)
		if ins.Stage >= 0 && ins.Stage < len(f.Stages) {
			k := stageSyms[ins.Stage]
			if f.Stages[ins.Stage].From == ins {
				continue // the stage symbol stands for its FROM
			}
			out[k].Children = append(out[k].Children, sym)
			continue
		}
		global = append(global, sym)
	}
	// Instructions before the first FROM come first, in source order.
	return append(global, out...)
}

func instructionSymbol(f *analysis.File, ins *analysis.Instruction, m *Mapper) protocol.DocumentSymbol {
	rng := m.Range(ins.Range)
	name := ins.Cmd
	if !ins.Known || name == "" {
		name = ins.Keyword // an unknown word is shown as typed
	}
	if name == "" {
		name = "?"
	}
	if summary := argSummary(f, ins, m); summary != "" {
		name += " " + summary
	}
	return protocol.DocumentSymbol{
		Name:           name,
		Kind:           symbolKind(ins.Cmd),
		Range:          rng,
		SelectionRange: clampRange(m.Range(ins.KeywordRange), rng),
	}
}

// argSummary is the rest of the instruction's first line, shortened, for the symbol name.
func argSummary(f *analysis.File, ins *analysis.Instruction, m *Mapper) string {
	line := m.LineText(ins.KeywordRange.End.Line)
	col := min(ins.KeywordRange.End.Col, len(line))
	rest := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(line[col:]), string(f.Escape)))
	const maxLen = 60
	if len(rest) > maxLen {
		cut := maxLen
		for cut > 0 && rest[cut]&0xC0 == 0x80 { // do not split a UTF-8 sequence
			cut--
		}
		rest = rest[:cut] + "…"
	}
	return rest
}

func symbolKind(cmd string) protocol.SymbolKind {
	switch cmd {
	case "ARG", "ENV":
		return protocol.SymbolKindVariable
	case "LABEL", "MAINTAINER":
		return protocol.SymbolKindProperty
	case "EXPOSE":
		return protocol.SymbolKindNumber
	case "FROM":
		return protocol.SymbolKindModule
	case "CMD", "ENTRYPOINT", "HEALTHCHECK", "ONBUILD":
		return protocol.SymbolKindEvent
	case "WORKDIR", "VOLUME", "COPY", "ADD":
		return protocol.SymbolKindFile
	}
	return protocol.SymbolKindFunction
}

// clampRange returns sel limited to outer; LSP requires a symbol's selectionRange to be
// contained in its range.
func clampRange(sel, outer protocol.Range) protocol.Range {
	before := func(a, b protocol.Position) bool {
		return a.Line < b.Line || (a.Line == b.Line && a.Character < b.Character)
	}
	if before(sel.Start, outer.Start) || before(outer.End, sel.Start) {
		sel.Start = outer.Start
	}
	if before(outer.End, sel.End) || before(sel.End, sel.Start) {
		sel.End = sel.Start
	}
	return sel
}
