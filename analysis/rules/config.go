package rules

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/layerlens/layerlens/analysis"
	"gopkg.in/yaml.v3"
)

// Config is the project configuration (.layerlens.yaml) or the editor settings.
//
//	rules:
//	  RootUser: off            # off | error | warning | info | hint
//	  CurlPipeShell: error
//	trustedRegistries: [docker.io, ghcr.io/myorg]
type Config struct {
	// Rules maps a rule name to its setting. Hadolint ids (DL3008) and BuildKit names are
	// accepted as keys and stored under the rule's own name.
	Rules map[string]RuleSetting
	// TrustedRegistries are registry hosts or repository prefixes allowed for base images.
	TrustedRegistries []string
}

// RuleSetting turns a rule off or changes its severity.
type RuleSetting struct {
	Off      bool
	Severity analysis.Severity // 0 = the rule's default
}

// ConfigError is one problem in a configuration, with its 1-based line (0 when unknown).
type ConfigError struct {
	Line, Column int
	Msg          string
}

func (e ConfigError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return e.Msg
}

// ConfigErrors are all problems found in a configuration.
type ConfigErrors []ConfigError

func (es ConfigErrors) Error() string {
	var b strings.Builder
	for i, e := range es {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// ParseConfig parses a YAML (or JSON) configuration. On any problem it returns a ConfigErrors
// listing each one with its line, and no Config: an invalid file is never silently replaced by
// defaults.
func ParseConfig(data []byte) (*Config, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		// yaml.v3 syntax errors read "yaml: line N: message".
		line := 0
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		if rest, ok := strings.CutPrefix(msg, "line "); ok {
			if n, m, ok := strings.Cut(rest, ": "); ok {
				if v, err := strconv.Atoi(n); err == nil {
					line, msg = v, m
				}
			}
		}
		return nil, ConfigErrors{{Line: line, Msg: "invalid YAML: " + msg}}
	}
	c := &Config{Rules: map[string]RuleSetting{}}
	if len(root.Content) == 0 {
		return c, nil // empty file
	}
	doc := root.Content[0]
	if doc.Kind == yaml.ScalarNode && doc.Tag == "!!null" {
		return c, nil
	}
	var errs ConfigErrors
	if doc.Kind != yaml.MappingNode {
		return nil, ConfigErrors{{Line: doc.Line, Column: doc.Column, Msg: "the configuration must be a mapping (rules:, trustedRegistries:)"}}
	}
	for i := 0; i+1 < len(doc.Content); i += 2 {
		k, v := doc.Content[i], doc.Content[i+1]
		switch k.Value {
		case "rules":
			if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
				continue
			}
			if v.Kind != yaml.MappingNode {
				errs = append(errs, ConfigError{v.Line, v.Column, "rules must be a mapping of rule name to off|error|warning|info|hint"})
				continue
			}
			for j := 0; j+1 < len(v.Content); j += 2 {
				name, val := v.Content[j], v.Content[j+1]
				setting, err := parseSetting(val)
				if err != "" {
					errs = append(errs, ConfigError{val.Line, val.Column, fmt.Sprintf("rule %s: %s", name.Value, err)})
					continue
				}
				if n := reviewFindingName(name.Value); n != "" && len(resolveRuleName(name.Value)) == 0 {
					c.Rules[n] = setting
					continue
				}
				rs := resolveRuleName(name.Value)
				if len(rs) == 0 {
					msg := fmt.Sprintf("unknown rule %q", name.Value)
					if s := suggest(name.Value); s != "" {
						msg += fmt.Sprintf(" (did you mean %s?)", s)
					}
					errs = append(errs, ConfigError{name.Line, name.Column, msg})
					continue
				}
				for _, r := range rs {
					c.Rules[r.Name] = setting
				}
			}
		case "trustedRegistries":
			if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
				continue
			}
			if v.Kind != yaml.SequenceNode {
				errs = append(errs, ConfigError{v.Line, v.Column, "trustedRegistries must be a list of registry hosts or repository prefixes"})
				continue
			}
			for _, item := range v.Content {
				s := strings.TrimSpace(item.Value)
				if item.Kind != yaml.ScalarNode || s == "" {
					errs = append(errs, ConfigError{item.Line, item.Column, "trustedRegistries: each entry must be a registry host or repository prefix such as docker.io or ghcr.io/myorg"})
					continue
				}
				if strings.ContainsAny(s, " \t@") {
					errs = append(errs, ConfigError{item.Line, item.Column, fmt.Sprintf("trustedRegistries: %q is not a registry host or repository prefix", s)})
					continue
				}
				c.TrustedRegistries = append(c.TrustedRegistries, strings.TrimSuffix(s, "/"))
			}
		default:
			errs = append(errs, ConfigError{k.Line, k.Column, fmt.Sprintf("unknown setting %q (known: rules, trustedRegistries)", k.Value)})
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return c, nil
}

// parseSetting parses off|error|warning|info|hint (also on/true/false).
func parseSetting(n *yaml.Node) (RuleSetting, string) {
	if n.Kind != yaml.ScalarNode {
		return RuleSetting{}, "the value must be one of off, error, warning, info, hint"
	}
	v := strings.ToLower(strings.TrimSpace(n.Value))
	switch v {
	case "off", "false", "disabled", "ignore":
		return RuleSetting{Off: true}, ""
	case "on", "true", "default", "enabled":
		return RuleSetting{}, ""
	}
	if s, ok := analysis.ParseSeverity(v); ok {
		return RuleSetting{Severity: s}, ""
	}
	return RuleSetting{}, fmt.Sprintf("%q is not one of off, error, warning, info, hint", n.Value)
}

// ConfigFromJSON parses editor settings given as JSON ({"rules": {...}, "trustedRegistries":
// [...]}); JSON is YAML, so this is ParseConfig with line numbers of the JSON text.
func ConfigFromJSON(data []byte) (*Config, error) {
	return ParseConfig(data)
}

// ConfigFromValue converts an already decoded settings value (for example the
// initializationOptions of an LSP client) into a Config.
func ConfigFromValue(v any) (*Config, error) {
	if v == nil {
		return &Config{Rules: map[string]RuleSetting{}}, nil
	}
	data, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("layerlens settings: %w", err)
	}
	return ParseConfig(data)
}

// resolveRuleName finds the rules a config key names: a rule name (case-insensitive), a
// BuildKit check name, or a hadolint id.
func resolveRuleName(name string) []*analysis.Rule {
	if r := Lookup(name); r != nil {
		return []*analysis.Rule{r}
	}
	if r := LookupImage(name); r != nil {
		return []*analysis.Rule{r}
	}
	var out []*analysis.Rule
	for _, r := range All {
		if strings.EqualFold(r.Refs.BuildKit, name) {
			out = append(out, r)
			continue
		}
		for _, dl := range r.Refs.Hadolint {
			if strings.EqualFold(dl, name) {
				out = append(out, r)
				break
			}
		}
	}
	return out
}

// suggest returns the rule name closest to a misspelt one.
func suggest(name string) string {
	names := make([]string, len(All))
	for i, r := range All {
		names[i] = r.Name
	}
	return analysis.Closest(name, names, 4)
}

// Merge returns c with the settings of o laid over it (o wins); either may be nil.
func (c *Config) Merge(o *Config) *Config {
	out := &Config{Rules: map[string]RuleSetting{}}
	for _, x := range []*Config{c, o} {
		if x == nil {
			continue
		}
		for k, v := range x.Rules {
			out.Rules[k] = v
		}
		if len(x.TrustedRegistries) > 0 {
			out.TrustedRegistries = append([]string(nil), x.TrustedRegistries...)
		}
	}
	return out
}

// RuleNames returns the names of rules the config mentions, sorted (for messages).
func (c *Config) RuleNames() []string {
	var out []string
	for k := range c.Rules {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
