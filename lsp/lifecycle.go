package lsp

import (
	"context"
	"encoding/json"

	"go.lsp.dev/protocol"
)

// clientCaps are the client capabilities the server acts on. They are decoded from the raw
// initialize params with our own struct (rather than protocol.ClientCapabilities) so that a
// client sending an unexpected shape for an unrelated capability cannot fail initialize.
type clientCaps struct {
	Workspace struct {
		Configuration bool `json:"configuration"`
		WorkspaceEdit struct {
			DocumentChanges bool `json:"documentChanges"`
		} `json:"workspaceEdit"`
	} `json:"workspace"`
	TextDocument struct {
		PublishDiagnostics struct {
			VersionSupport bool `json:"versionSupport"`
		} `json:"publishDiagnostics"`
		CodeAction struct {
			CodeActionLiteralSupport *json.RawMessage `json:"codeActionLiteralSupport"`
		} `json:"codeAction"`
		DocumentSymbol struct {
			HierarchicalDocumentSymbolSupport bool `json:"hierarchicalDocumentSymbolSupport"`
		} `json:"documentSymbol"`
		FoldingRange struct {
			LineFoldingOnly bool `json:"lineFoldingOnly"`
		} `json:"foldingRange"`
	} `json:"textDocument"`
	Window struct {
		WorkDoneProgress bool `json:"workDoneProgress"`
	} `json:"window"`
}

// initializeParams is the part of InitializeParams the server reads.
type initializeParams struct {
	Capabilities          json.RawMessage `json:"capabilities"`
	InitializationOptions json.RawMessage `json:"initializationOptions"`
	ClientInfo            *struct {
		Name    string `json:"name"`
		Version string `json:"version"`
	} `json:"clientInfo"`
}

// serverInfoName is the name reported in serverInfo.
const serverInfoName = "layerlens"

func (s *server) initialize(ctx context.Context, params json.RawMessage) (any, error) {
	var p initializeParams
	if err := decodeParams(params, &p); err != nil {
		return nil, err
	}
	var caps clientCaps
	if len(p.Capabilities) > 0 {
		if err := json.Unmarshal(p.Capabilities, &caps); err != nil {
			// Keep going with no optional capabilities rather than refuse the client.
			s.log.Warn("unreadable client capabilities; assuming none", "err", err)
			caps = clientCaps{}
		}
	}
	settings := DefaultSettings()
	var initProblem error
	if len(p.InitializationOptions) > 0 {
		st, err := parseSettings(p.InitializationOptions)
		if err != nil {
			// Reported once the client is initialized (settingsProblem needs it).
			initProblem = err
		}
		settings = st
	}
	client := "unknown client"
	if p.ClientInfo != nil {
		client = p.ClientInfo.Name + " " + p.ClientInfo.Version
	}

	s.mu.Lock()
	s.state = stateInitializing
	s.logUp.Store(true)
	s.client = caps
	s.initParams = params
	s.initSettings = settings
	s.initProblem = initProblem
	s.mu.Unlock()
	s.setSettings(settings)

	s.opts.Logger.Info("initialize", "client", client, "version", s.opts.Version)
	return initializeResult{
		Capabilities: s.capabilities(caps),
		ServerInfo:   &protocol.ServerInfo{Name: serverInfoName, Version: s.opts.Version},
	}, nil
}

// initializeResult is protocol.InitializeResult with our own capabilities type (which can carry
// 3.17 fields the library does not model).
type initializeResult struct {
	Capabilities serverCapabilities   `json:"capabilities"`
	ServerInfo   *protocol.ServerInfo `json:"serverInfo,omitempty"`
}

func (s *server) initialized(ctx context.Context, params json.RawMessage) (any, error) {
	s.mu.Lock()
	if s.state == stateInitializing {
		s.state = stateRunning
	}
	problem := s.initProblem
	s.initProblem = nil
	s.mu.Unlock()
	if problem != nil {
		s.settingsProblem("initializationOptions", problem)
	}
	// Fetch the settings before any didOpen is handled (messages are handled in order), so the
	// first diagnostics already use them.
	s.fetchSettings(ctx)
	return nil, nil
}

func (s *server) shutdown(ctx context.Context, params json.RawMessage) (any, error) {
	s.mu.Lock()
	s.state = stateShutdown
	for _, d := range s.docs {
		d.stop()
	}
	s.mu.Unlock()
	return nil, nil
}

// exit closes the connection; Serve then returns. It is accepted in any state.
func (s *server) exit(ctx context.Context, params json.RawMessage) (any, error) {
	s.mu.Lock()
	s.exited = true
	s.mu.Unlock()
	s.exitOnce.Do(func() { close(s.exitCh) })
	return nil, nil
}
