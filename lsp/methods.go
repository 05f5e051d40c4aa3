package lsp

import (
	"context"
	"encoding/json"

	"go.lsp.dev/protocol"
)

// The dispatch table: one line per LSP method the server implements.
//
// To add a method:
//  1. write the handler in its own file (lsp/<feature>.go) as a method of *server with the
//     methodFunc signature: decode params with decodeParams, get the document with
//     s.snapshot(uri), compute over snap.File() (the analysis model, byte positions), convert
//     positions with snap.Mapper, and return the result (nil for "nothing here"; never a nil
//     slice where the protocol wants an array: return []T{});
//  2. add one line below (protocol.Method* constants, or a string for methods the protocol
//     package lacks, such as LSP 3.17's "textDocument/inlayHint" or "codeAction/resolve");
//  3. advertise it with one line in capabilities.go.
//
// The lifecycle (initialize before anything, nothing but exit after shutdown), panics (an
// InternalError reply), cancellation ($/cancelRequest gives a RequestCancelled reply) and
// ordering (messages are handled one at a time, in order) are handled for every entry by the
// dispatcher in server.go. Notifications use the same signature; their result is ignored.
// Handlers must not block on slow work (registries, the network): start it in the background
// from s.ctx and republish when it completes.
var methods = map[string]methodFunc{
	protocol.MethodInitialize:                      (*server).initialize,
	protocol.MethodInitialized:                     (*server).initialized,
	protocol.MethodShutdown:                        (*server).shutdown,
	protocol.MethodExit:                            (*server).exit,
	protocol.MethodTextDocumentDidOpen:             (*server).didOpen,
	protocol.MethodTextDocumentDidChange:           (*server).didChange,
	protocol.MethodTextDocumentDidClose:            (*server).didClose,
	protocol.MethodTextDocumentDidSave:             (*server).didSave,
	protocol.MethodWorkspaceDidChangeConfiguration: (*server).didChangeConfiguration,
	protocol.MethodSetTrace:                        (*server).setTrace,
	protocol.MethodWorkspaceDidChangeWatchedFiles:  (*server).didChangeWatchedFiles,
	protocol.MethodTextDocumentHover:               (*server).hover,
	protocol.MethodTextDocumentDocumentSymbol:      (*server).documentSymbol,
	protocol.MethodTextDocumentFoldingRange:        (*server).foldingRange,
	protocol.MethodTextDocumentCodeAction:          (*server).codeAction,
	// Language features (completion.go, navigation.go, semantic.go, format.go, signature.go,
	// links.go).
	protocol.MethodTextDocumentCompletion:        (*server).completion,
	protocol.MethodTextDocumentDefinition:        (*server).definition,
	protocol.MethodTextDocumentReferences:        (*server).references,
	protocol.MethodTextDocumentDocumentHighlight: (*server).documentHighlight,
	protocol.MethodTextDocumentPrepareRename:     (*server).prepareRename,
	protocol.MethodTextDocumentRename:            (*server).rename,
	protocol.MethodSemanticTokensFull:            (*server).semanticTokensFull,
	protocol.MethodSemanticTokensFullDelta:       (*server).semanticTokensDelta,
	protocol.MethodSemanticTokensRange:           (*server).semanticTokensRange,
	protocol.MethodTextDocumentFormatting:        (*server).formatting,
	protocol.MethodTextDocumentRangeFormatting:   (*server).rangeFormatting,
	protocol.MethodTextDocumentOnTypeFormatting:  (*server).onTypeFormatting,
	protocol.MethodTextDocumentSignatureHelp:     (*server).signatureHelp,
	protocol.MethodTextDocumentDocumentLink:      (*server).documentLink,
	// Base images (issue 5).
	methodInlayHint:                        (*server).inlayHint,
	protocol.MethodTextDocumentCodeLens:    (*server).codeLens,
	protocol.MethodWorkspaceExecuteCommand: (*server).executeCommand,
}

// methodFunc handles one LSP method. params is the raw "params" member (possibly empty).
type methodFunc func(s *server, ctx context.Context, params json.RawMessage) (any, error)
