// Package shellcmd understands the shell commands of RUN instructions and image history entries.
//
// Its principal types are [Script] (the result of [Parse]) and [Command] (one simple command, with
// its arguments as [Word]s). Parsing uses mvdan.cc/sh/v3, so pipes, "&&" chains, subshells,
// command substitutions, "sh -c" strings, here-documents, quoting and line continuations are
// understood rather than matched with regular expressions. Wrappers such as sudo, env, nohup and
// exec are stripped so that Command.Name is the program that really runs.
//
// Offsets in this package are byte offsets into the text given to [Parse]. The package does no
// I/O and never panics on any input.
package shellcmd

import (
	"fmt"
	"path"
	"strings"
	"sync"

	"mvdan.cc/sh/v3/syntax"
)

// Word is one argument of a command.
type Word struct {
	// Value is the word with quotes removed; parameter expansions are rendered as ${NAME} and
	// command substitutions as $(...).
	Value string
	// Literal reports that the word contains no expansion at all.
	Literal    bool
	Start, End int
}

// Redirect is one redirection of a command, such as ">> /root/.ssh/authorized_keys".
type Redirect struct {
	Op     string // ">", ">>", "<", "<<", "<<<", ...
	Target Word   // the file (or here-string); empty for here-documents
	// Heredoc is the body of a here-document redirection.
	Heredoc string
}

// Command is one simple command.
type Command struct {
	// Name is the base name of the program (Args[0] without its directory), lower-cased
	// ("/usr/bin/curl" -> "curl"). Empty when the command is only assignments.
	Name string
	// Args are the words of the command after any wrappers; Args[0] is the program as written.
	Args []Word
	// Assigns are the "NAME=value" prefixes (also from an env wrapper), as "NAME=value".
	Assigns []string
	// Wrappers lists the wrapper programs that were stripped, outermost first (sudo, env,
	// nohup, exec, ...).
	Wrappers   []string
	Start, End int
	// Pipeline holds every command of the pipeline this command is part of, in order, and
	// PipeIndex is this command's place in it. A command that is not piped is alone in its
	// pipeline.
	Pipeline  []*Command
	PipeIndex int
	Redirs    []Redirect
	// Background reports a trailing "&".
	Background bool
	// Nested reports that the command runs inside a command or process substitution
	// ("$(curl ...)", "<(curl ...)"), and Parent is the command whose argument holds it (nil
	// when the substitution is in an assignment or redirection).
	Nested bool
	Parent *Command
	// Inner reports that the command came from a string run by another shell ("sh -c '...'",
	// "su -c", "eval").
	Inner bool
}

// Script is a parsed shell script.
type Script struct {
	Src string
	// Commands are all simple commands in source order, including those in substitutions,
	// in "sh -c" strings and in the bodies of here-documents fed to a shell.
	Commands []*Command
	// Vars are the literal values of variables known when the script runs (seeded by the
	// caller, for example from the Dockerfile's ENV and ARG defaults) and assigned by the script
	// itself ("URL=http://x; curl $URL"). Words render a simple "$NAME" or "${NAME}" with its
	// value when it is known here, so that a variable does not hide what a command does.
	Vars map[string]string
	// Memo holds results that callers derive from the script and want to compute once (for
	// example the package installs several rules look at), keyed by a name of their choosing.
	Memo map[string]any
	// Err is the parse error, if any; the commands before and around it are still listed (the
	// parser recovers), and a text that cannot be parsed at all falls back to a simple split on
	// operators and blanks.
	Err error
}

// Parse parses src as a bash script. It never panics: should the shell parser or the walk fail
// on some input, the text is split on operators instead.
func Parse(src string) *Script { return ParseWithVars(src, nil) }

// ParseWithVars parses src with the variables in vars known to hold those values (the map is
// copied, not changed).
func ParseWithVars(src string, vars map[string]string) (s *Script) {
	s = &Script{Src: src, Memo: map[string]any{}, Vars: make(map[string]string, len(vars))}
	for k, v := range vars {
		s.Vars[k] = v
	}
	defer func() {
		if e := recover(); e != nil {
			s = &Script{Src: src, Memo: map[string]any{}, Vars: map[string]string{}, Err: fmt.Errorf("shell parser failed: %v", e)}
			s.fallback(src, 0, len(src), false)
		}
	}()
	s.parseInto(src, 0, len(src), false)
	return s
}

// maxDepth bounds the recursion into "sh -c" strings.
const maxDepth = 4

// parseInto parses src, mapping offsets by adding base and clamping to limit, and appends the
// commands to s.
func (s *Script) parseInto(src string, base, limit int, inner bool) {
	s.parseDepth(src, base, limit, inner, 0)
}

// parsers reuses shell parsers: making one allocates more than parsing a typical RUN line.
var parsers = sync.Pool{New: func() any {
	return syntax.NewParser(syntax.Variant(syntax.LangBash), syntax.RecoverErrors(8))
}}

func (s *Script) parseDepth(src string, base, limit int, inner bool, depth int) {
	p := parsers.Get().(*syntax.Parser)
	f, err := p.Parse(strings.NewReader(src), "")
	parsers.Put(p)
	if err != nil && s.Err == nil && depth == 0 {
		s.Err = err
	}
	if f == nil || (err != nil && len(f.Stmts) == 0) {
		s.fallback(src, base, limit, inner)
		return
	}
	w := walker{s: s, src: src, base: base, limit: limit, inner: inner, depth: depth}
	for _, st := range f.Stmts {
		w.stmt(st, nil, false)
	}
}

type walker struct {
	s           *Script
	src         string
	base, limit int
	inner       bool
	depth       int
}

func (w *walker) off(p syntax.Pos) int {
	if !p.IsValid() || p.IsRecovered() {
		return w.base
	}
	o := w.base + int(p.Offset())
	if o > w.limit {
		o = w.limit
	}
	return o
}

// stmt walks one statement; parent is the command whose argument contains it (for
// substitutions), nested reports that it runs in a substitution.
func (w *walker) stmt(st *syntax.Stmt, parent *Command, nested bool) {
	if st == nil {
		return
	}
	var pipe []*Command
	w.command(st, parent, nested, &pipe)
}

// command walks st; when st is part of a pipeline, the simple commands found are appended to
// *pipe so that they share one Pipeline slice.
func (w *walker) command(st *syntax.Stmt, parent *Command, nested bool, pipe *[]*Command) {
	if st == nil || st.Cmd == nil {
		// The parser's error recovery leaves statements without a command.
		if st != nil {
			w.redirs(st, parent, nested, nil)
		}
		return
	}
	switch c := st.Cmd.(type) {
	case *syntax.BinaryCmd:
		if c.Op == syntax.Pipe || c.Op == syntax.PipeAll {
			var p []*Command
			w.pipeline(c, parent, nested, &p)
			for i, cmd := range p {
				cmd.Pipeline = p
				cmd.PipeIndex = i
			}
			w.redirs(st, parent, nested, nil)
			return
		}
		w.stmt(c.X, parent, nested)
		w.stmt(c.Y, parent, nested)
	case *syntax.DeclClause:
		// export/readonly/declare/local are parsed as declarations; present them as a command
		// ("export", "K=V", ...) like any other, so that rules and variable tracking see them.
		call := &syntax.CallExpr{}
		if c.Variant != nil {
			call.Args = append(call.Args, &syntax.Word{Parts: []syntax.WordPart{c.Variant}})
		}
		for _, a := range c.Args {
			if a.Name == nil {
				if a.Value != nil {
					call.Args = append(call.Args, a.Value)
				}
				continue
			}
			parts := []syntax.WordPart{&syntax.Lit{ValuePos: a.Name.ValuePos, ValueEnd: a.Name.ValueEnd, Value: a.Name.Value}}
			if !a.Naked {
				parts[0].(*syntax.Lit).Value += "="
				if a.Value != nil {
					parts = append(parts, a.Value.Parts...)
				}
			}
			call.Args = append(call.Args, &syntax.Word{Parts: parts})
		}
		cmd := w.call(call, st, parent, nested)
		if cmd != nil {
			if pipe != nil {
				*pipe = append(*pipe, cmd)
			}
			cmd.Pipeline = []*Command{cmd}
		}
	case *syntax.CallExpr:
		cmd := w.call(c, st, parent, nested)
		if cmd != nil {
			if pipe != nil {
				*pipe = append(*pipe, cmd)
			}
			cmd.Pipeline = []*Command{cmd}
		}
	default:
		// Compound commands: walk every statement and word inside.
		syntax.Walk(st.Cmd, func(n syntax.Node) bool {
			if s, ok := n.(*syntax.Stmt); ok {
				w.stmt(s, parent, nested)
				return false
			}
			return !w.subst(n, parent)
		})
		w.redirs(st, parent, nested, nil)
	}
}

func (w *walker) pipeline(b *syntax.BinaryCmd, parent *Command, nested bool, p *[]*Command) {
	for _, side := range []*syntax.Stmt{b.X, b.Y} {
		if side == nil {
			continue
		}
		if bc, ok := side.Cmd.(*syntax.BinaryCmd); ok && (bc.Op == syntax.Pipe || bc.Op == syntax.PipeAll) {
			w.pipeline(bc, parent, nested, p)
			continue
		}
		if call, ok := side.Cmd.(*syntax.CallExpr); ok {
			if cmd := w.call(call, side, parent, nested); cmd != nil {
				*p = append(*p, cmd)
			}
			continue
		}
		// A compound stage of a pipeline ("curl x | (cd /; sh)"): its commands count as
		// pipeline members so that "piped to a shell" is still seen.
		before := len(w.s.Commands)
		w.command(side, parent, nested, nil)
		*p = append(*p, w.s.Commands[before:]...)
	}
}

// redirs walks the substitutions inside the redirections of a statement.
func (w *walker) redirs(st *syntax.Stmt, parent *Command, nested bool, cmd *Command) {
	for _, r := range st.Redirs {
		if r.Word != nil {
			w.substs(r.Word, nil)
		}
		if cmd != nil {
			rd := Redirect{Op: r.Op.String()}
			if r.Word != nil {
				rd.Target = w.word(r.Word)
			}
			if r.Hdoc != nil {
				rd.Heredoc = w.word(r.Hdoc).Value
			}
			cmd.Redirs = append(cmd.Redirs, rd)
		}
	}
}

// substs walks the command and process substitutions inside a word.
func (w *walker) substs(word *syntax.Word, parent *Command) {
	syntax.Walk(word, func(n syntax.Node) bool { return !w.subst(n, parent) })
}

// subst walks the statements of n as nested commands when n is a command or process
// substitution ("$(...)", "<(...)"), and reports whether it was one.
func (w *walker) subst(n syntax.Node, parent *Command) bool {
	var stmts []*syntax.Stmt
	switch n := n.(type) {
	case *syntax.CmdSubst:
		stmts = n.Stmts
	case *syntax.ProcSubst:
		stmts = n.Stmts
	default:
		return false
	}
	for _, s := range stmts {
		w.stmt(s, parent, true)
	}
	return true
}

func (w *walker) call(c *syntax.CallExpr, st *syntax.Stmt, parent *Command, nested bool) *Command {
	cmd := &Command{
		Start:      w.off(st.Pos()),
		End:        w.off(st.End()),
		Background: st.Background,
		Nested:     nested,
		Parent:     parent,
		Inner:      w.inner,
	}
	for _, a := range c.Assigns {
		if a.Name == nil {
			continue
		}
		v := a.Name.Value + "="
		if a.Value != nil {
			v += w.word(a.Value).Value
			w.substs(a.Value, nil)
		}
		cmd.Assigns = append(cmd.Assigns, v)
	}
	if cmd.End < cmd.Start {
		cmd.End = cmd.Start
	}
	args := make([]Word, 0, len(c.Args))
	for _, a := range c.Args {
		args = append(args, w.word(a))
	}
	cmd.Args, cmd.Wrappers, cmd.Assigns = unwrap(args, cmd.Assigns)
	if len(cmd.Args) > 0 {
		cmd.Name = strings.ToLower(path.Base(cmd.Args[0].Value))
	}
	w.assign(cmd, c)
	// Append before walking substitutions so that Commands stays in source order: the outer
	// command first, then what its arguments run.
	w.s.Commands = append(w.s.Commands, cmd)
	w.redirs(st, parent, nested, cmd)
	for _, a := range c.Args {
		w.substs(a, cmd)
	}
	w.innerScripts(cmd, c)
	return cmd
}

// assign records the variables a command sets for the rest of the script: plain assignments
// ("URL=http://x") and export/readonly/declare arguments. Only values without expansions that
// are still unknown count; anything else forgets the variable.
func (w *walker) assign(cmd *Command, c *syntax.CallExpr) {
	if w.s.Vars == nil {
		return
	}
	set := func(kv string, literal bool) {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return
		}
		if literal && !strings.Contains(v, "${") {
			w.s.Vars[k] = v
		} else {
			delete(w.s.Vars, k)
		}
	}
	if len(c.Args) == 0 {
		for _, a := range c.Assigns {
			if a.Name == nil {
				continue
			}
			val := ""
			lit := true
			if a.Value != nil {
				wd := w.word(a.Value)
				val, lit = wd.Value, wd.Literal
			}
			set(a.Name.Value+"="+val, lit)
		}
		return
	}
	switch cmd.Name {
	case "export", "readonly", "declare", "local", "typeset":
		for _, a := range cmd.Args[1:] {
			if !strings.HasPrefix(a.Value, "-") {
				set(a.Value, a.Literal)
			}
		}
	case "unset":
		for _, a := range cmd.Args[1:] {
			delete(w.s.Vars, a.Value)
		}
	}
}

// innerScripts parses the string of "sh -c STRING", "su -c STRING", "eval STRING" and
// here-documents fed to a shell, as scripts of their own.
func (w *walker) innerScripts(cmd *Command, c *syntax.CallExpr) {
	if w.depth >= maxDepth {
		return
	}
	if IsShell(cmd.Name) || cmd.Name == "su" {
		for i := 1; i < len(cmd.Args); i++ {
			a := cmd.Args[i].Value
			if a == "-c" || (strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--") && strings.HasSuffix(a, "c") && cmd.Name != "su") {
				if i+1 < len(cmd.Args) {
					w.innerWord(cmd.Args[i+1])
				}
				break
			}
		}
		if IsShell(cmd.Name) {
			for _, r := range cmd.Redirs {
				if (r.Op == "<<" || r.Op == "<<-") && r.Heredoc != "" {
					w.s.parseDepth(r.Heredoc, cmd.Start, cmd.End, true, w.depth+1)
				}
			}
		}
	}
	if cmd.Name == "eval" && len(cmd.Args) > 1 {
		var parts []string
		for _, a := range cmd.Args[1:] {
			if !a.Literal {
				return // "eval $(...)": the substitution was walked already
			}
			parts = append(parts, a.Value)
		}
		joined := strings.Join(parts, " ")
		w.s.parseDepth(joined, cmd.Args[1].Start, cmd.End, true, w.depth+1)
	}
}

// innerWord parses the value of a "-c" word. When the word's text in the source is the value
// inside one pair of quotes, offsets map exactly; otherwise they map to the word.
func (w *walker) innerWord(word Word) {
	base, limit := word.Start, word.End
	raw := ""
	if word.Start-w.base >= 0 && word.End-w.base <= len(w.src) && word.Start <= word.End {
		raw = w.src[word.Start-w.base : word.End-w.base]
	}
	if len(raw) >= 2 && (raw[0] == '\'' || raw[0] == '"') && raw[1:len(raw)-1] == word.Value {
		base = word.Start + 1
	}
	w.s.parseDepth(word.Value, base, limit, true, w.depth+1)
}

// word renders a word.
func (w *walker) word(word *syntax.Word) Word {
	var b strings.Builder
	lit := w.renderParts(&b, word.Parts)
	start, end := w.off(word.Pos()), w.off(word.End())
	return Word{Value: b.String(), Literal: lit, Start: start, End: max(start, end)}
}

func (w *walker) renderParts(b *strings.Builder, parts []syntax.WordPart) bool {
	lit := true
	for _, p := range parts {
		switch p := p.(type) {
		case *syntax.Lit:
			b.WriteString(unescape(p.Value))
		case *syntax.SglQuoted:
			b.WriteString(p.Value)
		case *syntax.DblQuoted:
			if !w.renderParts(b, p.Parts) {
				lit = false
			}
		case *syntax.ParamExp:
			lit = false
			if v, ok := w.s.Vars[paramName(p)]; ok && simpleParam(p) {
				b.WriteString(v)
			} else if p.Param != nil {
				b.WriteString("${" + p.Param.Value + "}")
			} else {
				b.WriteString("${}")
			}
		case *syntax.CmdSubst:
			lit = false
			b.WriteString("$(...)")
		case *syntax.ProcSubst:
			lit = false
			b.WriteString("<(...)")
		case *syntax.ArithmExp:
			lit = false
			b.WriteString("$((...))")
		case *syntax.BraceExp:
			lit = false
			b.WriteString("{")
			for i, e := range p.Elems {
				if i > 0 {
					b.WriteString(",")
				}
				w.renderParts(b, e.Parts)
			}
			b.WriteString("}")
		default:
			lit = false
		}
	}
	return lit
}

// unescape removes backslash escapes from an unquoted literal.
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// IsShell reports whether name is a POSIX-style shell.
func IsShell(name string) bool {
	switch name {
	case "sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "busybox-sh":
		return true
	}
	return false
}

// unwrap strips wrapper programs (sudo, env, nohup, exec, ...) from the front of args.
func unwrap(args []Word, assigns []string) ([]Word, []string, []string) {
	var wrappers []string
	for len(args) > 0 {
		name := strings.ToLower(path.Base(args[0].Value))
		skip := 0
		switch name {
		case "sudo", "doas":
			skip = 1
			for skip < len(args) && strings.HasPrefix(args[skip].Value, "-") {
				f := args[skip].Value
				skip++
				// Flags that take a value.
				if (f == "-u" || f == "-g" || f == "-C" || f == "-h" || f == "-p" || f == "-U" || f == "-r" || f == "-t") && skip < len(args) {
					skip++
				}
				if f == "--" {
					break
				}
			}
		case "env":
			skip = 1
			for skip < len(args) {
				v := args[skip].Value
				if strings.HasPrefix(v, "-") {
					skip++
					if (v == "-u" || v == "-C" || v == "-S") && skip < len(args) {
						skip++
					}
					continue
				}
				if i := strings.IndexByte(v, '='); i > 0 {
					assigns = append(assigns, v)
					skip++
					continue
				}
				break
			}
		case "nohup", "exec", "time", "command", "builtin", "setsid", "stdbuf", "nice", "ionice", "chronic", "tini", "dumb-init", "gosu", "su-exec":
			skip = 1
			for skip < len(args) && strings.HasPrefix(args[skip].Value, "-") {
				f := args[skip].Value
				skip++
				if name == "nice" && f == "-n" && skip < len(args) {
					skip++
				}
				if f == "--" {
					break
				}
			}
			// gosu and su-exec take a user before the program.
			if (name == "gosu" || name == "su-exec") && skip < len(args) {
				skip++
			}
		case "timeout":
			skip = 1
			for skip < len(args) && strings.HasPrefix(args[skip].Value, "-") {
				skip++
			}
			if skip < len(args) {
				skip++ // the duration
			}
		default:
			return args, wrappers, assigns
		}
		if skip >= len(args) {
			// A wrapper with nothing to run keeps its own name as the command.
			return args, wrappers, assigns
		}
		wrappers = append(wrappers, name)
		args = args[skip:]
	}
	return args, wrappers, assigns
}

// fallback splits text that the parser rejected on control operators and blanks.
func (s *Script) fallback(src string, base, limit int, inner bool) {
	start := 0
	var pipe []*Command
	flush := func(end int, piped bool) {
		seg := src[start:end]
		var args []Word
		i := 0
		for i < len(seg) {
			for i < len(seg) && (seg[i] == ' ' || seg[i] == '\t' || seg[i] == '\n' || seg[i] == '\r') {
				i++
			}
			j := i
			for j < len(seg) && seg[j] != ' ' && seg[j] != '\t' && seg[j] != '\n' && seg[j] != '\r' {
				j++
			}
			if j > i {
				v := strings.Trim(seg[i:j], `"'`)
				args = append(args, Word{Value: v, Literal: !strings.Contains(v, "$"), Start: clamp(base+start+i, limit), End: clamp(base+start+j, limit)})
			}
			i = j
		}
		if len(args) > 0 {
			cmd := &Command{Start: clamp(base+start, limit), End: clamp(base+end, limit), Inner: inner}
			cmd.Args, cmd.Wrappers, cmd.Assigns = unwrap(args, nil)
			if len(cmd.Args) > 0 {
				cmd.Name = strings.ToLower(path.Base(cmd.Args[0].Value))
			}
			s.Commands = append(s.Commands, cmd)
			pipe = append(pipe, cmd)
		}
		if !piped {
			for i, c := range pipe {
				c.Pipeline = pipe
				c.PipeIndex = i
			}
			pipe = nil
		}
	}
	for i := 0; i < len(src); i++ {
		switch src[i] {
		case ';', '\n':
			flush(i, false)
			start = i + 1
		case '&', '|':
			if i+1 < len(src) && src[i+1] == src[i] {
				flush(i, false)
				i++
				start = i + 1
			} else {
				flush(i, src[i] == '|')
				start = i + 1
			}
		}
	}
	flush(len(src), false)
}

func clamp(o, limit int) int {
	if o > limit {
		return limit
	}
	return o
}

func paramName(p *syntax.ParamExp) string {
	if p.Param == nil {
		return ""
	}
	return p.Param.Value
}

// simpleParam reports "$NAME" or "${NAME}" without operators, indexes or other expansions.
func simpleParam(p *syntax.ParamExp) bool {
	return p.Param != nil && !p.Excl && !p.Length && !p.Width && p.Index == nil && p.Slice == nil &&
		p.Repl == nil && p.Exp == nil && p.Names == 0 && p.NestedParam == nil && len(p.Modifiers) == 0
}
