package lsp

import (
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/layerlens/layerlens/analysis"
	"github.com/layerlens/layerlens/analysis/rules"
)

// A snapshot is one version of one open document. It is immutable: every didChange makes a new
// snapshot and swaps it into the store, so a handler or a background diagnosis that holds a
// snapshot never sees the text change under it and needs no lock to read it.
//
// The parse is computed at most once, on first use (File). When some version of the document
// has already been parsed, the new one is re-parsed incrementally from that parse
// (analysis.Reparse diffs the texts, so any earlier parse is a valid base), which is what keeps
// a one-line edit of a 5,000-line file cheap. Snapshots do not point at each other, so a burst
// of edits whose diagnoses were cancelled before parsing builds no chain of old texts.
type snapshot struct {
	// URI is the document URI exactly as the client sent it (untitled: and other non-file
	// schemes included); it is the store key.
	URI string
	// Version is the client's version number of this text.
	Version int32
	// Text is the full document text.
	Text string
	// LanguageID is the languageId from didOpen.
	LanguageID string
	// Mapper converts positions in Text.
	Mapper *Mapper

	once sync.Once
	file atomic.Pointer[analysis.File]
	// shared is shared by all snapshots of one open document.
	shared *docShared
}

// docShared is what the snapshots of one open document share: the most recent parse made (the
// base for the next incremental re-parse) and the rules engine's cache of per-RUN work, which
// makes a one-line edit re-check only what changed. Both are keyed by content, so any snapshot
// of the document may use them, in any order.
type docShared struct {
	lastParse atomic.Pointer[analysis.File]
	rules     *rules.Cache
}

// newSnapshot makes a snapshot; shared is the previous snapshot's (nil for a new document).
func newSnapshot(uri string, version int32, text, languageID string, shared *docShared) *snapshot {
	if shared == nil {
		shared = &docShared{rules: rules.NewCache()}
	}
	return &snapshot{
		URI:        uri,
		Version:    version,
		Text:       text,
		LanguageID: languageID,
		Mapper:     NewMapper(text),
		shared:     shared,
	}
}

// rulesCache is the document's rules cache.
func (s *snapshot) rulesCache() *rules.Cache { return s.shared.rules }

// File returns the parsed document, parsing it on first use. It never returns nil: should the
// parser panic, the result is an empty model whose only error says so, so every feature keeps
// working (with nothing to show) instead of failing each request.
func (s *snapshot) File() *analysis.File {
	s.once.Do(func() {
		defer func() {
			if r := recover(); r != nil {
				s.shared.lastParse.Store(nil) // the base may be what made Reparse fail
				s.file.Store(failedFile(s.Text, s.Mapper, r))
			}
		}()
		var f *analysis.File
		if base := s.shared.lastParse.Load(); base != nil {
			f = reparseFile(base, s.Text)
		} else {
			f = parseFile(s.Text)
		}
		s.file.Store(f)
		s.shared.lastParse.Store(f)
	})
	return s.file.Load()
}

// failedFile is the model of a document the parser could not handle.
func failedFile(text string, m *Mapper, cause any) *analysis.File {
	starts := make([]int, m.LineCount())
	copy(starts, m.lines)
	return &analysis.File{
		Text:       text,
		LineStarts: starts,
		Escape:     '\\',
		Errors: []analysis.Finding{{
			Rule:     "InternalError",
			Severity: analysis.SeverityError,
			Message:  fmt.Sprintf("layerlens could not parse this file (internal error: %v); please report it", cause),
		}},
	}
}

// The parser entry points, variables so that a test can make them fail.
var (
	parseFile   = analysis.Parse
	reparseFile = analysis.Reparse
)
