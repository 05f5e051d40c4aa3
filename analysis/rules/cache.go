package rules

import (
	"sort"
	"strings"
	"sync"

	"github.com/layerlens/layerlens/analysis"
	"github.com/layerlens/layerlens/analysis/shellcmd"
)

// Cache keeps the expensive per-instruction work of Check between runs over successive versions
// of one document (the editor re-checks the whole file on every keystroke): the parsed shell
// script of each RUN and the script-relative findings of the rules that look only at that
// script. Entries are keyed by content (the script text and the literal variable values it
// refers to), never by position, so an entry stays valid when lines are inserted above its
// instruction; findings are placed at the instruction's current range on every run. Base-image
// facts, the configuration and the rest of the file are not part of any entry: everything that
// depends on them is recomputed on each Check.
//
// A Cache only ever grows by the scripts of the latest Check: entries the latest Check did not
// use are dropped at its end. It is safe for concurrent use; Checks sharing one Cache run one at
// a time. The zero value is not usable: call [NewCache].
type Cache struct {
	mu      sync.Mutex
	gen     uint64
	scripts map[string]*scriptEntry
	// texts memoises text scans of single instructions (secret and miner patterns).
	texts map[textKey]*textEntry
	// Stats of the latest Check, for tests and debug logs.
	hits, misses int
}

// NewCache returns an empty cache.
func NewCache() *Cache {
	return &Cache{scripts: map[string]*scriptEntry{}, texts: map[textKey]*textEntry{}}
}

// CacheStats are the counts of script parses saved and done by the latest Check.
type CacheStats struct {
	Entries, Hits, Misses int
}

// Stats reports the size of the cache and the hits and misses of the latest Check.
func (c *Cache) Stats() CacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return CacheStats{Entries: len(c.scripts), Hits: c.hits, Misses: c.misses}
}

// begin starts a Check: it takes the lock, which end releases.
func (c *Cache) begin() {
	c.mu.Lock()
	c.gen++
	c.hits, c.misses = 0, 0
}

// end drops the entries the Check did not use and releases the lock.
func (c *Cache) end() {
	for k, e := range c.scripts {
		if e.gen != c.gen {
			delete(c.scripts, k)
		}
	}
	for k, e := range c.texts {
		if e.gen != c.gen {
			delete(c.texts, k)
		}
	}
	c.mu.Unlock()
}

// scriptEntry is one parsed script and the findings of shell checks over it.
type scriptEntry struct {
	Script *shellcmd.Script
	// hits maps a check key (the rule, or the rule with its parameters) to its findings in
	// script offsets. Only the goroutine running the Check touches it.
	hits map[any][]shellHit
	gen  uint64
}

// hitsFor returns the findings of check over the script, computed once per entry and key.
func (e *scriptEntry) hitsFor(key any, check shellCheck) []shellHit {
	if h, ok := e.hits[key]; ok {
		return h
	}
	var r shellReporter
	check(e.Script, &r)
	if e.hits == nil {
		e.hits = map[any][]shellHit{}
	}
	e.hits[key] = r.hits
	return r.hits
}

// script returns the entry for src parsed with vars, from the cache when there is one.
func (c *Cache) script(kind byte, src string, vars map[string]string) *scriptEntry {
	if c == nil {
		return &scriptEntry{Script: shellcmd.ParseWithVars(src, vars)}
	}
	key := scriptKey(kind, src, vars)
	if e, ok := c.scripts[key]; ok {
		e.gen = c.gen
		c.hits++
		return e
	}
	c.misses++
	e := &scriptEntry{Script: shellcmd.ParseWithVars(src, vars), gen: c.gen}
	c.scripts[key] = e
	return e
}

// scriptKey is the cache key of a script: its kind (shell form, exec form, heredoc), its text
// and the variables passed to the parser, sorted.
func scriptKey(kind byte, src string, vars map[string]string) string {
	n := 2 + len(src)
	keys := make([]string, 0, len(vars))
	for k, v := range vars {
		keys = append(keys, k)
		n += len(k) + len(v) + 2
	}
	sort.Strings(keys)
	var b strings.Builder
	b.Grow(n)
	b.WriteByte(kind)
	b.WriteString(src)
	for _, k := range keys {
		b.WriteByte(0)
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(vars[k])
	}
	return b.String()
}

// referencedVars returns the entries of vars whose names occur as words in src, or in the
// values of the entries taken (a value may be run as a script: sh -c "$CMD"). The shell parser
// only looks variables up by the names it meets, so it sees the same values either way; the
// smaller map makes the parse cheaper and the cache key exact.
func referencedVars(src string, vars map[string]string) map[string]string {
	if len(vars) == 0 {
		return nil
	}
	var out map[string]string
	pending := []string{src}
	for len(pending) > 0 {
		s := pending[len(pending)-1]
		pending = pending[:len(pending)-1]
		for i := 0; i < len(s); {
			if !isNameByte(s[i]) {
				i++
				continue
			}
			j := i
			for j < len(s) && isNameByte(s[j]) {
				j++
			}
			name := s[i:j]
			i = j
			v, ok := vars[name]
			if !ok {
				continue
			}
			if _, done := out[name]; done {
				continue
			}
			if out == nil {
				out = map[string]string{}
			}
			out[name] = v
			pending = append(pending, v)
		}
	}
	return out
}

func isNameByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// textKey names one scan (kind) of one instruction's text.
type textKey struct {
	kind, text string
}

type textEntry struct {
	hits []textHit
	gen  uint64
}

// textHits returns scan(text), from the cache when the same scan of the same text was done by
// the previous Check.
func (c *Cache) textHits(kind, text string, scan func(string) []textHit) []textHit {
	k := textKey{kind, text}
	if e, ok := c.texts[k]; ok {
		e.gen = c.gen
		return e.hits
	}
	h := scan(text)
	c.texts[k] = &textEntry{hits: h, gen: c.gen}
	return h
}

// cacheOf returns the Check's cache, or nil.
func cacheOf(p *analysis.Pass) *Cache {
	c, _ := p.Memo[memoCache].(*Cache)
	return c
}
