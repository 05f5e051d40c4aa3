package rules

import (
	"regexp"
	"strings"

	"github.com/layerlens/layerlens/analysis"
)

// secretNameTokens are the name parts that suggest a secret (as in BuildKit's check).
var secretNameTokens = map[string]bool{"apikey": true, "auth": true, "credential": true, "credentials": true, "key": true,
	"password": true, "pword": true, "passwd": true, "secret": true, "token": true, "passphrase": true, "privatekey": true}

// publicNameTokens mark names that hold public data or a reference, not a secret.
var publicNameTokens = map[string]bool{"public": true, "pub": true, "gpg": true, "pgp": true, "fingerprint": true,
	"file": true, "path": true, "dir": true, "url": true, "server": true, "name": true, "length": true}

var fingerprints = regexp.MustCompile(`^(?:(?:0x)?[0-9A-Fa-f]{16}|(?:0x)?[0-9A-Fa-f]{40}|(?:[0-9A-Fa-f]{4} ?){10})(?:[\s,]+(?:(?:0x)?[0-9A-Fa-f]{16}|(?:0x)?[0-9A-Fa-f]{40}))*$`)

// SecretsUsedInArgOrEnv flags ARG/ENV names that suggest secrets (row 66).
var SecretsUsedInArgOrEnv = &analysis.Rule{
	Name:     "SecretsUsedInArgOrEnv",
	Summary:  "ARG or ENV name suggests a secret",
	Severity: analysis.SeverityWarning,
	Refs:     analysis.Refs{Hadolint: []string{"DL3064"}, BuildKit: "SecretsUsedInArgOrEnv", Trivy: []string{"DS-0031"}, CIS: []string{"4.10"}},
	Doc: "ENV values are stored in the image config and ARG values in its history: anyone who " +
		"pulls the image can read them. Pass secrets with `RUN --mount=type=secret` instead. " +
		"Names are split at `_`; a part such as KEY, TOKEN, PASSWORD or SECRET makes a name " +
		"secret-looking, unless another part says it is public or a reference (PUBLIC, GPG, FILE, " +
		"PATH, URL) or the value is a list of public-key fingerprints (`ENV GPG_KEY " +
		"A035C8C1...` in the official images is not a secret).",
	Run: func(p *analysis.Pass) {
		for _, in := range byCmd(p.File, "ARG", "ENV") {
			for _, kv := range kvOf(p, in) {
				if !secretName(kv.Key) || fingerprints.MatchString(strings.TrimSpace(kv.Value)) {
					continue
				}
				p.Reportf(kv.Range, "do not use ARG or ENV instructions for sensitive data (%s %q)", in.Cmd, kv.Key)
			}
		}
	},
}

// secretName reports whether a variable name looks like it holds a secret.
func secretName(name string) bool {
	// The usual ASCII name is split and lower-cased in a buffer, without allocating: this runs
	// for every ENV and ARG key on every check.
	var buf [64]byte
	ascii := len(name) <= len(buf)
	for i := 0; ascii && i < len(name); i++ {
		ascii = name[i] < 0x80
	}
	if ascii {
		secret := false
		start := 0
		for i := 0; i <= len(name); i++ {
			if i < len(name) && name[i] != '_' && name[i] != '-' && name[i] != '.' {
				c := name[i]
				if c >= 'A' && c <= 'Z' {
					c += 'a' - 'A'
				}
				buf[i] = c
				continue
			}
			if i > start {
				part := buf[start:i]
				if publicNameTokens[string(part)] {
					return false
				}
				if secretNameTokens[string(part)] {
					secret = true
				}
			}
			start = i + 1
		}
		return secret
	}
	secret := false
	for _, part := range strings.FieldsFunc(strings.ToLower(name), func(r rune) bool { return r == '_' || r == '-' || r == '.' }) {
		if publicNameTokens[part] {
			return false
		}
		if secretNameTokens[part] {
			secret = true
		}
	}
	return secret
}
