package rules

import (
	"strings"

	"github.com/layerlens/layerlens/analysis"
	"github.com/layerlens/layerlens/analysis/shellcmd"
)

// InsecureDownloadSource flags downloads from raw IPs, plain http, dynamic DNS, paste sites and
// URL shorteners (row 88).
var InsecureDownloadSource = &analysis.Rule{
	Name:     "InsecureDownloadSource",
	Summary:  "Download from plain http, a raw IP, dynamic DNS, a paste site or a URL shortener",
	Severity: analysis.SeverityWarning,
	Refs:     analysis.Refs{},
	Doc: "Plain http lets anyone on the path replace the file (a warning; a checksum or signature " +
		"check in the same RUN makes it harmless). Raw public IP addresses, dynamic-DNS names " +
		"(duckdns, no-ip, ngrok...), paste and file-drop sites (pastebin, transfer.sh...) and URL " +
		"shorteners are how malicious images fetch their payloads; legitimate software is rarely " +
		"published there (an error).",
	Run: func(p *analysis.Pass) {
		for _, in := range byCmd(p.File, "ADD") {
			if len(in.Args) < 2 {
				continue
			}
			for _, a := range in.Args[:len(in.Args)-1] {
				if what, severe := sourceRisk(unquote(a.Value)); what != "" {
					sev := analysis.SeverityWarning
					if severe {
						sev = analysis.SeverityError
					}
					p.Report(analysis.Finding{Range: a.Range, Severity: sev, Message: "ADD downloads from " + what + ": " + unquote(a.Value)})
				}
			}
		}
		runShell(checkInsecureSource)(p)
	},
}

// downloaders take URLs as arguments and fetch them.
var downloaders = map[string]bool{"curl": true, "wget": true, "git": true, "fetch": true, "aria2c": true, "axel": true,
	"pip": true, "pip3": true, "npm": true, "gem": true, "apk": true, "add-apt-repository": true, "svn": true, "rsync": true}

func checkInsecureSource(s *shellcmd.Script, r *shellReporter) {
	verified := verifies(s)
	for _, c := range s.Commands {
		if !downloaders[c.Name] {
			continue
		}
		for _, a := range c.Args[1:] {
			v := a.Value
			if i := strings.Index(v, "http"); i > 0 && strings.HasPrefix(v[i:], "http") && strings.Contains(v, "=") {
				v = v[i:] // --index-url=http://...
			}
			what, severe := sourceRisk(v)
			if what == "" || (!severe && verified) {
				continue
			}
			h := r.word(a, "%s downloads from %s: %s", c.Name, what, v)
			if severe {
				h.Severity = analysis.SeverityError
			}
		}
	}
}
