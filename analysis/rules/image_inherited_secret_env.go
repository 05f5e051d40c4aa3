package rules

import (
	"strings"

	"github.com/layerlens/layerlens/analysis"
)

// ImageInheritedSecretEnv flags secrets in the ENV of the base image, which every image built
// on it inherits.
var ImageInheritedSecretEnv = &analysis.Rule{
	Name:     "ImageInheritedSecretEnv",
	Summary:  "The base image sets a secret-looking ENV value that your image inherits",
	Severity: analysis.SeverityWarning,
	Doc: "ENV values live in the image config: anyone who pulls the base image, or your image, " +
		"can read them, and your containers run with them. A secret-looking name with a " +
		"literal value, or a value shaped like a credential (an AWS key, a token), is reported " +
		"on the FROM. Override it with an empty ENV, and ask the image's publisher to rotate " +
		"the secret.",
	Run: func(p *analysis.Pass) {
		for _, is := range imageStages(p) {
			st, facts := is.Stage, is.Facts
			for _, kv := range facts.Env {
				k, v, _ := strings.Cut(kv, "=")
				switch {
				case secretName(k) && literalSecret(v):
					p.Reportf(st.BaseRange, "base image %s sets ENV %s with a value: it is readable by anyone with the image, and your image inherits it", facts.Ref, k)
				case len(secretHits(v)) > 0:
					p.Reportf(st.BaseRange, "base image %s sets ENV %s to a credential-shaped value (%s)", facts.Ref, k, secretHits(v)[0].msg)
				}
			}
		}
	},
}
