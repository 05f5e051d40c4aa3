package rules

import (
	"path"
	"strings"

	"github.com/layerlens/layerlens/analysis"
)

// secretFileNames are base names (lower case) of files that hold credentials.
var secretFileNames = map[string]bool{
	"id_rsa": true, "id_dsa": true, "id_ecdsa": true, "id_ed25519": true, ".env": true, ".npmrc": true,
	".pypirc": true, ".netrc": true, ".git-credentials": true, ".dockercfg": true, "credentials": true,
	".htpasswd": true, "terraform.tfstate": true, ".boto": true, "kubeconfig": true, ".s3cfg": true,
}

// SecretFileCopied flags COPY/ADD of key and credential files (row 67).
var SecretFileCopied = &analysis.Rule{
	Name:     "SecretFileCopied",
	Summary:  "A private key or credential file is copied into the image",
	Severity: analysis.SeverityWarning,
	Refs:     analysis.Refs{Trivy: []string{"DS-0031"}, CIS: []string{"4.10"}},
	Doc: "Files such as `id_rsa`, `*.key`, `.env`, `.npmrc`, `.netrc`, `.git-credentials`, " +
		"`.aws/credentials`, `*.p12` stay in the layer even if a later step deletes them. Mount " +
		"them for the one step that needs them (`RUN --mount=type=secret`) instead.",
	Run: func(p *analysis.Pass) {
		for _, in := range byCmd(p.File, "COPY", "ADD") {
			if len(in.Args) < 2 || len(in.Heredocs) > 0 {
				continue
			}
			for _, a := range in.Args[:len(in.Args)-1] {
				if why := secretFile(unquote(a.Value)); why != "" {
					p.Reportf(a.Range, "%s copies %s (%s) into the image", in.Cmd, a.Value, why)
				}
			}
		}
	},
}

func secretFile(src string) string {
	if strings.Contains(src, "://") {
		return ""
	}
	base := strings.ToLower(path.Base(src))
	switch {
	case secretFileNames[base]:
		return "a credential file"
	case strings.HasPrefix(base, ".env.") && !strings.HasSuffix(base, ".example") && !strings.HasSuffix(base, ".sample"):
		return "an environment file"
	case strings.HasSuffix(base, ".key"), strings.HasSuffix(base, ".p12"), strings.HasSuffix(base, ".pfx"),
		strings.HasSuffix(base, ".jks"), strings.HasSuffix(base, ".keystore"), strings.HasSuffix(base, ".ppk"):
		return "a private key"
	case strings.Contains(base, "service-account") && strings.HasSuffix(base, ".json"):
		return "a cloud service-account key"
	case strings.Contains(src, ".ssh/") && !strings.HasSuffix(base, ".pub") && base != "known_hosts" && base != "config":
		return "an SSH key"
	case strings.Contains(src, ".aws/") || strings.Contains(src, ".docker/config.json") || strings.Contains(src, ".kube/config"):
		return "cloud or registry credentials"
	}
	return ""
}
