// Package lsp is the layerlens language server.
package lsp

import (
	_ "go.lsp.dev/jsonrpc2"
	_ "go.lsp.dev/protocol"
)
