package rules

import (
	"strings"

	"github.com/layerlens/layerlens/analysis"
	"github.com/layerlens/layerlens/analysis/shellcmd"
)

// offensiveTools are scanners, brute-forcers and anonymisers seen in malicious images.
var offensiveTools = map[string]string{
	"masscan": "a mass port scanner", "zmap": "a mass port scanner", "nmap": "a port scanner", "pnscan": "a port scanner",
	"hydra": "a password brute-forcer", "medusa": "a password brute-forcer", "sqlmap": "an SQL injection tool",
	"nikto": "a web vulnerability scanner", "metasploit-framework": "an exploitation framework", "msfconsole": "an exploitation framework",
	"tor": "an anonymising proxy", "torsocks": "an anonymising proxy", "proxychains": "a proxy chainer", "proxychains4": "a proxy chainer",
	"proxychains-ng": "a proxy chainer",
}

// OffensiveTooling flags scanning, hacking and anonymising tools (row 91).
var OffensiveTooling = &analysis.Rule{
	Name:     "OffensiveTooling",
	Summary:  "Scanning, hacking or anonymising tool installed or run (masscan, nmap, hydra, tor, proxychains)",
	Severity: analysis.SeverityWarning,
	Refs:     analysis.Refs{},
	Doc: "Images that scan the internet for open Docker daemons or brute-force SSH carry tools " +
		"like masscan, zmap, pnscan and hydra, and hide their traffic with tor or proxychains. In " +
		"a security-testing image they are the point; anywhere else they deserve a question. SOCKS " +
		"proxy settings (`ALL_PROXY=socks5://...`) and docker clients aimed at `tcp://...:2375` are " +
		"reported too.",
	Run: func(p *analysis.Pass) {
		for _, in := range byCmd(p.File, "ENV", "ARG") {
			for _, kv := range kvOf(p, in) {
				k := strings.ToUpper(kv.Key)
				if (k == "ALL_PROXY" || k == "HTTP_PROXY" || k == "HTTPS_PROXY") && strings.HasPrefix(strings.ToLower(kv.Value), "socks") {
					p.Reportf(kv.Range, "%s routes traffic through a SOCKS proxy (%s)", kv.Key, kv.Value)
				}
			}
		}
		runShell(checkOffensive)(p)
	},
}

func checkOffensive(s *shellcmd.Script, r *shellReporter) {
	for _, ic := range packageInstalls(s) {
		for _, w := range ic.Pkgs {
			if what, ok := offensiveTools[pkgName(w.Value)]; ok {
				r.word(w, "%s is %s", w.Value, what)
			}
		}
	}
	for _, c := range s.Commands {
		if what, ok := offensiveTools[c.Name]; ok {
			r.cmd(c, "%s is %s", c.Name, what)
		}
		if c.Name == "docker" {
			if h, ok := c.FlagValue("-H", "--host"); ok && strings.HasPrefix(h, "tcp://") {
				r.cmd(c, "docker client aimed at a remote daemon (%s)", h)
			}
		}
	}
}
