package lsp

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"go.lsp.dev/protocol"

	"github.com/layerlens/layerlens/analysis"
)

// Completion: instructions (with snippets), parser directives, flags and their values (every
// RUN --mount type and option), stage names, and variables in scope. The logic is
// analysis.Complete, which reads the raw text around the cursor so it works on broken files.
//
// After "FROM repo:" the items are the repository's tags, from the ImageService. Listing them
// can take a registry round trip, so it never happens in the handler: until the list is known
// the answer is an empty list marked incomplete, and the client asks again as the user types.

// completionTriggers are the characters that open completion by themselves.
var completionTriggers = []string{"-", "=", "$", "{", ",", "#", ":"}

// maxTagItems bounds the tag items of one answer; beyond it the tags are filtered by what was
// typed, and the list is marked incomplete.
const maxTagItems = 300

func (s *server) completion(ctx context.Context, params json.RawMessage) (any, error) {
	var p protocol.CompletionParams
	if err := decodeParams(params, &p); err != nil {
		return nil, err
	}
	snap, err := s.snapshot(p.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	pos := snap.Mapper.Pos(p.Position)
	if tc, ok := imageTagContext(snap.Mapper.LineText(pos.Line), pos); ok {
		return s.tagCompletion(snap, tc), nil
	}
	if p.Context != nil && p.Context.TriggerCharacter == ":" {
		// ":" opens completion for image tags only; elsewhere it would pop up a list while the
		// user types a port or a path.
		return &protocol.CompletionList{Items: []protocol.CompletionItem{}}, nil
	}
	f := snap.File()
	imageEnv := func(stage int) map[string]string { return s.imageEnvs(f)[stage] }
	items := analysis.CompleteWith(f, varsOf(f), pos, imageEnv)
	cc := s.completionClient()
	out := make([]protocol.CompletionItem, 0, len(items))
	for _, it := range items {
		out = append(out, completionItem(snap, it, cc))
	}
	return &protocol.CompletionList{IsIncomplete: false, Items: out}, nil
}

// completionCaps is what the client can do with completion items.
type completionCaps struct {
	snippets bool
	markdown bool
	// retrigger is true for VS Code, which has the editor.action.triggerSuggest command.
	retrigger bool
}

// completionClient reads the completion capabilities from the initialize request.
func (s *server) completionClient() completionCaps {
	s.mu.Lock()
	raw := s.initParams
	s.mu.Unlock()
	var p struct {
		Capabilities struct {
			TextDocument struct {
				Completion struct {
					CompletionItem struct {
						SnippetSupport      bool     `json:"snippetSupport"`
						DocumentationFormat []string `json:"documentationFormat"`
					} `json:"completionItem"`
				} `json:"completion"`
			} `json:"textDocument"`
		} `json:"capabilities"`
		ClientInfo *struct {
			Name string `json:"name"`
		} `json:"clientInfo"`
	}
	if len(raw) == 0 || json.Unmarshal(raw, &p) != nil {
		return completionCaps{}
	}
	ci := p.Capabilities.TextDocument.Completion.CompletionItem
	c := completionCaps{snippets: ci.SnippetSupport}
	for _, f := range ci.DocumentationFormat {
		if f == string(protocol.Markdown) {
			c.markdown = true
		}
	}
	c.retrigger = p.ClientInfo != nil && strings.Contains(p.ClientInfo.Name, "Visual Studio Code")
	return c
}

var completionKinds = map[analysis.CompletionKind]protocol.CompletionItemKind{
	analysis.CompKeyword:   protocol.CompletionItemKindKeyword,
	analysis.CompDirective: protocol.CompletionItemKindKeyword,
	analysis.CompFlag:      protocol.CompletionItemKindProperty,
	analysis.CompValue:     protocol.CompletionItemKindEnumMember,
	analysis.CompVariable:  protocol.CompletionItemKindVariable,
	analysis.CompStage:     protocol.CompletionItemKindModule,
	analysis.CompOption:    protocol.CompletionItemKindField,
}

func completionItem(snap *snapshot, it analysis.CompletionItem, cc completionCaps) protocol.CompletionItem {
	text := it.InsertText
	format := protocol.InsertTextFormatPlainText
	if it.Snippet {
		if cc.snippets {
			format = protocol.InsertTextFormatSnippet
		} else {
			text = snippetToPlain(text)
		}
	}
	ci := protocol.CompletionItem{
		Label:            it.Label,
		Kind:             completionKinds[it.Kind],
		Detail:           it.Detail,
		InsertTextFormat: format,
		TextEdit:         &protocol.TextEdit{Range: snap.Mapper.Range(it.Replace), NewText: text},
		SortText:         it.SortText,
		Deprecated:       it.Deprecated,
	}
	if it.Deprecated {
		ci.Tags = []protocol.CompletionItemTag{protocol.CompletionItemTagDeprecated}
	}
	if it.Doc != "" {
		if cc.markdown {
			ci.Documentation = protocol.MarkupContent{Kind: protocol.Markdown, Value: it.Doc}
		} else {
			ci.Documentation = it.Doc
		}
	}
	if it.Retrigger && cc.retrigger {
		ci.Command = &protocol.Command{Title: "Suggest", Command: "editor.action.triggerSuggest"}
	}
	return ci
}

var (
	snippetChoice      = regexp.MustCompile(`\$\{\d+\|([^,|]*)[^}]*\|\}`)
	snippetPlaceholder = regexp.MustCompile(`\$\{\d+:([^}]*)\}`)
	snippetTabstop     = regexp.MustCompile(`\$\{?\d+\}?`)
)

// snippetToPlain turns an LSP snippet into plain text for clients without snippet support:
// choices become their first value, placeholders their text, tab stops nothing.
func snippetToPlain(s string) string {
	for i := 0; i < 3; i++ { // placeholders nest (ARG ${1:name}${2:=${3:value}})
		s = snippetChoice.ReplaceAllString(s, "$1")
		s = snippetPlaceholder.ReplaceAllString(s, "$1")
	}
	s = snippetTabstop.ReplaceAllString(s, "")
	return strings.ReplaceAll(s, `\\`, `\`)
}

// fromImageWord matches a FROM line up to the cursor whose last word is the image being typed.
var fromImageWord = regexp.MustCompile(`(?i)^\s*FROM\s+(?:--\S+\s+)*([^\s-]\S*)$`)

// tagContext is a cursor in the tag part of a FROM image ("FROM alpine:3.|").
type tagContext struct {
	repo  string         // "alpine", "ghcr.io/org/app"
	typed string         // the part of the tag before the cursor
	tag   analysis.Range // the whole tag (replaced by an item)
}

// imageTagContext reports whether pos (on line) is in the tag of a FROM image. Names with a
// variable or a digest get no tags.
func imageTagContext(line string, pos analysis.Pos) (tagContext, bool) {
	if pos.Col > len(line) {
		return tagContext{}, false
	}
	m := fromImageWord.FindStringSubmatch(line[:pos.Col])
	if m == nil || strings.ContainsAny(m[1], "$@") {
		return tagContext{}, false
	}
	word := m[1]
	slash := strings.LastIndexByte(word, '/')
	colon := strings.LastIndexByte(word[slash+1:], ':')
	if colon < 0 {
		return tagContext{}, false
	}
	colon += slash + 1
	tc := tagContext{repo: word[:colon], typed: word[colon+1:]}
	if tc.repo == "" || strings.HasSuffix(tc.repo, "/") {
		return tagContext{}, false
	}
	end := pos.Col
	for end < len(line) && line[end] != ' ' && line[end] != '\t' {
		end++
	}
	tc.tag = analysis.Range{
		Start: analysis.Pos{Line: pos.Line, Col: pos.Col - len(tc.typed)},
		End:   analysis.Pos{Line: pos.Line, Col: end},
	}
	return tc, true
}

// tagCompletion answers with the repository's tags, newest-looking first, or with an empty
// incomplete list while they are being listed.
func (s *server) tagCompletion(snap *snapshot, tc tagContext) *protocol.CompletionList {
	empty := &protocol.CompletionList{Items: []protocol.CompletionItem{}}
	if s.opts.Images == nil {
		return empty
	}
	tags, ready := s.opts.Images.Tags(tc.repo)
	if !ready {
		empty.IsIncomplete = true
		return empty
	}
	incomplete := false
	if len(tags) > maxTagItems {
		var matching []string
		for _, t := range tags {
			if strings.HasPrefix(t, tc.typed) {
				matching = append(matching, t)
			}
		}
		tags = matching
		incomplete = true // the client must ask again when the typed prefix changes
		if len(tags) > maxTagItems {
			tags = tags[:maxTagItems]
		}
	}
	rng := snap.Mapper.Range(tc.tag)
	items := make([]protocol.CompletionItem, 0, len(tags))
	for i, t := range tags {
		items = append(items, protocol.CompletionItem{
			Label:      t,
			Kind:       protocol.CompletionItemKindValue,
			Detail:     tc.repo + ":" + t,
			FilterText: t,
			SortText:   fmt.Sprintf("%05d", i),
			TextEdit:   &protocol.TextEdit{Range: rng, NewText: t},
		})
	}
	return &protocol.CompletionList{IsIncomplete: incomplete, Items: items}
}
