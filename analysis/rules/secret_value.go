package rules

import (
	"regexp"
	"strings"

	"github.com/layerlens/layerlens/analysis"
)

// secretPatterns recognise credential values by their shape.
var secretPatterns = []struct {
	what string
	re   *regexp.Regexp
}{
	{"an AWS access key id", regexp.MustCompile(`\b(?:AKIA|ASIA)[0-9A-Z]{16}\b`)},
	{"a GitHub token", regexp.MustCompile(`\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})\b`)},
	{"a GitLab token", regexp.MustCompile(`\bglpat-[A-Za-z0-9_-]{20,}\b`)},
	{"a Slack token", regexp.MustCompile(`\bxox[abprs]-[A-Za-z0-9-]{10,}\b`)},
	{"a Slack webhook", regexp.MustCompile(`hooks\.slack\.com/services/T[A-Za-z0-9_]+/B[A-Za-z0-9_]+/[A-Za-z0-9_]+`)},
	{"a Stripe live key", regexp.MustCompile(`\b[sr]k_live_[0-9A-Za-z]{20,}\b`)},
	{"a Google API key", regexp.MustCompile(`\bAIza[0-9A-Za-z_-]{35}\b`)},
	{"an npm token", regexp.MustCompile(`\bnpm_[A-Za-z0-9]{36}\b`)},
	{"a private key", regexp.MustCompile(`-----BEGIN (?:RSA |EC |DSA |OPENSSH |PGP |ENCRYPTED )?PRIVATE KEY(?: BLOCK)?-----`)},
	{"a password in a URL", regexp.MustCompile(`\b[a-z][a-z0-9+.-]*://[^/\s:@$"'{}]+:[^/\s@$"'{}]{3,}@[A-Za-z0-9.-]+`)},
}

// SecretValue flags credential values written into the Dockerfile (row 68).
var SecretValue = &analysis.Rule{
	Name:     "SecretValue",
	Summary:  "A credential value is written in the Dockerfile",
	Severity: analysis.SeverityError,
	Refs:     analysis.Refs{CIS: []string{"4.10"}},
	Doc: "The text contains something shaped like a real credential: an AWS access key id, a " +
		"GitHub, GitLab, Slack, npm or Stripe token, a Google API key, a private key block, a " +
		"password inside a URL, or a literal value assigned to a secret-looking ARG/ENV name. It " +
		"is in the image history and in your repository. Revoke it, then pass it at build time " +
		"with `RUN --mount=type=secret`.",
	Run: func(p *analysis.Pass) {
		f := p.File
		for _, in := range allInstructions(f) {
			if in.Sub != nil {
				continue // the trigger is visited on its own
			}
			start := posOffset(f, in.Range.Start)
			text := rangeText(f, in.Range)
			for _, h := range secretHits(text) {
				p.Reportf(analysis.Range{Start: offsetPos(f, start+h.start), End: offsetPos(f, start+h.end)}, "%s", h.msg)
			}
			if in.Cmd != "ENV" && in.Cmd != "ARG" {
				continue
			}
			for _, kv := range keyValues(in) {
				if kv.HasValue && secretName(kv.Key) && literalSecret(kv.Value) {
					p.Reportf(kv.Range, "%s %s has a hard-coded value; pass secrets with RUN --mount=type=secret", in.Cmd, kv.Key)
				}
			}
		}
	},
}

type textHit struct {
	start, end int
	msg        string
}

// secretHits finds credential-shaped values in text.
func secretHits(text string) []textHit {
	var out []textHit
	for _, sp := range secretPatterns {
		for _, m := range sp.re.FindAllStringIndex(text, -1) {
			out = append(out, textHit{m[0], m[1], "this looks like " + sp.what + "; remove it and rotate the credential"})
		}
	}
	return out
}

// literalSecret reports a value that is a real literal, not empty, a variable, a placeholder,
// a path or a fingerprint.
func literalSecret(v string) bool {
	v = strings.TrimSpace(v)
	if len(v) < 4 || strings.ContainsAny(v, "$") || strings.HasPrefix(v, "/") || fingerprints.MatchString(v) {
		return false
	}
	switch strings.ToLower(v) {
	case "changeme", "change-me", "xxxx", "xxxxx", "secret", "password", "none", "null", "true", "false", "test", "example", "dummy":
		return false
	}
	if strings.HasPrefix(v, "<") || strings.HasPrefix(v, "{{") {
		return false
	}
	return true
}
