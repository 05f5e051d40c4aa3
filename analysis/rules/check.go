// Package rules holds layerlens's Dockerfile rules, one per file, and the engine that runs them.
//
// The registry is [All] (an explicit list); [Check] runs every enabled rule over a parsed
// [analysis.File] and applies suppression comments ("# layerlens ignore=Name", "# hadolint
// ignore=DLxxxx", BuildKit's "# check=skip=Name" directive) and the project [Config]. Rules that
// understand shell commands share their logic with [CheckCommand], which the base-image reviewer
// uses on image history entries.
//
// Everything here is pure except configfile.go, which finds .layerlens.yaml and .dockerignore.
package rules

import (
	"sort"
	"strings"

	"github.com/layerlens/layerlens/analysis"
	"github.com/layerlens/layerlens/analysis/shellcmd"
)

// Options are the inputs of Check besides the file.
type Options struct {
	// Config disables rules, changes severities and lists trusted registries; nil = defaults.
	Config *Config
	// Facts are base-image facts by stage index; nil = unknown.
	Facts map[int]*analysis.ImageFacts
	// DockerIgnore is the .dockerignore next to the Dockerfile; nil = not looked up.
	DockerIgnore *analysis.DockerIgnore
	// Only, when non-empty, restricts the run to these rule names (tests, explain).
	Only []string
	// Cache, when not nil, keeps parsed RUN scripts and the findings of the rules that depend
	// only on one script between Checks of the same document (see [Cache]); the result is the
	// same as without it.
	Cache *Cache
}

// memoCache is the Pass.Memo key of the Check's *Cache.
const memoCache = "cache"

// Check runs the enabled rules over f and returns their findings sorted by position. Parse
// errors (f.Errors) are not included: callers add them, and suppression never hides them.
func Check(f *analysis.File, opts Options) []analysis.Finding {
	if f == nil {
		return nil
	}
	sup := suppressions(f)
	settings := &analysis.Settings{}
	if opts.Config != nil {
		settings.TrustedRegistries = opts.Config.TrustedRegistries
	}
	memo := map[string]any{}
	var out []analysis.Finding
	if opts.Cache != nil {
		opts.Cache.begin()
		defer opts.Cache.end()
		memo[memoCache] = opts.Cache
		out = make([]analysis.Finding, 0, opts.Cache.lastFindings+opts.Cache.lastFindings/8)
		defer func() { opts.Cache.lastFindings = len(out) }()
	}
	for _, r := range All {
		if len(opts.Only) > 0 && !contains(opts.Only, r.Name) {
			continue
		}
		sev := r.Severity
		if opts.Config != nil {
			if s, ok := opts.Config.Rules[r.Name]; ok {
				if s.Off {
					continue
				}
				sev = s.Severity
			}
		}
		if sup.skipAll(r) {
			continue
		}
		override := opts.Config != nil && opts.Config.Rules[r.Name].Severity != 0
		p := analysis.NewPass(r, f, func(fd analysis.Finding) {
			if override || fd.Severity == 0 {
				fd.Severity = sev
			}
			if sup.suppressed(r, fd.Range) {
				return
			}
			out = append(out, fd)
		})
		p.Facts = opts.Facts
		p.DockerIgnore = opts.DockerIgnore
		p.Config = settings
		p.Memo = memo
		runSafely(r, p)
	}
	sortFindings(out)
	if len(out) == 0 {
		return nil // as without a cache
	}
	return out
}

// runSafely runs one rule; a rule that panics on some odd model loses its findings for this file
// but never takes the editor or the CLI down.
func runSafely(r *analysis.Rule, p *analysis.Pass) {
	defer func() {
		if e := recover(); e != nil {
			p.Report(analysis.Finding{Rule: "InternalError", Severity: analysis.SeverityHint,
				Message: "layerlens rule " + r.Name + " failed on this file; please report it"})
		}
	}()
	r.Run(p)
}

func sortFindings(fs []analysis.Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Range.Start != b.Range.Start {
			return a.Range.Start.Before(b.Range.Start)
		}
		if a.Range.End != b.Range.End {
			return a.Range.End.Before(b.Range.End)
		}
		return a.Rule < b.Rule
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// suppression holds the ignore comments of a file.
type suppression struct {
	// byLine maps an instruction's line range start to the rule names ignored for it.
	spans []ignoreSpan
	// skip lists the names from "# check=skip=..." ("all" skips every rule with a BuildKit
	// counterpart) and from "# hadolint global ignore=...".
	skip    map[string]bool
	skipBK  bool
	dlSkips map[string]bool
}

type ignoreSpan struct {
	from, to int // lines, inclusive
	names    map[string]bool
}

// suppressions collects the suppression comments and directives of f.
func suppressions(f *analysis.File) *suppression {
	s := &suppression{skip: map[string]bool{}, dlSkips: map[string]bool{}}
	for _, d := range f.Directives {
		if d.Name != "check" {
			continue
		}
		for _, part := range strings.Split(d.Value, ";") {
			k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
			if strings.TrimSpace(k) != "skip" {
				continue
			}
			for _, n := range strings.Split(v, ",") {
				n = strings.TrimSpace(n)
				if strings.EqualFold(n, "all") {
					s.skipBK = true
				} else if n != "" {
					s.skip[n] = true
				}
			}
		}
	}
	// Comments directly above an instruction apply to it.
	commentAt := make(map[int]string, len(f.Comments))
	for _, c := range f.Comments {
		commentAt[c.Range.Start.Line] = c.Text
		if names, ok := ignoreComment(c.Text, "hadolint global ignore="); ok {
			for n := range names {
				s.dlSkips[n] = true
			}
		}
	}
	for _, in := range f.Instructions {
		var names map[string]bool // allocated for the few instructions with ignore comments
		for l := in.Range.Start.Line - 1; l >= 0; l-- {
			text, ok := commentAt[l]
			if !ok {
				break
			}
			for _, prefix := range []string{"layerlens ignore=", "hadolint ignore="} {
				if ns, ok := ignoreComment(text, prefix); ok {
					if names == nil {
						names = map[string]bool{}
					}
					for n := range ns {
						names[n] = true
					}
				}
			}
		}
		if len(names) > 0 {
			s.spans = append(s.spans, ignoreSpan{from: in.Range.Start.Line, to: in.Range.End.Line, names: names})
		}
	}
	return s
}

// ignoreComment parses "prefix A,B" (case-insensitive prefix, optional spaces after commas).
func ignoreComment(text, prefix string) (map[string]bool, bool) {
	t := strings.TrimSpace(text)
	if len(t) < len(prefix) || !strings.EqualFold(t[:len(prefix)], prefix) {
		return nil, false
	}
	names := map[string]bool{}
	rest := t[len(prefix):]
	// Stop at the first blank after the list: "ignore=A,B reason text".
	if i := strings.IndexAny(rest, " \t"); i >= 0 {
		if j := strings.IndexByte(rest, ','); j < 0 || j > i {
			rest = rest[:i]
		}
	}
	for _, n := range strings.Split(rest, ",") {
		n = strings.TrimSpace(n)
		if f := strings.Fields(n); len(f) > 0 {
			names[f[0]] = true
		}
	}
	return names, true
}

// matches reports whether a suppression name selects rule r: its own name, its BuildKit name,
// or one of its hadolint ids.
func matches(r *analysis.Rule, names map[string]bool) bool {
	if names[r.Name] || (r.Refs.BuildKit != "" && names[r.Refs.BuildKit]) {
		return true
	}
	for _, dl := range r.Refs.Hadolint {
		if names[dl] {
			return true
		}
	}
	return false
}

func (s *suppression) skipAll(r *analysis.Rule) bool {
	if s.skipBK && r.Refs.BuildKit != "" {
		return true
	}
	return matches(r, s.skip) || matches(r, s.dlSkips)
}

func (s *suppression) suppressed(r *analysis.Rule, rng analysis.Range) bool {
	for _, sp := range s.spans {
		if rng.Start.Line >= sp.from && rng.Start.Line <= sp.to && matches(r, sp.names) {
			return true
		}
	}
	return false
}

// CommandFinding is one finding of CheckCommand.
type CommandFinding struct {
	Rule     string
	Severity analysis.Severity
	Message  string
}

// CheckCommand reviews one image history created_by string with the same shell rules as RUN
// lines. The prefixes Docker writes ("/bin/sh -c #(nop) ", "|N A=1 /bin/sh -c ") are removed;
// metadata steps ("#(nop) ENV ...") are checked only by the rules that look for secrets and
// miners in any text.
func CheckCommand(createdBy string) []CommandFinding {
	cmd, nop := shellcmd.StripHistoryPrefix(createdBy)
	if cmd == "" {
		return nil
	}
	var out []CommandFinding
	if !nop {
		s := shellcmd.Parse(cmd)
		for _, sc := range shellChecks {
			if historyHygiene[sc.rule] {
				continue
			}
			var r shellReporter
			func() {
				defer func() { _ = recover() }()
				sc.check(s, &r)
			}()
			for _, h := range r.hits {
				sev := h.Severity
				if sev == 0 {
					sev = sc.rule.Severity
				}
				out = append(out, CommandFinding{Rule: sc.rule.Name, Severity: sev, Message: h.Message})
			}
		}
	}
	for _, tc := range textChecks {
		for _, h := range tc.check(cmd) {
			out = append(out, CommandFinding{Rule: tc.rule.Name, Severity: tc.rule.Severity, Message: h})
		}
	}
	return out
}
