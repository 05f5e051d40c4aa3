package rules

import (
	"strings"

	"github.com/layerlens/layerlens/analysis"
	"github.com/layerlens/layerlens/analysis/shellcmd"
)

// PackageCacheLeft flags package installs that leave caches in the layer (row 74).
var PackageCacheLeft = &analysis.Rule{
	Name:     "PackageCacheLeft",
	Summary:  "Package manager cache or lists left in the layer",
	Severity: analysis.SeverityInfo,
	Refs: analysis.Refs{Hadolint: []string{"DL3009", "DL3019", "DL3032", "DL3040", "DL3036", "DL3042", "DL3060"},
		Trivy: []string{"DS-0015", "DS-0019", "DS-0020", "DS-0025", "DS-0027"}},
	Doc: "Package indexes and download caches in a layer make the image larger for nothing, and " +
		"deleting them in a later RUN does not help (the bytes stay in the earlier layer). Clean " +
		"up in the same RUN: `rm -rf /var/lib/apt/lists/*`, `apk add --no-cache`, `yum clean " +
		"all`, `dnf clean all`, `zypper clean`, `pip install --no-cache-dir`, `yarn cache clean`. " +
		"RUNs with a cache mount (`--mount=type=cache`) are fine.",
	Run: func(p *analysis.Pass) {
		pipNoCache := false
		for _, in := range byCmd(p.File, "ENV", "ARG") {
			for _, kv := range kvOf(p, in) {
				if kv.Key == "PIP_NO_CACHE_DIR" && kv.Value != "" && kv.Value != "0" && !strings.EqualFold(kv.Value, "false") {
					pipNoCache = true
				}
			}
		}
		check := func(s *shellcmd.Script, r *shellReporter) { checkPackageCache(s, r, pipNoCache) }
		for _, rs := range scripts(p) {
			if fl := flagOf(rs.Inst, "mount"); fl != nil && strings.Contains(fl.Value, "type=cache") {
				continue
			}
			for _, h := range rs.entry.hitsFor(packageCacheSlots[b2i(pipNoCache)], check) {
				p.Report(analysis.Finding{Range: rs.Range(p.File, h.Start, h.End), Message: h.Message})
			}
		}
	},
}

func checkPackageCacheShell(s *shellcmd.Script, r *shellReporter) { checkPackageCache(s, r, false) }

func checkPackageCache(s *shellcmd.Script, r *shellReporter, pipNoCache bool) {
	removes := func(sub string) bool {
		for _, c := range s.Find("rm") {
			for _, a := range c.Args[1:] {
				if strings.Contains(a.Value, sub) {
					return true
				}
			}
		}
		return false
	}
	cleans := func(names ...string) bool {
		for _, c := range s.Find(names...) {
			if sub := c.Sub(); sub == "clean" || sub == "cc" || sub == "clean-cache" {
				return true
			}
		}
		return false
	}
	for _, ic := range packageInstalls(s) {
		c := ic.Cmd
		switch ic.Manager {
		case "apt-get", "apt", "aptitude":
			if !removes("/var/lib/apt/lists") {
				r.cmd(c, "apt lists are left in the layer; add `rm -rf /var/lib/apt/lists/*` to this RUN")
			}
		case "apk":
			if !c.HasFlag("--no-cache") && !removes("/var/cache/apk") {
				r.cmd(c, "apk add without --no-cache leaves the index in the layer")
			}
		case "yum":
			if !cleans("yum") && !removes("/var/cache/yum") {
				r.cmd(c, "yum install without `yum clean all` in the same RUN")
			}
		case "dnf", "microdnf", "tdnf":
			if !cleans("dnf", "microdnf", "tdnf") && !removes("/var/cache/dnf") && !removes("/var/cache/yum") {
				r.cmd(c, "%s install without `%s clean all` in the same RUN", ic.Manager, ic.Manager)
			}
		case "zypper":
			if !cleans("zypper") && !removes("/var/cache/zypp") {
				r.cmd(c, "zypper install without `zypper clean` in the same RUN")
			}
		case "pip":
			if !pipNoCache && !c.HasFlag("--no-cache-dir") && !removes(".cache/pip") && len(ic.Pkgs)+len(c.Args) > 0 {
				r.cmd(c, "pip install without --no-cache-dir keeps the download cache in the layer")
			}
		}
	}
	for _, c := range s.Find("yarn") {
		if sub := c.Sub(); (sub == "install" || sub == "") && len(c.Args) >= 1 && !cleans("yarn") && !c.HasFlag("--production") {
			if sub == "install" {
				r.cmd(c, "yarn install without `yarn cache clean` in the same RUN")
			}
		}
	}
}

// packageCacheSlots number the rule's script findings for the cache, without and with
// PIP_NO_CACHE_DIR set in the file.
var packageCacheSlots = [2]int{newShellSlot(), newShellSlot()}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
