package rules

import (
	"strings"

	"github.com/layerlens/layerlens/analysis"
	"github.com/layerlens/layerlens/analysis/shellcmd"
)

// tlsOffEnv are environment settings that turn TLS verification off.
var tlsOffEnv = map[string][]string{
	"PYTHONHTTPSVERIFY":            {"0"},
	"NODE_TLS_REJECT_UNAUTHORIZED": {"0"},
	"GIT_SSL_NO_VERIFY":            {"1", "true"},
	"NPM_CONFIG_STRICT_SSL":        {"false", "0"},
	"CURL_INSECURE":                {"1", "true"},
	"PIP_TRUSTED_HOST":             nil, // any value
}

// TLSVerifyDisabled flags downloads and tools with TLS certificate checks turned off (row 79).
var TLSVerifyDisabled = &analysis.Rule{
	Name:     "TLSVerifyDisabled",
	Summary:  "TLS certificate verification is disabled",
	Severity: analysis.SeverityWarning,
	Refs: analysis.Refs{Checkov: []string{"CKV2_DOCKER_2", "CKV2_DOCKER_3", "CKV2_DOCKER_4", "CKV2_DOCKER_5", "CKV2_DOCKER_6",
		"CKV2_DOCKER_12", "CKV2_DOCKER_13", "CKV2_DOCKER_14", "CKV2_DOCKER_15", "CKV2_DOCKER_16"}, CIS: []string{"4.11"}},
	Doc: "`curl -k`, `wget --no-check-certificate`, `pip --trusted-host`, `npm config set " +
		"strict-ssl false`, `git -c http.sslVerify=false`, `sslverify=0` and the environment " +
		"variables PYTHONHTTPSVERIFY=0, NODE_TLS_REJECT_UNAUTHORIZED=0, GIT_SSL_NO_VERIFY=1 accept " +
		"any certificate, so anyone on the network path can replace the download. Set in ENV, " +
		"the setting also stays in the running container.",
	Run: func(p *analysis.Pass) {
		for _, in := range byCmd(p.File, "ENV", "ARG") {
			for _, kv := range kvOf(p, in) {
				if tlsOffValue(kv.Key, kv.Value, kv.HasValue) {
					p.Reportf(kv.Range, "%s=%s disables TLS certificate verification", kv.Key, kv.Value)
				}
			}
		}
		runShell(checkTLS)(p)
		reportInherited(p)
	},
}

func tlsOffValue(key, value string, has bool) bool {
	vals, ok := tlsOffEnv[strings.ToUpper(key)]
	if !ok || !has {
		return false
	}
	if vals == nil {
		return value != ""
	}
	for _, v := range vals {
		if strings.EqualFold(value, v) {
			return true
		}
	}
	return false
}

func checkTLS(s *shellcmd.Script, r *shellReporter) {
	for _, c := range s.Commands {
		var bad string
		switch c.Name {
		case "curl":
			if c.HasFlag("-k", "--insecure") {
				bad = "-k/--insecure"
			}
		case "wget":
			if c.HasFlag("--no-check-certificate") {
				bad = "--no-check-certificate"
			}
		case "pip", "pip3", "pip2":
			if c.HasFlag("--trusted-host") {
				bad = "--trusted-host"
			}
		case "npm", "yarn", "pnpm":
			t := strings.ToLower(c.Text())
			if strings.Contains(t, "strict-ssl false") || strings.Contains(t, "strict-ssl=false") || strings.Contains(t, "strict-ssl\" false") {
				bad = "strict-ssl false"
			}
		case "git":
			t := strings.ToLower(c.Text())
			if strings.Contains(t, "sslverify=false") || strings.Contains(t, "sslverify false") || strings.Contains(t, "sslverify \"false\"") {
				bad = "http.sslVerify=false"
			}
		case "yum", "dnf", "yum-config-manager", "dnf-config-manager":
			if t := strings.ToLower(c.Text()); strings.Contains(t, "sslverify=0") || strings.Contains(t, "sslverify=false") {
				bad = "sslverify=0"
			}
		}
		if bad == "" && strings.HasPrefix(c.Name, "python") {
			// pip via python -m pip --trusted-host
			for _, a := range c.Args {
				if a.Value == "--trusted-host" {
					bad = "--trusted-host"
				}
			}
		}
		for _, as := range c.Assigns {
			k, v, _ := strings.Cut(as, "=")
			if tlsOffValue(k, v, true) {
				bad = as
			}
		}
		if c.Name == "export" {
			for _, a := range c.Args[1:] {
				if k, v, ok := strings.Cut(a.Value, "="); ok && tlsOffValue(k, v, true) {
					bad = a.Value
				}
			}
		}
		if bad == "" {
			for _, rd := range c.Redirs {
				t := strings.ToLower(c.Text())
				if strings.Contains(t, "sslverify=0") || strings.Contains(t, "sslverify=false") || strings.Contains(t, "strict-ssl=false") || strings.Contains(t, "check_certificate = off") || strings.Contains(t, "insecure") && strings.HasSuffix(rd.Target.Value, ".curlrc") {
					bad = "a configuration file (" + rd.Target.Value + ")"
				}
			}
		}
		if bad != "" {
			r.cmd(c, "%s disables TLS certificate verification (%s)", c.Name, bad)
		}
	}
}
