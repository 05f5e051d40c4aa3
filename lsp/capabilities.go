package lsp

import "go.lsp.dev/protocol"

// serverCapabilities is what initialize advertises. It embeds the library's 3.16 struct and
// adds the 3.17 fields it lacks; each addition is an ordinary JSON field here.
type serverCapabilities struct {
	protocol.ServerCapabilities
	// PositionEncoding is always UTF-16, the LSP default (3.17 field).
	PositionEncoding string `json:"positionEncoding,omitempty"`
	// InlayHintProvider is LSP 3.17's inlay hint capability (images.go sets it).
	InlayHintProvider any `json:"inlayHintProvider,omitempty"`
}

// capabilities returns the capabilities the server really implements. Advertise a feature here
// only together with its entry in the methods table (methods.go), one line per feature.
func (s *server) capabilities(cc clientCaps) serverCapabilities {
	var c serverCapabilities
	c.PositionEncoding = "utf-16"
	c.TextDocumentSync = &protocol.TextDocumentSyncOptions{
		OpenClose: true,
		Change:    protocol.TextDocumentSyncKindIncremental,
		Save:      &protocol.SaveOptions{IncludeText: false},
	}
	c.HoverProvider = true
	c.DocumentSymbolProvider = true
	c.FoldingRangeProvider = true
	c.CodeActionProvider = &protocol.CodeActionOptions{CodeActionKinds: []protocol.CodeActionKind{protocol.QuickFix}}
	// Language features.
	c.CompletionProvider = &protocol.CompletionOptions{TriggerCharacters: completionTriggers}
	c.DefinitionProvider = true
	c.ReferencesProvider = true
	c.DocumentHighlightProvider = true
	c.RenameProvider = &protocol.RenameOptions{PrepareProvider: true}
	c.SemanticTokensProvider = semanticCapability()
	c.DocumentFormattingProvider = true
	c.DocumentRangeFormattingProvider = true
	c.DocumentOnTypeFormattingProvider = &protocol.DocumentOnTypeFormattingOptions{FirstTriggerCharacter: "\n"}
	c.SignatureHelpProvider = &protocol.SignatureHelpOptions{TriggerCharacters: signatureTriggers}
	c.DocumentLinkProvider = &protocol.DocumentLinkOptions{}
	s.imageCapabilities(&c) // base images: inlay hints, code lens, commands, pin source action
	return c
}
