package lsp

import (
	"context"
	"encoding/json"
	"errors"
	"sync"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/layerlens/layerlens/analysis"
)

// Navigation: definition, references, document highlight, rename and prepareRename for stage
// names, ARG/ENV variables and here-document names. The logic is analysis.SymbolIndex; this
// file converts positions.

// featureIndexes caches the variable and symbol indexes of recent parses, so that a burst of
// requests on one version (hover, highlight, semantic tokens) computes them once. Parsed files
// are immutable, so the pointer is the key. Only the two most recent parses are kept: each
// entry keeps its whole File alive, and old versions are not asked about again.
var featureIndexes = struct {
	sync.Mutex
	order []*analysis.File
	m     map[*analysis.File]*featureIndex
}{m: map[*analysis.File]*featureIndex{}}

const featureCacheSize = 2

// featureIndex holds the lazily computed indexes of one parse.
type featureIndex struct {
	varsOnce sync.Once
	vars     *analysis.VarIndex
	symsOnce sync.Once
	syms     *analysis.SymbolIndex
}

func indexesOf(f *analysis.File) *featureIndex {
	featureIndexes.Lock()
	defer featureIndexes.Unlock()
	if x := featureIndexes.m[f]; x != nil {
		return x
	}
	x := &featureIndex{}
	featureIndexes.m[f] = x
	featureIndexes.order = append(featureIndexes.order, f)
	if len(featureIndexes.order) > featureCacheSize {
		delete(featureIndexes.m, featureIndexes.order[0])
		featureIndexes.order = featureIndexes.order[1:]
	}
	return x
}

// varsOf returns the variable index of f.
func varsOf(f *analysis.File) *analysis.VarIndex {
	x := indexesOf(f)
	x.varsOnce.Do(func() { x.vars = analysis.IndexVariables(f) })
	return x.vars
}

// symbolsOf returns the symbol index of f.
func symbolsOf(f *analysis.File) *analysis.SymbolIndex {
	x := indexesOf(f)
	x.symsOnce.Do(func() { x.syms = analysis.IndexSymbolsWith(f, varsOf(f)) })
	return x.syms
}

// positionRequest decodes the params shared by definition, references, highlight and
// prepareRename, and returns the snapshot and the position in bytes.
func (s *server) positionRequest(params json.RawMessage, p any, td *protocol.TextDocumentPositionParams) (*snapshot, analysis.Pos, error) {
	if err := decodeParams(params, p); err != nil {
		return nil, analysis.Pos{}, err
	}
	snap, err := s.snapshot(td.TextDocument.URI)
	if err != nil {
		return nil, analysis.Pos{}, err
	}
	return snap, snap.Mapper.Pos(td.Position), nil
}

func (s *server) definition(ctx context.Context, params json.RawMessage) (any, error) {
	var p protocol.DefinitionParams
	snap, pos, err := s.positionRequest(params, &p, &p.TextDocumentPositionParams)
	if err != nil {
		return nil, err
	}
	defs := symbolsOf(snap.File()).Definitions(pos)
	if len(defs) == 0 {
		return nil, nil
	}
	locs := make([]protocol.Location, 0, len(defs))
	for _, d := range defs {
		locs = append(locs, protocol.Location{URI: p.TextDocument.URI, Range: snap.Mapper.Range(d.Range)})
	}
	return locs, nil
}

func (s *server) references(ctx context.Context, params json.RawMessage) (any, error) {
	var p protocol.ReferenceParams
	snap, pos, err := s.positionRequest(params, &p, &p.TextDocumentPositionParams)
	if err != nil {
		return nil, err
	}
	refs := symbolsOf(snap.File()).References(pos, p.Context.IncludeDeclaration)
	locs := make([]protocol.Location, 0, len(refs))
	for _, r := range refs {
		locs = append(locs, protocol.Location{URI: p.TextDocument.URI, Range: snap.Mapper.Range(r.Range)})
	}
	return locs, nil
}

func (s *server) documentHighlight(ctx context.Context, params json.RawMessage) (any, error) {
	var p protocol.DocumentHighlightParams
	snap, pos, err := s.positionRequest(params, &p, &p.TextDocumentPositionParams)
	if err != nil {
		return nil, err
	}
	refs := symbolsOf(snap.File()).References(pos, true)
	out := make([]protocol.DocumentHighlight, 0, len(refs))
	for _, r := range refs {
		kind := protocol.DocumentHighlightKindRead
		if r.Decl {
			kind = protocol.DocumentHighlightKindWrite
		}
		out = append(out, protocol.DocumentHighlight{Range: snap.Mapper.Range(r.Range), Kind: kind})
	}
	return out, nil
}

// prepareRenameResult is the {range, placeholder} form of the prepareRename answer.
type prepareRenameResult struct {
	Range       protocol.Range `json:"range"`
	Placeholder string         `json:"placeholder"`
}

func (s *server) prepareRename(ctx context.Context, params json.RawMessage) (any, error) {
	var p protocol.PrepareRenameParams
	snap, pos, err := s.positionRequest(params, &p, &p.TextDocumentPositionParams)
	if err != nil {
		return nil, err
	}
	r, name, err := symbolsOf(snap.File()).PrepareRename(pos)
	if err != nil {
		return nil, renameError(err)
	}
	return prepareRenameResult{Range: snap.Mapper.Range(r), Placeholder: name}, nil
}

func (s *server) rename(ctx context.Context, params json.RawMessage) (any, error) {
	var p protocol.RenameParams
	snap, pos, err := s.positionRequest(params, &p, &p.TextDocumentPositionParams)
	if err != nil {
		return nil, err
	}
	edits, err := symbolsOf(snap.File()).Rename(pos, p.NewName)
	if err != nil {
		return nil, renameError(err)
	}
	te := make([]protocol.TextEdit, 0, len(edits))
	for _, e := range edits {
		te = append(te, protocol.TextEdit{Range: snap.Mapper.Range(e.Range), NewText: e.NewText})
	}
	s.mu.Lock()
	docChanges := s.client.Workspace.WorkspaceEdit.DocumentChanges
	s.mu.Unlock()
	if docChanges {
		version := snap.Version
		return &protocol.WorkspaceEdit{DocumentChanges: []protocol.TextDocumentEdit{{
			TextDocument: protocol.OptionalVersionedTextDocumentIdentifier{
				TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: p.TextDocument.URI},
				Version:                &version,
			},
			Edits: te,
		}}}, nil
	}
	return &protocol.WorkspaceEdit{Changes: map[protocol.DocumentURI][]protocol.TextEdit{p.TextDocument.URI: te}}, nil
}

// renameError turns a refused rename into a RequestFailed error the editor shows to the user.
func renameError(err error) error {
	var re *analysis.RenameError
	if errors.As(err, &re) {
		return jsonrpc2.NewError(jsonrpc2.Code(-32803), re.Reason) // LSP RequestFailed
	}
	return err
}
