package rules

import (
	"regexp"

	"github.com/layerlens/layerlens/analysis"
)

// minerPatterns are cryptominer indicators (I1-I4 of RULES.md).
var minerPatterns = []struct {
	what string
	re   *regexp.Regexp
}{
	{"a cryptominer program", regexp.MustCompile(`(?i)(?:^|[^A-Za-z0-9_])(xmrig|xmr-stak|ccminer|cpuminer(?:-multi|-opt)?|minerd|cgminer|bfgminer|ethminer|nbminer|phoenixminer|lolminer|nanominer|srbminer(?:-multi)?|teamredminer|gminer|t-rex|kinsing|kdevtmpfsi)(?:[^A-Za-z0-9_]|$)`)},
	{"a mining pool URL", regexp.MustCompile(`(?i)stratum2?\+(?:tcp|ssl|tls)://`)},
	{"a mining pool host", regexp.MustCompile(`(?i)[a-z0-9.-]*(?:nanopool\.org|supportxmr\.com|minexmr\.com|c3pool\.(?:com|org)|moneroocean\.stream|hashvault\.pro|2miners\.com|f2pool\.com|ethermine\.org|herominers\.com|unmineable\.com|xmrpool\.eu|minergate\.com|nicehash\.com|monerohash\.com|pool\.hashvault|xmr\.pool\.)`)},
	{"miner tuning options", regexp.MustCompile(`(?:--donate-level|--cpu-priority|--max-cpu-usage|--randomx-1gb-pages|\bwrmsr\b|modprobe\s+msr\b|vm\.nr_hugepages)`)},
	{"a Monero wallet address", regexp.MustCompile(`(?:^|[^A-Za-z0-9])(4[0-9AB][1-9A-HJ-NP-Za-km-z]{93})(?:[^A-Za-z0-9]|$)`)},
}

// MinerIndicator flags cryptominer names, pools, tuning and wallets (row 90).
var MinerIndicator = &analysis.Rule{
	Name:     "MinerIndicator",
	Summary:  "Cryptominer indicator (miner program, pool, wallet address, tuning)",
	Severity: analysis.SeverityError,
	Refs:     analysis.Refs{},
	Doc: "Hundreds of public images mine cryptocurrency for their publisher. The rule looks in " +
		"every instruction for miner programs (xmrig, xmr-stak, ccminer, cpuminer, minerd, " +
		"kinsing...), pool URLs (`stratum+tcp://`) and pool hosts, Monero wallet addresses and " +
		"XMRig tuning (`--donate-level`, `wrmsr`, `vm.nr_hugepages`).",
	Run: func(p *analysis.Pass) {
		f := p.File
		for _, in := range f.Instructions {
			start := posOffset(f, in.Range.Start)
			for _, h := range minerHits(rangeText(f, in.Range)) {
				p.Reportf(analysis.Range{Start: offsetPos(f, start+h.start), End: offsetPos(f, start+h.end)}, "%s", h.msg)
			}
		}
	},
}

func minerHits(text string) []textHit {
	var out []textHit
	for _, mp := range minerPatterns {
		for _, m := range mp.re.FindAllStringSubmatchIndex(text, -1) {
			s, e := m[0], m[1]
			if len(m) >= 4 && m[2] >= 0 {
				s, e = m[2], m[3]
			}
			out = append(out, textHit{s, e, "cryptominer indicator: " + mp.what + " (" + text[s:e] + ")"})
		}
	}
	return out
}
