package rules

import (
	"strings"

	"github.com/layerlens/layerlens/analysis"
)

var archiveSuffixes = []string{".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tbz", ".tar.xz", ".txz", ".tar.zst", ".tzst", ".tar.lz", ".tar.lzma", ".tlz"}

func isArchive(s string) bool {
	s = strings.ToLower(unquote(s))
	for _, suf := range archiveSuffixes {
		if strings.HasSuffix(s, suf) {
			return true
		}
	}
	return false
}

func isRemote(s string) bool {
	s = strings.ToLower(unquote(s))
	return strings.Contains(s, "://") || strings.HasPrefix(s, "git@")
}

// AddInsteadOfCopy flags ADD of plain local files (row 82).
var AddInsteadOfCopy = &analysis.Rule{
	Name:     "AddInsteadOfCopy",
	Summary:  "Use COPY instead of ADD for local files",
	Severity: analysis.SeverityWarning,
	Refs:     analysis.Refs{Hadolint: []string{"DL3020"}, Trivy: []string{"DS-0005"}, Checkov: []string{"CKV_DOCKER_4"}, CIS: []string{"4.9"}},
	Doc: "ADD also fetches URLs and unpacks archives, so a reader (and a later change of the " +
		"source) can get surprising behaviour. For plain local files COPY says exactly what " +
		"happens. ADD of a local archive (to unpack it) and of URLs or git repositories is not " +
		"reported here (see UnverifiedDownload). The fix replaces the keyword when no ADD-only " +
		"flags are used.",
	Fixable: true,
	Run: func(p *analysis.Pass) {
		for _, in := range byCmd(p.File, "ADD") {
			if len(in.Args) < 2 || len(in.Heredocs) > 0 {
				continue
			}
			plain := true
			for _, a := range in.Args[:len(in.Args)-1] {
				if isArchive(a.Value) || isRemote(a.Value) || strings.Contains(a.Value, "$") {
					plain = false
				}
			}
			if !plain {
				continue
			}
			fd := analysis.Finding{Range: in.KeywordRange, Message: "use COPY instead of ADD for files and folders"}
			addOnly := false
			for _, fl := range in.Flags {
				switch strings.ToLower(fl.Name) {
				case "checksum", "keep-git-dir", "unpack":
					addOnly = true
				}
			}
			if !addOnly {
				kw := "COPY"
				if in.Keyword == strings.ToLower(in.Keyword) {
					kw = "copy"
				}
				fd.Fixes = []analysis.Fix{{Title: "Replace ADD with COPY", Edits: []analysis.TextEdit{{Range: in.KeywordRange, NewText: kw}}}}
			}
			p.Report(fd)
		}
	},
}
