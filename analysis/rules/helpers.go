package rules

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/layerlens/layerlens/analysis"
	"github.com/layerlens/layerlens/analysis/shellcmd"
	"mvdan.cc/sh/v3/syntax"
)

// docURL is the documentation anchor of a rule.
func docURL(name string) string {
	return "https://github.com/layerlens/layerlens/blob/main/docs/rules.md#" + strings.ToLower(name)
}

// offsetPos converts a byte offset of f.Text to a position.
func offsetPos(f *analysis.File, off int) analysis.Pos {
	if off < 0 {
		off = 0
	}
	if off > len(f.Text) {
		off = len(f.Text)
	}
	i := sort.Search(len(f.LineStarts), func(i int) bool { return f.LineStarts[i] > off }) - 1
	if i < 0 {
		i = 0
	}
	start := 0
	if i < len(f.LineStarts) {
		start = f.LineStarts[i]
	}
	return analysis.Pos{Line: i, Col: off - start}
}

// posOffset converts a position to a byte offset of f.Text (clamped).
func posOffset(f *analysis.File, p analysis.Pos) int {
	if p.Line < 0 {
		return 0
	}
	if p.Line >= len(f.LineStarts) {
		return len(f.Text)
	}
	o := f.LineStarts[p.Line] + p.Col
	if o > len(f.Text) {
		o = len(f.Text)
	}
	if o < 0 {
		o = 0
	}
	return o
}

// rangeText returns the source text of r.
func rangeText(f *analysis.File, r analysis.Range) string {
	a, b := posOffset(f, r.Start), posOffset(f, r.End)
	if a > b {
		return ""
	}
	return f.Text[a:b]
}

// lineRange is the range of line i without its newline.
func lineRange(f *analysis.File, i int) analysis.Range {
	start := posOffset(f, analysis.Pos{Line: i})
	end := len(f.Text)
	if i+1 < len(f.LineStarts) {
		end = f.LineStarts[i+1]
	}
	for end > start && (f.Text[end-1] == '\n' || f.Text[end-1] == '\r') {
		end--
	}
	return analysis.Range{Start: offsetPos(f, start), End: offsetPos(f, end)}
}

// headRange is the range of the first line of an instruction (keyword to end of line), used to
// report on an instruction as a whole without underlining a long heredoc.
func headRange(f *analysis.File, in *analysis.Instruction) analysis.Range {
	lr := lineRange(f, in.Range.Start.Line)
	r := analysis.Range{Start: in.Range.Start, End: lr.End}
	if in.Range.End.Before(r.End) {
		r.End = in.Range.End
	}
	return r
}

// argsRange covers all arguments of an instruction, or its head when it has none.
func argsRange(f *analysis.File, in *analysis.Instruction) analysis.Range {
	if len(in.Args) == 0 {
		return headRange(f, in)
	}
	return analysis.Range{Start: in.Args[0].Range.Start, End: in.Args[len(in.Args)-1].Range.End}
}

// allInstructions returns every instruction including ONBUILD triggers.
func allInstructions(f *analysis.File) []*analysis.Instruction {
	out := make([]*analysis.Instruction, 0, len(f.Instructions))
	for _, in := range f.Instructions {
		out = append(out, in)
		if in.Sub != nil {
			out = append(out, in.Sub)
		}
	}
	return out
}

// byCmd returns the instructions (ONBUILD triggers included) whose Cmd is one of cmds.
func byCmd(f *analysis.File, cmds ...string) []*analysis.Instruction {
	var out []*analysis.Instruction
	match := func(in *analysis.Instruction) {
		for _, c := range cmds {
			if in.Cmd == c {
				out = append(out, in)
				return
			}
		}
	}
	// The same order as allInstructions, without building that list on every call.
	for _, in := range f.Instructions {
		match(in)
		if in.Sub != nil {
			match(in.Sub)
		}
	}
	return out
}

// flag returns the flag of an instruction by name.
func flagOf(in *analysis.Instruction, name string) *analysis.Flag {
	for _, fl := range in.Flags {
		if strings.EqualFold(fl.Name, name) {
			return fl
		}
	}
	return nil
}

// unquote strips one pair of matching quotes.
func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}

// keyValues splits ENV/LABEL/ARG arguments into key=value pairs. Legacy "ENV key value" form
// gives one pair with the rest as value. Each pair keeps the range of its argument(s).
type keyValue struct {
	Key, Value string
	HasValue   bool
	Range      analysis.Range
	Legacy     bool
}

func keyValues(in *analysis.Instruction) []keyValue {
	if len(in.Args) == 0 {
		return nil
	}
	if !strings.Contains(in.Args[0].Value, "=") && (in.Cmd == "ENV" || in.Cmd == "LABEL") && len(in.Args) > 1 {
		var vals []string
		for _, a := range in.Args[1:] {
			vals = append(vals, a.Value)
		}
		return []keyValue{{Key: in.Args[0].Value, Value: unquote(strings.Join(vals, " ")), HasValue: true, Legacy: true,
			Range: analysis.Range{Start: in.Args[0].Range.Start, End: in.Args[len(in.Args)-1].Range.End}}}
	}
	var out []keyValue
	for _, a := range in.Args {
		k, v, ok := strings.Cut(a.Value, "=")
		out = append(out, keyValue{Key: unquote(k), Value: unquote(v), HasValue: ok, Range: a.Range})
	}
	return out
}

// --- shell scripts of RUN instructions ---

// runScript is the parsed shell command of one RUN instruction (or an ONBUILD RUN).
type runScript struct {
	Inst   *analysis.Instruction
	Script *shellcmd.Script
	// entry holds the script and the findings of shell checks over it, possibly shared with
	// earlier Checks through a Cache.
	entry *scriptEntry
	// offs maps offsets of Script.Src to offsets of the Dockerfile text (plus base); for shell
	// form it is computed on first use (most scripts report nothing), and with a cache it is
	// kept relative to the instruction's shell text, shared by the versions of the document.
	offs []int
	base int
	lazy func() []int
}

// Range converts a script offset range to a source range.
func (r *runScript) Range(f *analysis.File, start, end int) analysis.Range {
	a, b := r.srcOff(start), r.srcOff(end)
	if b < a {
		b = a // recovered parses can leave an end before the start
	}
	return analysis.Range{Start: offsetPos(f, a), End: offsetPos(f, b)}
}

func (r *runScript) srcOff(o int) int {
	if r.offs == nil && r.lazy != nil {
		r.offs = r.lazy()
	}
	if len(r.offs) == 0 {
		return 0
	}
	if o < 0 {
		o = 0
	}
	if o >= len(r.offs) {
		o = len(r.offs) - 1
	}
	return r.base + r.offs[o]
}

// CmdRange is the source range of a command.
func (r *runScript) CmdRange(f *analysis.File, c *shellcmd.Command) analysis.Range {
	return r.Range(f, c.Start, c.End)
}

// WordRange is the source range of a word.
func (r *runScript) WordRange(f *analysis.File, w shellcmd.Word) analysis.Range {
	return r.Range(f, w.Start, w.End)
}

// nonPosixShell reports whether a SHELL instruction (or the base image's shell) makes RUN lines
// something other than a POSIX shell (PowerShell, cmd).
func nonPosixShell(args []string) bool {
	if len(args) == 0 {
		return false
	}
	n := strings.ToLower(args[0])
	n = n[strings.LastIndexAny(n, `/\`)+1:]
	n = strings.TrimSuffix(n, ".exe")
	return n == "powershell" || n == "pwsh" || n == "cmd"
}

// scripts returns the parsed RUN scripts of the file, memoised for the run. RUN lines in a stage
// whose SHELL is PowerShell or cmd are left out: they are not POSIX shell.
func scripts(p *analysis.Pass) []*runScript {
	if v, ok := p.Memo["scripts"].([]*runScript); ok {
		return v
	}
	f := p.File
	cache, _ := p.Memo[memoCache].(*Cache)
	var out []*runScript
	stageShell := map[int][]string{}
	for i, fact := range p.Facts {
		if fact != nil && len(fact.Shell) > 0 {
			stageShell[i] = fact.Shell
		}
	}
	// Variables known to each RUN: the stage's ENV and ARG values so far (an ARG without a
	// value takes the global default), when they are literal.
	global := globalArgs(f)
	vars := map[int]map[string]string{}
	for _, in := range f.Instructions {
		if in.Stage >= 0 && (in.Cmd == "ENV" || in.Cmd == "ARG") {
			m := vars[in.Stage]
			if m == nil {
				m = map[string]string{}
				vars[in.Stage] = m
			}
			for _, kv := range kvOf(p, in) {
				v, ok := kv.Value, kv.HasValue
				if !ok && in.Cmd == "ARG" {
					v, ok = global[kv.Key]
				}
				if ok && v != "\x00" && !strings.Contains(v, "$") {
					m[kv.Key] = v
				} else {
					delete(m, kv.Key)
				}
			}
		}
		if in.Cmd == "SHELL" && in.JSON {
			var a []string
			for _, x := range in.Args {
				a = append(a, x.Value)
			}
			stageShell[in.Stage] = a
		}
		run := in
		if in.Cmd == "ONBUILD" && in.Sub != nil {
			run = in.Sub
		}
		if run.Cmd != "RUN" || nonPosixShell(stageShell[in.Stage]) {
			continue
		}
		if rs := parseRun(f, run, vars[in.Stage], cache); rs != nil {
			out = append(out, rs)
		}
	}
	if p.Memo != nil {
		p.Memo["scripts"] = out
	}
	return out
}

// parseRun parses the command of one RUN instruction; vars are the variables known to hold
// literal values (only those the script refers to reach the parser). With a cache, a script
// already parsed with the same text and values is reused.
func parseRun(f *analysis.File, in *analysis.Instruction, vars map[string]string, cache *Cache) *runScript {
	parse := func(rs *runScript, kind byte, src string) {
		rs.entry = cache.script(kind, src, referencedVars(src, vars))
		rs.Script = rs.entry.Script
	}
	if in.JSON {
		// Exec form: quote each element and join, mapping every offset to its element.
		var b strings.Builder
		var offs []int
		for i, a := range in.Args {
			if i > 0 {
				b.WriteByte(' ')
				offs = append(offs, posOffset(f, a.Range.Start))
			}
			q, err := syntax.Quote(a.Value, syntax.LangBash)
			if err != nil {
				q = "''"
			}
			st := posOffset(f, a.Range.Start)
			en := posOffset(f, a.Range.End)
			for j := 0; j < len(q); j++ {
				o := st + j
				if o > en {
					o = en
				}
				offs = append(offs, o)
			}
			b.WriteString(q)
		}
		offs = append(offs, posOffset(f, argsRange(f, in).End))
		rs := &runScript{Inst: in, offs: offs}
		parse(rs, 'J', b.String())
		return rs
	}
	src := in.Shell
	rs := &runScript{Inst: in}
	trimmed := strings.TrimSpace(src)
	if len(in.Heredocs) > 0 && (strings.HasPrefix(trimmed, "<<") || startsWithShell(trimmed)) {
		// "RUN <<EOF" runs the body as the script; "RUN bash <<EOF" feeds it to a shell. Join
		// the command line (when it is not just the heredoc) and the bodies into one script,
		// mapping body offsets to the body lines.
		var b strings.Builder
		var m []int
		if !strings.HasPrefix(trimmed, "<<") {
			b.WriteString(src)
			m = append(m, mapShell(f, in)[:len(src)]...)
		}
		for _, h := range in.Heredocs {
			start := posOffset(f, h.BodyRange.Start)
			end := posOffset(f, h.BodyRange.End)
			if b.Len() > 0 {
				b.WriteByte('\n')
				m = append(m, start)
			}
			for j := 0; j < len(h.Body); j++ {
				m = append(m, min(start+j, end))
			}
			b.WriteString(h.Body)
		}
		m = append(m, posOffset(f, in.Range.End))
		parse(rs, 'H', b.String())
		rs.offs = m
		return rs
	}
	parse(rs, 'S', src)
	if cache == nil {
		rs.lazy = func() []int { return mapShell(f, in) }
		return rs
	}
	rs.base = posOffset(f, in.ShellRange.Start)
	rs.lazy = func() []int { return cache.shellOffsets(f, in, rs.base) }
	return rs
}

func startsWithShell(s string) bool {
	word, _, _ := strings.Cut(s, " ")
	word = word[strings.LastIndexByte(word, '/')+1:]
	return shellcmd.IsShell(word)
}

// mapShell maps each byte offset of in.Shell (plus one past the end) to an offset of f.Text.
// Shell is the source from ShellRange with line continuations (escape + newline) and comment
// lines inside the continuation removed, so it is a subsequence of the source: walk both,
// skipping what the parser dropped.
func mapShell(f *analysis.File, in *analysis.Instruction) []int {
	sh := in.Shell
	offs := make([]int, len(sh)+1)
	i := posOffset(f, in.ShellRange.Start)
	end := posOffset(f, in.ShellRange.End)
	src := f.Text
	esc := byte('\\')
	if f.Escape == '`' {
		esc = '`'
	}
	for j := 0; j < len(sh); j++ {
		for i < end && src[i] != sh[j] {
			if src[i] == esc && restBlank(src, i+1) {
				i = skipContinuation(src, i, end)
				continue
			}
			i++
		}
		if i < end && src[i] == esc && sh[j] == esc && restBlank(src, i+1) {
			// The escape in the source is a continuation; the shell's byte comes later.
			i = skipContinuation(src, i, end)
			j--
			continue
		}
		if i > end {
			i = end
		}
		offs[j] = i
		if i < end {
			i++
		}
	}
	offs[len(sh)] = i
	if len(sh) > 0 && offs[len(sh)-1] < end {
		offs[len(sh)] = offs[len(sh)-1] + 1
	}
	return offs
}

// restBlank reports whether the line from i on is blank up to its newline (and has one).
func restBlank(s string, i int) bool {
	for ; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\r':
		case '\n':
			return true
		default:
			return false
		}
	}
	return false
}

// skipContinuation skips from an escape at i past its newline and any following comment lines.
func skipContinuation(s string, i, end int) int {
	nl := strings.IndexByte(s[i:], '\n')
	if nl < 0 {
		return end
	}
	i += nl + 1
	for i < end {
		j := i
		for j < end && (s[j] == ' ' || s[j] == '\t') {
			j++
		}
		if j < end && s[j] == '#' {
			nl := strings.IndexByte(s[j:], '\n')
			if nl < 0 {
				return end
			}
			i = j + nl + 1
			continue
		}
		break
	}
	return i
}

// shellCheck is a rule body over one shell script, shared by RUN instructions and image history
// commands (see CheckCommand). It reports through r.
type shellCheck func(s *shellcmd.Script, r *shellReporter)

// shellReporter collects findings of a shellCheck with script offsets.
type shellReporter struct {
	hits []shellHit
}

type shellHit struct {
	Start, End int
	Severity   analysis.Severity // 0 = the rule's default
	Message    string
	Fixes      []scriptFix
}

// scriptFix is a fix expressed as script-offset edits.
type scriptFix struct {
	Title string
	Edits []scriptEdit
}

type scriptEdit struct {
	Start, End int
	NewText    string
}

func (r *shellReporter) at(start, end int, format string, args ...any) *shellHit {
	r.hits = append(r.hits, shellHit{Start: start, End: end, Message: fmt.Sprintf(format, args...)})
	return &r.hits[len(r.hits)-1]
}

func (r *shellReporter) cmd(c *shellcmd.Command, format string, args ...any) *shellHit {
	return r.at(c.Start, c.End, format, args...)
}

func (r *shellReporter) word(w shellcmd.Word, format string, args ...any) *shellHit {
	return r.at(w.Start, w.End, format, args...)
}

// runShell adapts a shellCheck (a top-level function) to a rule body over every RUN script.
func runShell(check shellCheck) func(*analysis.Pass) {
	slot := shellSlotOf(check)
	return func(p *analysis.Pass) {
		for _, rs := range scripts(p) {
			for _, h := range rs.entry.hitsFor(slot, check) {
				fd := analysis.Finding{Severity: h.Severity, Message: h.Message, Range: rs.Range(p.File, h.Start, h.End)}
				for _, fx := range h.Fixes {
					out := analysis.Fix{Title: fx.Title}
					for _, e := range fx.Edits {
						out.Edits = append(out.Edits, analysis.TextEdit{Range: rs.Range(p.File, e.Start, e.End), NewText: e.NewText})
					}
					// A fix is only safe when its edits land in the source unchanged: the
					// command must not come from an exec-form array or a quoted inner script.
					if !rs.Inst.JSON && fixMaps(p.File, rs, fx) {
						fd.Fixes = append(fd.Fixes, out)
					}
				}
				p.Report(fd)
			}
		}
	}
}

// fixMaps checks that each edit's replaced text is the same in the script and the source.
func fixMaps(f *analysis.File, rs *runScript, fx scriptFix) bool {
	for _, e := range fx.Edits {
		if e.Start < 0 || e.End > len(rs.Script.Src) || e.Start > e.End {
			return false
		}
		want := rs.Script.Src[e.Start:e.End]
		got := rangeText(f, rs.Range(f, e.Start, e.End))
		if got != want {
			return false
		}
	}
	return true
}

// installs reports the package operands of an install command for the package managers we know:
// manager name, and the operands that are package names.
type installCmd struct {
	Manager string // apt-get, apt, apk, pip, npm, gem, yum, dnf, microdnf, zypper, go, yarn
	Cmd     *shellcmd.Command
	Pkgs    []shellcmd.Word
}

// packageInstalls finds the package installations of a script (memoised on the script).
func packageInstalls(s *shellcmd.Script) []installCmd {
	if v, ok := s.Memo["installs"].([]installCmd); ok {
		return v
	}
	out := findInstalls(s)
	if s.Memo != nil {
		s.Memo["installs"] = out
	}
	return out
}

func findInstalls(s *shellcmd.Script) []installCmd {
	var out []installCmd
	for _, c := range s.Commands {
		name := c.Name
		switch {
		case name == "apt-get" || name == "apt" || name == "aptitude":
			if sub := c.Sub("-o", "-t", "-c"); sub == "install" {
				out = append(out, installCmd{name, c, pkgs(c, 1, "-o", "-t", "-c")})
			}
		case name == "apk":
			if c.Sub("-X", "--repository", "-t", "--virtual", "-p", "--root") == "add" {
				out = append(out, installCmd{name, c, pkgs(c, 1, "-X", "--repository", "-t", "--virtual", "-p", "--root")})
			}
		case name == "yum" || name == "dnf" || name == "microdnf" || name == "tdnf":
			if sub := c.Sub("--setopt", "--enablerepo", "--disablerepo", "-c"); sub == "install" || sub == "groupinstall" {
				out = append(out, installCmd{name, c, pkgs(c, 1, "--setopt", "--enablerepo", "--disablerepo", "-c")})
			}
		case name == "zypper":
			if sub := c.Sub(); sub == "install" || sub == "in" {
				out = append(out, installCmd{name, c, pkgs(c, 1)})
			}
		case strings.HasPrefix(name, "pip") || (strings.HasPrefix(name, "python") && len(c.Args) > 2 && c.Args[1].Value == "-m" && strings.HasPrefix(c.Args[2].Value, "pip")):
			cc := c
			if strings.HasPrefix(name, "python") {
				cc = &shellcmd.Command{Name: "pip", Args: c.Args[2:], Start: c.Start, End: c.End}
			}
			if cc.Sub("-r", "--requirement", "-c", "--constraint", "-i", "--index-url", "--extra-index-url", "--trusted-host", "-t", "--target", "--prefix", "-e", "--editable", "-f", "--find-links") == "install" {
				out = append(out, installCmd{"pip", c, pkgs(cc, 1, "-r", "--requirement", "-c", "--constraint", "-i", "--index-url", "--extra-index-url", "--trusted-host", "-t", "--target", "--prefix", "-e", "--editable", "-f", "--find-links")})
			}
		case name == "npm":
			if sub := c.Sub("--prefix"); sub == "install" || sub == "i" || sub == "add" {
				out = append(out, installCmd{name, c, pkgs(c, 1, "--prefix")})
			}
		case name == "yarn":
			if sub := c.Sub(); sub == "add" || (sub == "global" && len(c.Operands()) > 1 && c.Operands()[1].Value == "add") {
				skip := 1
				if sub == "global" {
					skip = 2
				}
				out = append(out, installCmd{name, c, pkgs(c, skip)})
			}
		case name == "gem":
			if c.Sub() == "install" {
				out = append(out, installCmd{name, c, pkgs(c, 1, "-v", "--version", "-i", "--install-dir", "-n", "--bindir", "--source")})
			}
		case name == "go":
			if c.Sub() == "install" || c.Sub() == "get" {
				out = append(out, installCmd{name, c, pkgs(c, 1, "-o", "-tags", "-ldflags", "-gcflags")})
			}
		}
	}
	return out
}

// pkgs returns operands after the first skip operands (the subcommand).
func pkgs(c *shellcmd.Command, skip int, valued ...string) []shellcmd.Word {
	ops := c.Operands(valued...)
	if len(ops) <= skip {
		return nil
	}
	return ops[skip:]
}

func isWordByte(b byte) bool {
	return b == '_' || b == '-' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}

func equalFold(a, b string) bool { return strings.EqualFold(a, b) }

// exposePort is one EXPOSE argument split into its parts.
type exposePort struct {
	Arg        *analysis.Arg
	Ports      string // "80" or "8000-8010"
	Proto      string // as typed, "" when absent
	IP, Host   string // set for the invalid "ip:host:container" / "host:container" forms
	HasVar     bool
	Low, High  int
	NumericErr bool
}

func exposePorts(in *analysis.Instruction) []exposePort {
	var out []exposePort
	for _, a := range in.Args {
		v := unquote(a.Value)
		e := exposePort{Arg: a, HasVar: strings.Contains(v, "$")}
		if i := strings.IndexByte(v, '/'); i >= 0 {
			e.Proto = v[i+1:]
			v = v[:i]
		}
		parts := strings.Split(v, ":")
		switch len(parts) {
		case 2:
			e.Host = parts[0]
		case 3:
			e.IP, e.Host = parts[0], parts[1]
		}
		e.Ports = parts[len(parts)-1]
		lo, hi, ok := strings.Cut(e.Ports, "-")
		if !ok {
			hi = lo
		}
		var err1, err2 error
		e.Low, err1 = strconv.Atoi(lo)
		e.High, err2 = strconv.Atoi(hi)
		e.NumericErr = err1 != nil || err2 != nil
		out = append(out, e)
	}
	return out
}

// pkgName strips a version ("curl=7.1", "flask==2.0", "left-pad@1") from a package operand.
func pkgName(s string) string {
	for _, sep := range []string{"==", ">=", "<=", "~=", "!=", "=", "@", ">", "<"} {
		if i := strings.Index(s, sep); i > 0 {
			s = s[:i]
		}
	}
	return strings.ToLower(s)
}

// kvOf is keyValues memoised for the run (many rules read the same ENV, ARG and LABEL lines).
func kvOf(p *analysis.Pass, in *analysis.Instruction) []keyValue {
	if p.Memo == nil {
		return keyValues(in)
	}
	m, _ := p.Memo["kv"].(map[*analysis.Instruction][]keyValue)
	if m == nil {
		m = map[*analysis.Instruction][]keyValue{}
		p.Memo["kv"] = m
	}
	kv, ok := m[in]
	if !ok {
		if c := cacheOf(p); c != nil {
			kv = c.keyValues(in)
		} else {
			kv = keyValues(in)
		}
		m[in] = kv
	}
	return kv
}
