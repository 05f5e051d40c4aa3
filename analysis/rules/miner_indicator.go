package rules

import (
	"regexp"
	"strings"

	"github.com/layerlens/layerlens/analysis"
)

// minerPatterns are cryptominer indicators (I1-I4 of RULES.md). Patterns match the lower-cased
// text, and each runs only when one of its needles occurs (regular expressions over long RUN
// lines are the expensive part of a check).
var minerPatterns = []struct {
	what    string
	needles []string
	re      *regexp.Regexp
}{
	{"a cryptominer program", []string{"xmr", "miner", "t-rex", "kinsing", "kdevtmpfsi"},
		regexp.MustCompile(`(?:^|[^a-z0-9_])(xmrig|xmr-stak|ccminer|cpuminer(?:-multi|-opt)?|minerd|cgminer|bfgminer|ethminer|nbminer|phoenixminer|lolminer|nanominer|srbminer(?:-multi)?|teamredminer|gminer|t-rex|kinsing|kdevtmpfsi)(?:[^a-z0-9_]|$)`)},
	{"a mining pool URL", []string{"stratum"}, regexp.MustCompile(`stratum2?\+(?:tcp|ssl|tls)://`)},
	{"a mining pool host", []string{"nanopool", "c3pool", "f2pool", "xmrpool", "xmr.pool", "2miners", "ethermine", "herominers", "unmineable", "minergate", "nicehash", "monerohash", "moneroocean", "hashvault", "minexmr", "supportxmr"},
		regexp.MustCompile(`(?:nanopool\.org|supportxmr\.com|minexmr\.com|c3pool\.(?:com|org)|moneroocean\.stream|hashvault\.pro|2miners\.com|f2pool\.com|ethermine\.org|herominers\.com|unmineable\.com|xmrpool\.eu|minergate\.com|nicehash\.com|monerohash\.com|xmr\.pool\.)`)},
	{"miner tuning options", []string{"donate-level", "cpu-priority", "max-cpu-usage", "1gb-pages", "msr", "nr_hugepages"},
		regexp.MustCompile(`(?:--donate-level|--cpu-priority|--max-cpu-usage|--randomx-1gb-pages|\bwrmsr\b|modprobe\s+msr\b|vm\.nr_hugepages)`)},
}

// moneroAddress finds standard Monero addresses: 95 base58 characters starting with 4 or 8
// and a second character in [0-9AB].
func moneroAddress(text string) [][2]int {
	var out [][2]int
	i := 0
	for i < len(text) {
		if !isBase58(text[i]) {
			i++
			continue
		}
		j := i
		for j < len(text) && isBase58(text[j]) {
			j++
		}
		if j-i == 95 && (text[i] == '4' || text[i] == '8') && (text[i+1] >= '0' && text[i+1] <= '9' || text[i+1] == 'A' || text[i+1] == 'B') {
			out = append(out, [2]int{i, j})
		}
		i = j
	}
	return out
}

func isBase58(c byte) bool { return base58[c] }

var base58 = func() (t [256]bool) {
	for _, c := range []byte("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz") {
		t[c] = true
	}
	return t
}()

// minerQuick are substrings at least one of which every indicator pattern contains; a text
// without any of them is skipped without running the patterns.
var minerQuick = []string{"xmr", "miner", "t-rex", "kinsing", "kdevtmpfsi", "stratum", "pool", "ethermine",
	"nicehash", "monero", "hashvault", "unmineable", "donate-level", "cpu-priority", "max-cpu-usage", "1gb-pages", "msr", "hugepages"}

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
		// Most files have no indicator at all: look at the whole text once first. With a
		// cache (the editor) each instruction's scan is kept instead, and only changed
		// instructions are scanned; an indicator inside an instruction is one in the whole
		// text too (instructions start and end at line boundaries), so the result is the same.
		cache := cacheOf(p)
		if cache == nil && len(minerHits(f.Text)) == 0 {
			return
		}
		for _, in := range f.Instructions {
			start := posOffset(f, in.Range.Start)
			text := rangeText(f, in.Range)
			var found []textHit
			if cache != nil {
				found = cache.textHits(textMiner, text, minerHits)
			} else {
				found = minerHits(text)
			}
			if len(found) == 0 {
				continue
			}
			seen := map[string]bool{}
			for _, h := range found {
				// One finding per kind of indicator per instruction is enough.
				if seen[h.kind] {
					continue
				}
				seen[h.kind] = true
				p.Reportf(analysis.Range{Start: offsetPos(f, start+h.start), End: offsetPos(f, start+h.end)}, "%s", h.msg)
			}
		}
	},
}

func minerHits(text string) []textHit {
	var out []textHit
	// Most texts are ASCII without any needle: one pass tells, with no lower-case copy.
	found, ascii := asciiQuickNeedle(text)
	lower := text
	quick := false
	if !ascii || found {
		lower = strings.ToLower(text)
		for _, n := range minerQuick {
			if strings.Contains(lower, n) {
				quick = true
				break
			}
		}
	}
	for _, mp := range minerPatterns {
		if !quick {
			break
		}
		found := false
		for _, n := range mp.needles {
			if strings.Contains(lower, n) {
				found = true
				break
			}
		}
		if !found {
			continue
		}
		for _, m := range mp.re.FindAllStringSubmatchIndex(lower, -1) {
			s, e := m[0], m[1]
			if len(m) >= 4 && m[2] >= 0 {
				s, e = m[2], m[3]
			}
			out = append(out, textHit{s, e, "cryptominer indicator: " + mp.what + " (" + text[s:e] + ")", mp.what})
		}
	}
	for _, m := range moneroAddress(text) {
		out = append(out, textHit{m[0], m[1], "cryptominer indicator: a Monero wallet address (" + text[m[0]:m[0]+8] + "...)", "wallet"})
	}
	return out
}

// minerNeedles indexes the needles of all minerPatterns by their first two bytes. A pattern
// runs only when one of its own needles occurs, so a text with none of them can only hold a
// wallet address (minerQuick is a looser filter: "pool" alone is in every php-fpm image).
var minerNeedles = func() (t struct {
	first [1 << 16]bool
	lists map[uint16][]string
}) {
	t.lists = map[uint16][]string{}
	for _, mp := range minerPatterns {
		for _, n := range mp.needles {
			k := uint16(n[0])<<8 | uint16(n[1])
			t.first[k] = true
			t.lists[k] = append(t.lists[k], n)
		}
	}
	return t
}()

// asciiQuickNeedle reports whether the lower-cased text contains a needle of minerPatterns, in
// one pass without copying; ascii is false (and found meaningless) when the text has a
// non-ASCII byte, whose lower-casing the caller must leave to strings.ToLower.
func asciiQuickNeedle(text string) (found, ascii bool) {
	lower := func(c byte) byte {
		if c >= 'A' && c <= 'Z' {
			return c + 'a' - 'A'
		}
		return c
	}
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c >= 0x80 {
			return false, false
		}
		if found || i+1 >= len(text) {
			continue // keep checking that the rest is ASCII
		}
		k := uint16(lower(c))<<8 | uint16(lower(text[i+1]))
		if !minerNeedles.first[k] {
			continue
		}
		for _, n := range minerNeedles.lists[k] {
			if len(text)-i >= len(n) && hasPrefixLowerASCII(text[i:], n) {
				found = true
				break
			}
		}
	}
	return found, true
}

// hasPrefixLowerASCII reports whether s starts with the lower-case ASCII needle n, ignoring the
// case of ASCII letters in s.
func hasPrefixLowerASCII(s, n string) bool {
	for j := 0; j < len(n); j++ {
		c := s[j]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != n[j] {
			return false
		}
	}
	return true
}
