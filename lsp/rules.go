package lsp

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/layerlens/layerlens/analysis"
	"github.com/layerlens/layerlens/analysis/rules"
)

// parseRules are the names of the parser's findings. They are not rules of the engine: their
// settings are applied by findings (diagnostics.go) and must not reach rules.Config, which
// rejects unknown names.
var parseRules = map[string]bool{
	analysis.RuleParseError:             true,
	analysis.RuleUnknownInstruction:     true,
	analysis.RuleUnknownFlag:            true,
	analysis.RuleInvalidFlag:            true,
	analysis.RuleMissingArgument:        true,
	analysis.RuleUnterminatedHeredoc:    true,
	analysis.RuleInvalidEscapeDirective: true,
	analysis.RuleInstructionBeforeFrom:  true,
}

// ruleFindings runs the rules engine over the snapshot. The configuration is the project's
// .layerlens.yaml (found from the document's directory, for file: URIs) with the editor
// settings layered on top: a rule the editor configures uses the editor's setting, and the
// trusted registries of both apply. For a file: document the .dockerignore next to it is passed
// to the rules, including its absence (as `layerlens check` does, taking the Dockerfile's
// directory as the build context); for other schemes it is unknown. The base-image facts known
// now (reviews already done) are passed too, so the facts-aware text rules see the base image.
//
// The document's rules cache keeps the per-RUN work between versions. Its entries depend only
// on the scripts' text and variable values, never on facts, configuration or the .dockerignore,
// which are re-applied on every run: a review landing or a settings change needs no
// invalidation.
func (s *server) ruleFindings(ctx context.Context, snap *snapshot) []analysis.Finding {
	s.mu.Lock()
	cfg := s.rulesCfg
	s.mu.Unlock()
	f := snap.File()
	opts := rules.Options{Config: cfg, Cache: snap.rulesCache()}
	if facts := s.imageFacts(f); len(facts) > 0 {
		opts.Facts = facts
	}
	if path := filePath(snap.URI); path != "" {
		dir := filepath.Dir(path)
		proj, cfgPath, err := rules.LoadConfig(dir)
		if err != nil {
			s.warnOnce("config:"+dir, "invalid project configuration; using the editor settings only", "err", err)
		} else if proj != nil {
			s.opts.Logger.Debug("project configuration", "path", cfgPath)
			opts.Config = mergeConfig(proj, cfg)
		}
		if di, err := rules.ReadDockerIgnore(path, dir); err == nil && di != nil {
			opts.DockerIgnore = di
		} else if err != nil {
			s.warnOnce("dockerignore:"+dir, "cannot read the .dockerignore; treating it as unknown", "err", err)
		}
	}
	return rules.Check(f, opts)
}

// rulesConfig converts the editor settings into a rules.Config, dropping (and reporting)
// entries the engine does not accept so that one typo does not discard the rest.
func rulesConfig(st Settings) (*rules.Config, []string) {
	ruleSettings := map[string]string{}
	for name, v := range st.Rules {
		if !parseRules[name] {
			ruleSettings[name] = v
		}
	}
	build := func(rs map[string]string) (*rules.Config, error) {
		data, err := json.Marshal(map[string]any{"rules": rs, "trustedRegistries": st.TrustedRegistries})
		if err != nil {
			return nil, fmt.Errorf("encoding settings: %w", err)
		}
		return rules.ConfigFromJSON(data)
	}
	cfg, err := build(ruleSettings)
	if err == nil {
		return cfg, nil
	}
	// Keep every entry that is valid on its own.
	var problems []string
	good := map[string]string{}
	for name, v := range ruleSettings {
		if _, err := build(map[string]string{name: v}); err != nil {
			problems = append(problems, fmt.Sprintf("rules.%s: %v", name, err))
			continue
		}
		good[name] = v
	}
	sort.Strings(problems)
	cfg, err = build(good)
	if err != nil {
		return nil, append(problems, err.Error())
	}
	return cfg, problems
}

// mergeConfig layers the editor's configuration over the project's.
func mergeConfig(project, editor *rules.Config) *rules.Config {
	if editor == nil {
		return project
	}
	out := &rules.Config{Rules: map[string]rules.RuleSetting{}}
	for k, v := range project.Rules {
		out.Rules[k] = v
	}
	for k, v := range editor.Rules {
		out.Rules[k] = v
	}
	seen := map[string]bool{}
	for _, r := range append(append([]string{}, project.TrustedRegistries...), editor.TrustedRegistries...) {
		if !seen[r] {
			seen[r] = true
			out.TrustedRegistries = append(out.TrustedRegistries, r)
		}
	}
	return out
}

// filePath returns the local path of a file: URI, or "" for other schemes (untitled:, ...).
func filePath(uri string) string {
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "file" || u.Path == "" {
		return ""
	}
	return filepath.FromSlash(u.Path)
}

// warned remembers the warnings already logged, so a broken project configuration is reported
// once per distinct message rather than on every keystroke.
var warned sync.Map

func (s *server) warnOnce(key, msg string, args ...any) {
	k := key + "\x00" + fmt.Sprint(args...)
	if _, loaded := warned.LoadOrStore(k, true); loaded {
		return
	}
	s.log.Warn(msg, args...)
}

// didChangeWatchedFiles re-diagnoses the open documents when a project configuration or a
// .dockerignore changed on disk (clients send this for the files they were told to watch,
// e.g. VS Code's synchronize.fileEvents; the server registers nothing dynamically).
func (s *server) didChangeWatchedFiles(ctx context.Context, params json.RawMessage) (any, error) {
	var p struct {
		Changes []struct {
			URI string `json:"uri"`
		} `json:"changes"`
	}
	if err := decodeParams(params, &p); err != nil {
		return nil, err
	}
	for _, c := range p.Changes {
		if watchedName(c.URI) {
			s.rediagnoseAll()
			break
		}
	}
	return nil, nil
}

// watchedName reports whether uri names a file that affects the rules.
func watchedName(uri string) bool {
	name := path.Base(uri)
	if name == ".dockerignore" || strings.HasSuffix(name, ".dockerignore") {
		return true
	}
	for _, n := range rules.ConfigFileNames {
		if name == n {
			return true
		}
	}
	return false
}
