package analysis

import "fmt"

// Refs are the ids a rule corresponds to in other tools.
type Refs struct {
	Hadolint []string // DLxxxx
	BuildKit string   // BuildKit check name
	Trivy    []string // DS-xxxx
	Checkov  []string // CKV_DOCKER_x, CKV2_DOCKER_x
	CIS      []string // CIS Docker Benchmark section 4 items
}

// Rule is one check over a Dockerfile. Rules live in package analysis/rules, one per file, and
// are listed in its registry.
type Rule struct {
	// Name is the stable PascalCase name users write in suppression comments and config.
	Name string
	// Summary is one line; Doc is Markdown: the explanation, a bad and a good example.
	Summary, Doc string
	// Severity is the default severity (see the policy on [Severity]).
	Severity Severity
	Refs     Refs
	// URL is the rule's documentation page (codeDescription in the editor).
	URL string
	// NeedsImage reports that the rule only fires when image facts are passed in.
	NeedsImage bool
	// Fixable reports that some of the rule's findings carry a safe fix.
	Fixable bool
	// Run reports the rule's findings for one file.
	Run func(*Pass)
}

// Settings are the configured values rules may read.
type Settings struct {
	// TrustedRegistries are registry hosts or repository prefixes ("docker.io",
	// "ghcr.io/myorg") base images may come from; empty means no allow-list.
	TrustedRegistries []string
}

// Pass is the input of one rule run over one file.
type Pass struct {
	Rule *Rule
	File *File
	// Facts are the base-image facts by stage index; nil or missing entries mean unknown.
	Facts map[int]*ImageFacts
	// DockerIgnore is the .dockerignore next to the Dockerfile: nil = unknown (not looked
	// up), Exists=false = there is no such file.
	DockerIgnore *DockerIgnore
	Config       *Settings
	// Memo holds helper results shared by the rules of one run (parsed shell scripts and the
	// like), keyed by a name of the helper's choosing; nil disables memoisation. Rules must
	// treat the values as read-only.
	Memo map[string]any

	report func(Finding)
}

// NewPass returns a pass that hands findings to report.
func NewPass(rule *Rule, f *File, report func(Finding)) *Pass {
	return &Pass{Rule: rule, File: f, report: report}
}

// Report records a finding, filling Rule, Severity and URL from the pass's rule when empty.
func (p *Pass) Report(f Finding) {
	if p.Rule != nil {
		if f.Rule == "" {
			f.Rule = p.Rule.Name
		}
		if f.Severity == 0 {
			f.Severity = p.Rule.Severity
		}
		if f.URL == "" {
			f.URL = p.Rule.URL
		}
	}
	if p.report != nil {
		p.report(f)
	}
}

// Reportf records a finding at rng with a formatted message.
func (p *Pass) Reportf(rng Range, format string, args ...any) {
	p.Report(Finding{Range: rng, Message: fmt.Sprintf(format, args...)})
}
