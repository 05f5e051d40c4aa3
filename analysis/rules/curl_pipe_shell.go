package rules

import (
	"strings"

	"github.com/layerlens/layerlens/analysis"
	"github.com/layerlens/layerlens/analysis/shellcmd"
)

// CurlPipeShell flags remote scripts executed straight from the network (row 87).
var CurlPipeShell = &analysis.Rule{
	Name:     "CurlPipeShell",
	Summary:  "Remote script piped to a shell (curl | sh and its variants)",
	Severity: analysis.SeverityWarning,
	Refs:     analysis.Refs{CIS: []string{"4.11"}},
	Doc: "`curl URL | sh`, `wget -O- URL | bash`, `bash <(curl URL)`, `sh -c \"$(curl URL)\"`, " +
		"`python3 -c \"$(curl URL)\"` and `eval \"$(curl URL)\"` run whatever the server returns " +
		"at that moment, unreviewed and unverified. Download to a file, verify its checksum or " +
		"signature, then run it. Over plain http anyone on the network path chooses the code, " +
		"and raw IP addresses, dynamic-DNS hosts, paste sites and URL shorteners are where " +
		"malicious images keep their payloads: those cases are errors.",
	Run: runShell(checkCurlPipeShell),
}

func checkCurlPipeShell(s *shellcmd.Script, r *shellReporter) {
	for _, f := range fetches(s) {
		c := f.Cmd
		var runner *shellcmd.Command
		if f.ToStdout {
			for _, next := range c.PipedTo() {
				if runsStdin(next) {
					runner = next
					break
				}
			}
		}
		if runner == nil && c.Nested && c.Parent != nil {
			pn := c.Parent.Name
			if shellcmd.IsShell(pn) || interpreters[pn] || strings.HasPrefix(pn, "python") || pn == "eval" {
				runner = c.Parent
			}
		}
		if runner == nil {
			continue
		}
		url := "a remote script"
		plain := false
		if len(f.URLs) > 0 {
			url = f.URLs[0].Value
			plain = strings.HasPrefix(strings.ToLower(url), "http://") || strings.HasPrefix(strings.ToLower(url), "ftp://")
		}
		start, end := c.Start, runner.End
		if runner.Start < start {
			start = runner.Start
		}
		if c.End > end {
			end = c.End
		}
		h := r.at(start, end, "%s output of %s is executed by %s without verification", c.Name, url, runner.Name)
		if what, severe := sourceRisk(url); severe {
			h.Severity = analysis.SeverityError
			h.Message += ", from " + what
		} else if plain {
			h.Severity = analysis.SeverityError
			h.Message += ", over plain http"
		}
	}
}
