package lsp

import (
	"sync"
	"sync/atomic"

	"github.com/layerlens/layerlens/analysis"
)

// A snapshot is one version of one open document. It is immutable: every didChange makes a new
// snapshot and swaps it into the store, so a handler or a background diagnosis that holds a
// snapshot never sees the text change under it and needs no lock to read it.
//
// The parse is computed at most once, on first use (File). When the previous version of the
// document has already been parsed, the new one is re-parsed incrementally from it
// (analysis.Reparse), which is what keeps a one-line edit of a 5,000-line file cheap.
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
	// prev is the snapshot this one was edited from, used (and dropped) by the first File call.
	prev *snapshot
}

func newSnapshot(uri string, version int32, text, languageID string, prev *snapshot) *snapshot {
	return &snapshot{
		URI:        uri,
		Version:    version,
		Text:       text,
		LanguageID: languageID,
		Mapper:     NewMapper(text),
		prev:       prev,
	}
}

// File returns the parsed document, parsing it on first use. It never returns nil.
func (s *snapshot) File() *analysis.File {
	s.once.Do(func() {
		var f *analysis.File
		// Only reuse a parse that already exists: recursing into an unparsed predecessor would
		// parse versions nobody asked for.
		if s.prev != nil {
			if pf := s.prev.file.Load(); pf != nil {
				f = reparse(pf, s.Text)
			}
		}
		if f == nil {
			f = analysis.Parse(s.Text)
		}
		s.file.Store(f)
		s.prev = nil // let the old version be collected
	})
	return s.file.Load()
}

// parsed reports whether File has already been computed.
func (s *snapshot) parsed() bool { return s.file.Load() != nil }

// reparse re-parses text incrementally from prev.
//
// TODO(lsp helper): switch to analysis.Reparse as soon as the parser helper lands it; until
// then every change is a full parse.
var reparse = func(prev *analysis.File, text string) *analysis.File { return analysis.Parse(text) }
