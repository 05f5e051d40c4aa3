package lsp

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"

	"go.lsp.dev/protocol"

	"github.com/layerlens/layerlens/analysis"
)

// Completion: instructions (with snippets), parser directives, flags and their values (every
// RUN --mount type and option), stage names, and variables in scope. The logic is
// analysis.Complete, which reads the raw text around the cursor so it works on broken files.
//
// Image tags are not completed: package baseimage has no tag-listing API yet.

// completionTriggers are the characters that open completion by themselves.
var completionTriggers = []string{"-", "=", "$", "{", ",", "#"}

func (s *server) completion(ctx context.Context, params json.RawMessage) (any, error) {
	var p protocol.CompletionParams
	if err := decodeParams(params, &p); err != nil {
		return nil, err
	}
	snap, err := s.snapshot(p.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	f := snap.File()
	pos := snap.Mapper.Pos(p.Position)
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
