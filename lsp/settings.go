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
// gives the defaults. Each field is decoded on its own, so one invalid value is dropped (and
// reported in the error) while every valid field still applies. An empty JSON array where an
// object is expected counts as an empty object: Lua clients (Neovim) encode an empty table as
// [].
func parseSettings(raw json.RawMessage) (Settings, error) {
	st := DefaultSettings()
	raw = bytes.TrimSpace(raw)
	if isNullOrEmpty(raw) {
		return st, nil
	}
	var wrapped struct {
		Layerlens json.RawMessage `json:"layerlens"`
	}
	if json.Unmarshal(raw, &wrapped) == nil && len(wrapped.Layerlens) > 0 {
		raw = bytes.TrimSpace(wrapped.Layerlens)
		if isNullOrEmpty(raw) {
			return st, nil
		}
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return DefaultSettings(), fmt.Errorf("layerlens settings: not a JSON object: %w", err)
	}
	var bad []string
	for key, v := range obj {
		v = bytes.TrimSpace(v)
		if isNull(v) {
			continue // null keeps the default
		}
		var problems []string
		switch strings.ToLower(key) {
		case "rules":
			problems = decodeStringMap(key, v, st.Rules, severityProblem)
		case "buildargs":
			problems = decodeStringMap(key, v, st.BuildArgs, nil)
		case "mirrors":
			problems = decodeMirrors(key, v, st.Mirrors)
		case "trustedregistries":
			problems = decodeField(key, v, &st.TrustedRegistries, "a list of strings")
		case "insecureregistries":
			problems = decodeField(key, v, &st.InsecureRegistries, "a list of strings")
		case "ocilayouts":
			problems = decodeField(key, v, &st.OCILayouts, "a list of strings")
		case "platform":
			problems = decodeField(key, v, &st.Platform, "a string")
		case "offline":
			problems = decodeField(key, v, &st.Offline, "true or false")
		case "cachedir":
			problems = decodeField(key, v, &st.CacheDir, "a string")
		case "trace":
			problems = decodeField(key, v, &st.Trace, "a string")
			switch st.Trace {
			case "off", "messages", "verbose":
			case "":
				st.Trace = "off"
			default:
				problems = append(problems, fmt.Sprintf("trace: %q is not off, messages or verbose", st.Trace))
				st.Trace = "off"
			}
		case "format":
			problems = decodeFormat(key, v, &st.Format)
		}
		bad = append(bad, problems...)
	}
	// A null or empty list decodes to nil; keep the "[]" semantics of the defaults.
	def := DefaultSettings()
	if st.TrustedRegistries == nil {
		st.TrustedRegistries = def.TrustedRegistries
	}
	if st.InsecureRegistries == nil {
		st.InsecureRegistries = def.InsecureRegistries
	}
	if st.OCILayouts == nil {
		st.OCILayouts = def.OCILayouts
	}
	if st.Platform == "" {
		st.Platform = def.Platform
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return st, fmt.Errorf("layerlens settings: %v", bad)
	}
	return st, nil
}

func isNull(raw []byte) bool { return bytes.Equal(raw, []byte("null")) }

// isNullOrEmpty reports whether a whole settings section means "nothing configured": absent,
// null, or [] (how Lua encodes an empty table).
func isNullOrEmpty(raw []byte) bool {
	return len(raw) == 0 || isNull(raw) || isEmptyArray(raw)
}

// isEmptyArray reports whether raw is [] (with any whitespace inside).
func isEmptyArray(raw []byte) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) >= 2 && raw[0] == '[' && raw[len(raw)-1] == ']' && len(bytes.TrimSpace(raw[1:len(raw)-1])) == 0
}

// decodeField decodes raw into *dst, which is left unchanged when raw has the wrong type.
func decodeField[T any](key string, raw json.RawMessage, dst *T, want string) []string {
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		return []string{fmt.Sprintf("%s: %s is not %s", key, abbreviate(raw), want)}
	}
	*dst = v
	return nil
}

// decodeObject decodes a JSON object into its raw members; [] counts as {}.
func decodeObject(key string, raw json.RawMessage) (map[string]json.RawMessage, []string) {
	if isEmptyArray(raw) {
		return nil, nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, []string{fmt.Sprintf("%s: %s is not an object", key, abbreviate(raw))}
	}
	return obj, nil
}

// decodeStringMap adds the string members of a JSON object to dst, entry by entry. Numbers and
// booleans are taken as their JSON text (a build arg of 3 is "3"). check, if not nil, vets each
// value; a non-empty answer drops the entry.
func decodeStringMap(key string, raw json.RawMessage, dst map[string]string, check func(string) string) []string {
	obj, bad := decodeObject(key, raw)
	for name, v := range obj {
		v = bytes.TrimSpace(v)
		var s string
		switch {
		case len(v) > 0 && v[0] == '"':
			if err := json.Unmarshal(v, &s); err != nil {
				bad = append(bad, fmt.Sprintf("%s.%s: %s is not a string", key, name, abbreviate(v)))
				continue
			}
		case check == nil && (bytes.Equal(v, []byte("true")) || bytes.Equal(v, []byte("false")) || json.Valid(v) && len(v) > 0 && (v[0] == '-' || v[0] >= '0' && v[0] <= '9')):
			s = string(v)
		default:
			bad = append(bad, fmt.Sprintf("%s.%s: %s is not a string", key, name, abbreviate(v)))
			continue
		}
		if check != nil {
			if p := check(s); p != "" {
				bad = append(bad, fmt.Sprintf("%s.%s: %s", key, name, p))
				continue
			}
		}
		dst[name] = s
	}
	return bad
}

// severityProblem vets a rules value.
func severityProblem(v string) string {
	if v == "off" {
		return ""
	}
	if _, ok := analysis.ParseSeverity(v); !ok {
		return fmt.Sprintf("%q is not off, error, warning, info or hint", v)
	}
	return ""
}

// decodeMirrors adds the mirrors entries to dst, entry by entry; a single string is taken as a
// one-mirror list.
func decodeMirrors(key string, raw json.RawMessage, dst map[string][]string) []string {
	obj, bad := decodeObject(key, raw)
	for host, v := range obj {
		var list []string
		if err := json.Unmarshal(v, &list); err != nil {
			var one string
			if json.Unmarshal(v, &one) != nil {
				bad = append(bad, fmt.Sprintf("%s.%s: %s is not a list of hosts", key, host, abbreviate(v)))
				continue
			}
			list = []string{one}
		}
		if list == nil {
			list = []string{}
		}
		dst[host] = list
	}
	return bad
}

// decodeFormat decodes the format section field by field.
func decodeFormat(key string, raw json.RawMessage, dst *FormatSettings) []string {
	obj, bad := decodeObject(key, raw)
	for name, v := range obj {
		if isNull(bytes.TrimSpace(v)) {
			continue
		}
		switch strings.ToLower(name) {
		case "indent":
			bad = append(bad, decodeField(key+"."+name, v, &dst.Indent, "a string")...)
		case "continuationindent":
			bad = append(bad, decodeField(key+"."+name, v, &dst.ContinuationIndent, "an integer")...)
		}
	}
	return bad
}

// abbreviate shortens a JSON value for a message.
func abbreviate(raw []byte) string {
	s := string(bytes.TrimSpace(raw))
	if len(s) > 40 {
		s = s[:37] + "..."
	}
	return s
}

// currentSettings returns the settings in force.
func (s *server) currentSettings() Settings {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.settings
}

// fetchSettings asks the client for the "layerlens" section when it supports
// workspace/configuration. A null or [] answer (Neovim with no settings) means the
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
	// null or [] (Neovim with no settings, or an empty Lua table) means "nothing configured".
	if len(res) > 0 && !isNullOrEmpty(bytes.TrimSpace(res[0])) {
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
		if isNullOrEmpty(bytes.TrimSpace(p.Settings)) {
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
