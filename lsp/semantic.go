package lsp

import (
	"context"
	"encoding/json"
	"strconv"
	"sync"

	"go.lsp.dev/protocol"

	"github.com/layerlens/layerlens/analysis"
)

// Semantic tokens, full, range and delta. analysis.SemanticTokens classifies the model in one
// pass; encodeSemanticTokens converts to LSP's relative UTF-16 encoding in one more. Deltas
// compare the new data with the last full result sent for the document (common prefix and
// suffix), which is what a one-line edit needs.

// semanticProvider is the semanticTokensProvider capability (the library's options struct lacks
// the legend, range and full fields).
type semanticProvider struct {
	Legend protocol.SemanticTokensLegend `json:"legend"`
	Range  bool                          `json:"range"`
	Full   struct {
		Delta bool `json:"delta"`
	} `json:"full"`
}

func semanticCapability() *semanticProvider {
	p := &semanticProvider{Range: true}
	p.Full.Delta = true
	p.Legend.TokenTypes = make([]protocol.SemanticTokenTypes, 0, len(analysis.SemanticTypeNames))
	for _, n := range analysis.SemanticTypeNames {
		p.Legend.TokenTypes = append(p.Legend.TokenTypes, protocol.SemanticTokenTypes(n))
	}
	p.Legend.TokenModifiers = make([]protocol.SemanticTokenModifiers, 0, len(analysis.SemanticModifierNames))
	for _, n := range analysis.SemanticModifierNames {
		p.Legend.TokenModifiers = append(p.Legend.TokenModifiers, protocol.SemanticTokenModifiers(n))
	}
	return p
}

// semanticResults remembers the last full result per document for delta requests.
var semanticResults = struct {
	sync.Mutex
	next uint64
	m    map[string]semanticResult
}{m: map[string]semanticResult{}}

type semanticResult struct {
	id   string
	data []uint32
}

const semanticResultsMax = 64

func rememberSemantic(uri string, data []uint32) string {
	semanticResults.Lock()
	defer semanticResults.Unlock()
	semanticResults.next++
	id := strconv.FormatUint(semanticResults.next, 10)
	if _, ok := semanticResults.m[uri]; !ok && len(semanticResults.m) >= semanticResultsMax {
		for k := range semanticResults.m { // drop an arbitrary old entry
			delete(semanticResults.m, k)
			break
		}
	}
	semanticResults.m[uri] = semanticResult{id: id, data: data}
	return id
}

func previousSemantic(uri, id string) ([]uint32, bool) {
	semanticResults.Lock()
	defer semanticResults.Unlock()
	r, ok := semanticResults.m[uri]
	if !ok || r.id != id {
		return nil, false
	}
	return r.data, true
}

// semanticData computes the encoded tokens of a snapshot (within r when non-nil).
func semanticData(snap *snapshot, r *analysis.Range) []uint32 {
	f := snap.File()
	return encodeSemanticTokens(f, analysis.SemanticTokens(f, varsOf(f), r))
}

func (s *server) semanticTokensFull(ctx context.Context, params json.RawMessage) (any, error) {
	var p protocol.SemanticTokensParams
	if err := decodeParams(params, &p); err != nil {
		return nil, err
	}
	snap, err := s.snapshot(p.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	data := semanticData(snap, nil)
	return semanticTokensResult{ResultID: rememberSemantic(snap.URI, data), Data: uint32Array(data)}, nil
}

func (s *server) semanticTokensRange(ctx context.Context, params json.RawMessage) (any, error) {
	var p protocol.SemanticTokensRangeParams
	if err := decodeParams(params, &p); err != nil {
		return nil, err
	}
	snap, err := s.snapshot(p.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	r := snap.Mapper.AnalysisRange(p.Range)
	return semanticTokensResult{Data: uint32Array(semanticData(snap, &r))}, nil
}

func (s *server) semanticTokensDelta(ctx context.Context, params json.RawMessage) (any, error) {
	var p protocol.SemanticTokensDeltaParams
	if err := decodeParams(params, &p); err != nil {
		return nil, err
	}
	snap, err := s.snapshot(p.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	data := semanticData(snap, nil)
	prev, ok := previousSemantic(snap.URI, p.PreviousResultID)
	id := rememberSemantic(snap.URI, data)
	if !ok {
		return semanticTokensResult{ResultID: id, Data: uint32Array(data)}, nil
	}
	return &protocol.SemanticTokensDelta{ResultID: id, Edits: semanticEdits(prev, data)}, nil
}

// semanticTokensResult is protocol.SemanticTokens with the data already encoded: encoding/json
// spends most of a full response's time walking a 100,000-element []uint32 by reflection.
type semanticTokensResult struct {
	ResultID string          `json:"resultId,omitempty"`
	Data     json.RawMessage `json:"data"`
}

// uint32Array encodes v as a JSON array ("[]" when empty, never null).
func uint32Array(v []uint32) json.RawMessage {
	b := make([]byte, 0, 2+len(v)*4)
	b = append(b, '[')
	for i, x := range v {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendUint(b, uint64(x), 10)
	}
	return append(b, ']')
}

// semanticEdits returns the edit turning prev into next: one replacement between their common
// prefix and suffix (none when they are equal).
func semanticEdits(prev, next []uint32) []protocol.SemanticTokensEdit {
	pre := 0
	for pre < len(prev) && pre < len(next) && prev[pre] == next[pre] {
		pre++
	}
	if pre == len(prev) && pre == len(next) {
		return []protocol.SemanticTokensEdit{}
	}
	suf := 0
	for suf < len(prev)-pre && suf < len(next)-pre && prev[len(prev)-1-suf] == next[len(next)-1-suf] {
		suf++
	}
	ins := next[pre : len(next)-suf]
	return []protocol.SemanticTokensEdit{{
		Start:       uint32(pre),
		DeleteCount: uint32(len(prev) - suf - pre),
		Data:        append([]uint32{}, ins...),
	}}
}

// encodeSemanticTokens turns tokens (sorted, non-overlapping, byte columns) into LSP's relative
// encoding with UTF-16 columns. Columns of one line are converted with a cursor that only moves
// forward, so the whole conversion is linear in the text covered.
func encodeSemanticTokens(f *analysis.File, toks []analysis.SemanticToken) []uint32 {
	out := make([]uint32, 0, len(toks)*5)
	prevLine, prevChar := 0, 0
	curLine := -1
	var line string
	bytePos, unitPos := 0, 0
	toUnits := func(col int) int {
		if col < bytePos {
			bytePos, unitPos = 0, 0
		}
		for bytePos < col && bytePos < len(line) {
			c := line[bytePos]
			switch {
			case c < 0x80:
				bytePos++
				unitPos++
			case c >= 0xF0: // 4-byte sequence: a surrogate pair in UTF-16
				bytePos += 4
				unitPos += 2
			case c >= 0xE0:
				bytePos += 3
				unitPos++
			case c >= 0xC0:
				bytePos += 2
				unitPos++
			default: // a stray continuation byte: one unit, like U+FFFD
				bytePos++
				unitPos++
			}
		}
		return unitPos
	}
	for _, t := range toks {
		if t.Line != curLine {
			curLine = t.Line
			line = lineText(f, t.Line)
			bytePos, unitPos = 0, 0
		}
		start := toUnits(t.Col)
		end := toUnits(t.Col + t.Len)
		if end <= start {
			continue
		}
		dl := t.Line - prevLine
		dc := start
		if dl == 0 {
			dc = start - prevChar
		}
		out = append(out, uint32(dl), uint32(dc), uint32(end-start), uint32(t.Type), uint32(t.Mods))
		prevLine, prevChar = t.Line, start
	}
	return out
}

// lineText returns line i of f without its terminator.
func lineText(f *analysis.File, i int) string {
	if i < 0 || i >= len(f.LineStarts) {
		return ""
	}
	start, end := f.LineStarts[i], len(f.Text)
	if i+1 < len(f.LineStarts) {
		end = f.LineStarts[i+1] - 1
	}
	if end > start && f.Text[end-1] == '\r' {
		end--
	}
	return f.Text[start:max(start, end)]
}
