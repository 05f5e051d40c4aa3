package rules

import (
	"regexp"
	"strings"

	"github.com/layerlens/layerlens/analysis"
)

// secretPatterns recognise credential values by their shape; each runs only when its needle
// occurs in the text.
var secretPatterns = []struct {
	what   string
	needle string
	re     *regexp.Regexp
}{
	{"an AWS access key id", "AKIA", regexp.MustCompile(`\bAKIA[0-9A-Z]{16}\b`)},
	{"an AWS access key id", "ASIA", regexp.MustCompile(`\bASIA[0-9A-Z]{16}\b`)},
	{"a GitHub token", "_", regexp.MustCompile(`\bgh[pousr]_[A-Za-z0-9]{36,}\b`)},
	{"a GitHub token", "github_pat_", regexp.MustCompile(`\bgithub_pat_[A-Za-z0-9_]{40,}\b`)},
	{"a GitLab token", "glpat-", regexp.MustCompile(`\bglpat-[A-Za-z0-9_-]{20,}\b`)},
	{"a Slack token", "xox", regexp.MustCompile(`\bxox[abprs]-[A-Za-z0-9-]{10,}\b`)},
	{"a Slack webhook", "hooks.slack.com", regexp.MustCompile(`hooks\.slack\.com/services/T[A-Za-z0-9_]+/B[A-Za-z0-9_]+/[A-Za-z0-9_]+`)},
	{"a Stripe live key", "k_live_", regexp.MustCompile(`\b[sr]k_live_[0-9A-Za-z]{20,}\b`)},
	{"a Google API key", "AIza", regexp.MustCompile(`\bAIza[0-9A-Za-z_-]{35}\b`)},
	{"an npm token", "npm_", regexp.MustCompile(`\bnpm_[A-Za-z0-9]{36}\b`)},
	{"a private key", "PRIVATE KEY", regexp.MustCompile(`-----BEGIN (?:RSA |EC |DSA |OPENSSH |PGP |ENCRYPTED )?PRIVATE KEY(?: BLOCK)?-----`)},
	{"a password in a URL", "@", regexp.MustCompile(`\b[a-z][a-z0-9+.-]*://[^/\s:@$"'{}]+:[^/\s@$"'{}]{3,}@[A-Za-z0-9.-]+`)},
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
		// Most files have none: one look at the whole text, or with a cache (the editor) a
		// kept scan of each instruction (the same result: a secret inside an instruction is
		// one in the whole text).
		cache := cacheOf(p)
		patterns := cache != nil || len(secretHits(f.Text)) > 0
		for _, in := range allInstructions(f) {
			if in.Sub != nil {
				continue // the trigger is visited on its own
			}
			start := posOffset(f, in.Range.Start)
			text := rangeText(f, in.Range)
			var hits []analysis.Range
			var found []textHit
			if cache != nil {
				found = cache.textHits(textSecret, text, secretHits)
			} else if patterns {
				found = secretHits(text)
			}
			for _, h := range found {
				rng := analysis.Range{Start: offsetPos(f, start+h.start), End: offsetPos(f, start+h.end)}
				hits = append(hits, rng)
				p.Reportf(rng, "%s", h.msg)
			}
			if in.Cmd != "ENV" && in.Cmd != "ARG" {
				continue
			}
			for _, kv := range kvOf(p, in) {
				covered := false
				for _, h := range hits {
					if kv.Range.Contains(h.Start) {
						covered = true
					}
				}
				if !covered && kv.HasValue && secretName(kv.Key) && literalSecret(kv.Value) {
					p.Reportf(kv.Range, "%s %s has a hard-coded value; pass secrets with RUN --mount=type=secret", in.Cmd, kv.Key)
				}
			}
		}
	},
}

type textHit struct {
	start, end int
	msg        string
	kind       string
}

// secretHits finds credential-shaped values in text.
func secretHits(text string) []textHit {
	var out []textHit
	for _, sp := range secretPatterns {
		if !strings.Contains(text, sp.needle) || sp.needle == "@" && !urlWithUserinfo(text) ||
			sp.needle == "_" && !githubPrefix(text) {
			continue
		}
		for _, m := range sp.re.FindAllStringIndex(text, -1) {
			out = append(out, textHit{m[0], m[1], "this looks like " + sp.what + "; remove it and rotate the credential", sp.what})
		}
	}
	return out
}

// literalSecret reports a value that is a real literal, not empty, a variable, a placeholder,
// a path or a fingerprint.
func literalSecret(v string) bool {
	v = strings.TrimSpace(v)
	// A 40-digit fingerprint (or a list of them) is public; a 16-digit hex string could be
	// a key id or a token, and the name already said "secret".
	if len(v) < 4 || strings.ContainsAny(v, "$") || strings.HasPrefix(v, "/") || len(v) >= 40 && fingerprints.MatchString(v) {
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

// urlWithUserinfo reports whether some "scheme://" in text is followed by "user:pass@" within the
// same word; it keeps the URL regular expression off the long RUN lines that have no such URL.
func urlWithUserinfo(text string) bool {
	for i := 0; ; {
		j := strings.Index(text[i:], "://")
		if j < 0 {
			return false
		}
		i += j + 3
		end := i
		for end < len(text) && text[end] != ' ' && text[end] != '\n' && text[end] != '"' && text[end] != '\'' && text[end] != '/' {
			end++
		}
		if at := strings.IndexByte(text[i:end], '@'); at > 0 && strings.IndexByte(text[i:i+at], ':') > 0 {
			return true
		}
	}
}

// githubPrefix reports whether text contains a GitHub token prefix (ghp_, gho_, ghu_, ghs_, ghr_).
func githubPrefix(text string) bool {
	for i := 0; ; {
		j := strings.Index(text[i:], "gh")
		if j < 0 || i+j+3 >= len(text) {
			return false
		}
		i += j + 2
		if strings.IndexByte("pousr", text[i]) >= 0 && text[i+1] == '_' {
			return true
		}
	}
}
