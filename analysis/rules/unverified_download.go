package rules

import (
	"path"

	"github.com/layerlens/layerlens/analysis"
	"github.com/layerlens/layerlens/analysis/shellcmd"
)

// UnverifiedDownload flags downloads whose content is not checked (row 86).
var UnverifiedDownload = &analysis.Rule{
	Name:     "UnverifiedDownload",
	Summary:  "Download is not verified by a checksum or signature",
	Severity: analysis.SeverityWarning,
	Refs:     analysis.Refs{CIS: []string{"4.11", "4.12"}},
	Doc: "A file fetched with curl or wget (to a file, or piped into tar or unzip), or with `ADD " +
		"<url>`, is trusted blindly: a compromised server or mirror decides what goes into the " +
		"image. Check it in the same RUN, as the official images do: `echo \"$SHA256  file\" | " +
		"sha256sum -c -`, or `gpg --verify file.asc file`; for ADD use `--checksum=sha256:...`. " +
		"Downloads of keys and checksum files themselves are not reported, and neither are " +
		"scripts piped to a shell (CurlPipeShell reports those).",
	Run: func(p *analysis.Pass) {
		for _, in := range byCmd(p.File, "ADD") {
			if flagOf(in, "checksum") != nil || len(in.Args) < 2 {
				continue
			}
			for _, a := range in.Args[:len(in.Args)-1] {
				v := unquote(a.Value)
				if (len(v) > 7 && (v[:7] == "http://" || len(v) > 8 && v[:8] == "https://")) && !keyFile(v) {
					p.Reportf(a.Range, "ADD %s is not verified; add --checksum=sha256:<digest>", v)
				}
			}
		}
		runShell(checkUnverified)(p)
	},
}

func checkUnverified(s *shellcmd.Script, r *shellReporter) {
	if verifies(s) {
		return
	}
	for _, f := range fetches(s) {
		if len(f.URLs) == 0 || keyFile(f.URLs[0].Value) || keyFile(f.OutFile) {
			continue
		}
		c := f.Cmd
		if f.ToStdout {
			consumed := false
			for _, next := range c.PipedTo() {
				if runsStdin(next) {
					consumed = false // CurlPipeShell's case
					break
				}
				switch next.Name {
				case "tar", "unzip", "bsdtar", "gunzip", "xz", "bunzip2", "zstd", "dpkg", "rpm", "install":
					consumed = true
				}
			}
			if !consumed {
				continue
			}
		} else if c.Nested {
			continue
		}
		name := path.Base(f.URLs[0].Value)
		r.cmd(c, "%s downloads %s without verifying a checksum or signature", c.Name, name)
	}
}
