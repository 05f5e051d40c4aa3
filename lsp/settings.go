package lsp

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"go.lsp.dev/protocol"

	"github.com/layerlens/layerlens/analysis"
)

// Settings are the user's layerlens settings. They arrive as initializationOptions and as the
// "layerlens" section of workspace/configuration (re-fetched on
// workspace/didChangeConfiguration). The JSON shape is shared with the editor integrations:
//
//	{"rules": {"RuleName": "off"|"error"|"warning"|"info"|"hint"},
//	 "trustedRegistries": [..], "platform": "linux/amd64", "offline": false,
//	 "mirrors": {"docker.io": ["mirror.example"]}, "insecureRegistries": [..],
//	 "cacheDir": "", "buildArgs": {"K": "V"}, "ociLayouts": [".."], "trace": "off",
//	 "format": {"indent": "preserve", "continuationIndent": 4}}
//
// Missing fields keep their defaults; a null or empty answer means "all defaults", never
// "everything off".
type Settings struct {
	// Rules overrides rule severities by rule name: "off" disables a rule.
	Rules map[string]string `json:"rules"`
	// TrustedRegistries are registries (or registry/namespace prefixes) base images may come from.
	TrustedRegistries []string `json:"trustedRegistries"`
	// Platform is the default platform for image review when FROM has no --platform.
	Platform string `json:"platform"`
	// Offline forbids network access for image review (the on-disk store and OCI layouts only).
	Offline bool `json:"offline"`
	// Mirrors maps a registry host to mirror hosts tried first.
	Mirrors map[string][]string `json:"mirrors"`
	// InsecureRegistries are reached over plain http / unverified TLS.
	InsecureRegistries []string `json:"insecureRegistries"`
	// CacheDir is the on-disk image store ("" means the user cache directory).
	CacheDir string `json:"cacheDir"`
	// BuildArgs are --build-arg values used to resolve ARGs in FROM.
	BuildArgs map[string]string `json:"buildArgs"`
	// OCILayouts are OCI image layout directories used as image sources.
	OCILayouts []string `json:"ociLayouts"`
	// Trace is "off", "messages" or "verbose": how much of the server log goes to the client
	// as window/logMessage (verbose adds debug messages).
	Trace string `json:"trace"`
	// Format holds the formatting preferences (used by the formatting feature).
	Format FormatSettings `json:"format"`
}

// FormatSettings are the formatting preferences.
type FormatSettings struct {
	// Indent is "preserve" (keep the user's indentation inside continued instructions) or
	// "normalize".
	Indent string `json:"indent"`
	// ContinuationIndent is the number of spaces for continuation lines when normalising.
	ContinuationIndent int `json:"continuationIndent"`
}

// DefaultSettings returns the settings in force when the user configured nothing.
func DefaultSettings() Settings {
	return Settings{
		Rules:              map[string]string{},
		TrustedRegistries:  []string{},
		Platform:           "linux/amd64",
		Mirrors:            map[string][]string{},
		InsecureRegistries: []string{},
		BuildArgs:          map[string]string{},
		OCILayouts:         []string{},
		Trace:              "off",
		Format:             FormatSettings{Indent: "preserve", ContinuationIndent: 4},
	}
}

// parseSettings decodes settings over the defaults. It accepts the settings object itself or
// one wrapped as {"layerlens": {...}} (what some clients send in didChangeConfiguration). null
// gives the defaults. Invalid values are reported as an error after keeping everything valid.
func parseSettings(raw json.RawMessage) (Settings, error) {
	st := DefaultSettings()
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return st, nil
	}
	var wrapped struct {
		Layerlens json.RawMessage `json:"layerlens"`
	}
	if json.Unmarshal(raw, &wrapped) == nil && len(wrapped.Layerlens) > 0 {
		raw = wrapped.Layerlens
		if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
			return st, nil
		}
	}
	if err := json.Unmarshal(raw, &st); err != nil {
		return DefaultSettings(), fmt.Errorf("layerlens settings: %w", err)
	}
	// json.Unmarshal leaves a map or slice nil when the user wrote null; keep "[]"/"{}" semantics.
	def := DefaultSettings()
	if st.Rules == nil {
		st.Rules = def.Rules
	}
	if st.TrustedRegistries == nil {
		st.TrustedRegistries = def.TrustedRegistries
	}
	if st.Mirrors == nil {
		st.Mirrors = def.Mirrors
	}
	if st.InsecureRegistries == nil {
		st.InsecureRegistries = def.InsecureRegistries
	}
	if st.BuildArgs == nil {
		st.BuildArgs = def.BuildArgs
	}
	if st.OCILayouts == nil {
		st.OCILayouts = def.OCILayouts
	}
	if st.Platform == "" {
		st.Platform = def.Platform
	}
	var bad []string
	for name, v := range st.Rules {
		if v == "off" {
			continue
		}
		if _, ok := analysis.ParseSeverity(v); !ok {
			bad = append(bad, fmt.Sprintf("rules.%s: %q is not off, error, warning, info or hint", name, v))
			delete(st.Rules, name)
		}
	}
	switch st.Trace {
	case "", "off", "messages", "verbose":
		if st.Trace == "" {
			st.Trace = "off"
		}
	default:
		bad = append(bad, fmt.Sprintf("trace: %q is not off, messages or verbose", st.Trace))
		st.Trace = "off"
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return st, fmt.Errorf("layerlens settings: %v", bad)
	}
	return st, nil
}

// currentSettings returns the settings in force.
func (s *server) currentSettings() Settings {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.settings
}

// fetchSettings asks the client for the "layerlens" section when it supports
// workspace/configuration. A null answer (Neovim with no settings) means the
// initializationOptions, or the defaults.
func (s *server) fetchSettings(ctx context.Context) {
	s.mu.Lock()
	supported := s.client.Workspace.Configuration
	base := s.initSettings
	s.mu.Unlock()
	if !supported {
		return
	}
	var res []json.RawMessage
	err := s.call(ctx, protocol.MethodWorkspaceConfiguration, &protocol.ConfigurationParams{
		Items: []protocol.ConfigurationItem{{Section: "layerlens"}},
	}, &res)
	if err != nil {
		s.log.Warn("workspace/configuration failed; keeping the current settings", "err", err)
		return
	}
	st := base
	if len(res) > 0 && len(bytes.TrimSpace(res[0])) > 0 && string(bytes.TrimSpace(res[0])) != "null" {
		var perr error
		st, perr = parseSettings(res[0])
		if perr != nil {
			s.settingsProblem("workspace/configuration", perr)
		}
	}
	s.setSettings(st)
}

func (s *server) didChangeConfiguration(ctx context.Context, params json.RawMessage) (any, error) {
	s.mu.Lock()
	pull := s.client.Workspace.Configuration
	s.mu.Unlock()
	if pull {
		s.fetchSettings(ctx)
	} else {
		var p struct {
			Settings json.RawMessage `json:"settings"`
		}
		if len(params) > 0 {
			if err := json.Unmarshal(params, &p); err != nil {
				return nil, decodeParams(params, &p)
			}
		}
		st, err := parseSettings(p.Settings)
		if err != nil {
			s.settingsProblem("didChangeConfiguration", err)
		}
		if len(bytes.TrimSpace(p.Settings)) == 0 || string(bytes.TrimSpace(p.Settings)) == "null" {
			st = s.initSettingsCopy()
		}
		s.setSettings(st)
	}
	s.rediagnoseAll()
	return nil, nil
}

// setSettings installs new settings and the rules configuration derived from them.
func (s *server) setSettings(st Settings) {
	cfg, problems := rulesConfig(st)
	if len(problems) > 0 {
		s.settingsProblem("rules", fmt.Errorf("%s", strings.Join(problems, "; ")))
	}
	s.mu.Lock()
	s.settings = st
	s.logVerbose.Store(st.Trace == "verbose")
	s.rulesCfg = cfg
	s.mu.Unlock()
}

func (s *server) initSettingsCopy() Settings {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.initSettings
}

// setTrace handles $/setTrace: the client changes how much of the log it wants as
// window/logMessage ("verbose" adds debug messages).
func (s *server) setTrace(ctx context.Context, params json.RawMessage) (any, error) {
	var p struct {
		Value string `json:"value"`
	}
	if err := decodeParams(params, &p); err != nil {
		return nil, err
	}
	switch p.Value {
	case "off", "messages", "verbose":
	default:
		return nil, nil
	}
	s.mu.Lock()
	s.settings.Trace = p.Value
	s.logVerbose.Store(p.Value == "verbose")
	s.mu.Unlock()
	return nil, nil
}

// settingsProblem reports invalid settings: in the log, and once to the user as a
// window/showMessage warning, since a setting that silently does nothing is hard to debug.
// The valid part of the settings still applies.
func (s *server) settingsProblem(source string, err error) {
	s.log.Warn("invalid settings", "source", source, "err", err)
	s.notify(protocol.MethodWindowShowMessage, &protocol.ShowMessageParams{
		Type:    protocol.MessageTypeWarning,
		Message: fmt.Sprintf("layerlens: invalid settings (%s): %v. The other settings apply.", source, err),
	})
}
