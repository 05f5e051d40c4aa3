package rules

import (
	"maps"
	"reflect"
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
	scripts map[scriptSrc][]*scriptEntry
	// texts memoises text scans of single instructions (secret and miner patterns).
	texts map[string]*textEntry
	// offsets memoises mapShell relative to the start of the shell text.
	offsets map[offsetsKey]*offsetsEntry
	// kv memoises the key/value pairs of ENV, ARG and LABEL instructions. Instructions are
	// immutable and an incremental re-parse keeps the unchanged ones, so the pointer is the key.
	kv map[*analysis.Instruction]*kvEntry
	// lastFindings is the number of findings of the latest Check (to size the next result).
	lastFindings int
	// Stats of the latest Check, for tests and debug logs.
	hits, misses int
}

// NewCache returns an empty cache.
func NewCache() *Cache {
	return &Cache{scripts: map[scriptSrc][]*scriptEntry{}, texts: map[string]*textEntry{},
		offsets: map[offsetsKey]*offsetsEntry{}, kv: map[*analysis.Instruction]*kvEntry{}}
}

// CacheStats are the counts of script parses saved and done by the latest Check.
type CacheStats struct {
	Entries, Hits, Misses int
}

// Stats reports the size of the cache and the hits and misses of the latest Check.
func (c *Cache) Stats() CacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, list := range c.scripts {
		n += len(list)
	}
	return CacheStats{Entries: n, Hits: c.hits, Misses: c.misses}
}

// begin starts a Check: it takes the lock, which end releases.
func (c *Cache) begin() {
	c.mu.Lock()
	c.gen++
	c.hits, c.misses = 0, 0
}

// end drops the entries the Check did not use and releases the lock.
func (c *Cache) end() {
	for k, list := range c.scripts {
		kept := list[:0]
		for _, e := range list {
			if e.gen == c.gen {
				kept = append(kept, e)
			}
		}
		if len(kept) == 0 {
			delete(c.scripts, k)
		} else {
			clear(list[len(kept):])
			c.scripts[k] = kept
		}
	}
	for k, e := range c.texts {
		if e.gen != c.gen {
			delete(c.texts, k)
		}
	}
	for k, e := range c.offsets {
		if e.gen != c.gen {
			delete(c.offsets, k)
		}
	}
	for k, e := range c.kv {
		if e.gen != c.gen {
			delete(c.kv, k)
		}
	}
	c.mu.Unlock()
}

// scriptEntry is one parsed script and the findings of shell checks over it.
type scriptEntry struct {
	Script *shellcmd.Script
	vars   map[string]string // the variables it was parsed with
	keep   bool              // whether hitsFor keeps results (the entry is in a Cache)
	// hits holds the findings of each shell check (by slot, see newShellSlot) in script
	// offsets, and done which of them are computed. Only the goroutine running the Check
	// touches them.
	hits [][]shellHit
	done []bool
	gen  uint64
}

// shellSlots numbers the shell checks for scriptEntry.hitsFor.
var shellSlots struct {
	mu    sync.Mutex
	n     int
	byPtr map[uintptr]int
}

// newShellSlot numbers one shell check with its parameters.
func newShellSlot() int {
	shellSlots.mu.Lock()
	defer shellSlots.mu.Unlock()
	shellSlots.n++
	return shellSlots.n - 1
}

// shellSlotOf numbers a shell check by its function, the same number on every call: rules call
// runShell(check) while they run. check must be a top-level function (closures share the
// code pointer).
func shellSlotOf(check shellCheck) int {
	ptr := reflect.ValueOf(check).Pointer()
	shellSlots.mu.Lock()
	defer shellSlots.mu.Unlock()
	if i, ok := shellSlots.byPtr[ptr]; ok {
		return i
	}
	if shellSlots.byPtr == nil {
		shellSlots.byPtr = map[uintptr]int{}
	}
	shellSlots.n++
	shellSlots.byPtr[ptr] = shellSlots.n - 1
	return shellSlots.n - 1
}

// hitsFor returns the findings of check (numbered slot) over the script, computed once per
// entry.
func (e *scriptEntry) hitsFor(slot int, check shellCheck) []shellHit {
	if slot < len(e.done) && e.done[slot] {
		return e.hits[slot]
	}
	var r shellReporter
	check(e.Script, &r)
	if !e.keep {
		return r.hits // a Check without a cache: each rule asks once
	}
	if slot >= len(e.done) {
		n := max(slot+1, 2*len(e.done), 48)
		done := make([]bool, n)
		hits := make([][]shellHit, n)
		copy(done, e.done)
		copy(hits, e.hits)
		e.done, e.hits = done, hits
	}
	e.done[slot], e.hits[slot] = true, r.hits
	return r.hits
}

// scriptSrc is the text of a script and its kind (shell form, exec form, heredoc).
type scriptSrc struct {
	kind byte
	src  string
}

// script returns the entry for src parsed with vars, from the cache when there is one. The
// entries of one text differ by their variables (usually there is one).
func (c *Cache) script(kind byte, src string, vars map[string]string) *scriptEntry {
	if c == nil {
		return &scriptEntry{Script: shellcmd.ParseWithVars(src, vars)}
	}
	k := scriptSrc{kind, src}
	for _, e := range c.scripts[k] {
		if maps.Equal(e.vars, vars) {
			e.gen = c.gen
			c.hits++
			return e
		}
	}
	c.misses++
	// Copies: src and the values may be slices of the document's text, and an entry that
	// outlives this version must not keep the whole old text alive.
	src = strings.Clone(src)
	kept := make(map[string]string, len(vars))
	for name, v := range vars {
		kept[strings.Clone(name)] = strings.Clone(v)
	}
	e := &scriptEntry{Script: shellcmd.ParseWithVars(src, kept), vars: kept, gen: c.gen, keep: true}
	k.src = src
	c.scripts[k] = append(c.scripts[k], e)
	return e
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
	var buf [4]string
	pending := append(buf[:0], src)
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

// textEntry holds the scans of one instruction's text, by kind.
type textEntry struct {
	hits [textKinds][]textHit
	done [textKinds]bool
	gen  uint64
}

// The kinds of text scans.
const (
	textSecret = iota
	textMiner
	textKinds
)

// textHits returns scan(text) for the scan of that kind, from the cache when the previous
// Check did it on the same text.
func (c *Cache) textHits(kind int, text string, scan func(string) []textHit) []textHit {
	e, ok := c.texts[text]
	if !ok {
		// A copy of the text: the key must not keep the whole document version alive. (The
		// hits' messages quote the text; those are new strings.)
		e = &textEntry{}
		c.texts[strings.Clone(text)] = e
	}
	e.gen = c.gen
	if !e.done[kind] {
		e.hits[kind], e.done[kind] = scan(text), true
	}
	return e.hits[kind]
}

// cacheOf returns the Check's cache, or nil.
func cacheOf(p *analysis.Pass) *Cache {
	c, _ := p.Memo[memoCache].(*Cache)
	return c
}

// offsetsKey identifies the source of one shell-form RUN: the text from its shell range to the
// end of that line (mapShell looks at the rest of the last line), the length of the shell range
// in it, the shell text the parser made of it, and the escape character.
type offsetsKey struct {
	raw, shell string
	n          int
	escape     rune
}

type offsetsEntry struct {
	rel []int
	gen uint64
}

// shellOffsets returns mapShell(f, in) minus base (the offset of the shell range's start),
// from the cache when the same source was mapped before.
func (c *Cache) shellOffsets(f *analysis.File, in *analysis.Instruction, base int) []int {
	rangeEnd := posOffset(f, in.ShellRange.End)
	end := rangeEnd
	if nl := strings.IndexByte(f.Text[end:], '\n'); nl >= 0 {
		end += nl + 1
	} else {
		end = len(f.Text)
	}
	if end < base {
		end = base
	}
	k := offsetsKey{raw: f.Text[base:end], shell: in.Shell, n: rangeEnd - base, escape: f.Escape}
	if e, ok := c.offsets[k]; ok {
		e.gen = c.gen
		return e.rel
	}
	rel := mapShell(f, in)
	for i := range rel {
		rel[i] -= base
	}
	k.raw, k.shell = strings.Clone(k.raw), strings.Clone(k.shell)
	c.offsets[k] = &offsetsEntry{rel: rel, gen: c.gen}
	return rel
}

type kvEntry struct {
	kv  []keyValue
	gen uint64
}

// keyValues returns keyValues(in), from the cache when the instruction was seen before.
func (c *Cache) keyValues(in *analysis.Instruction) []keyValue {
	if e, ok := c.kv[in]; ok {
		e.gen = c.gen
		return e.kv
	}
	kv := keyValues(in)
	c.kv[in] = &kvEntry{kv: kv, gen: c.gen}
	return kv
}
