package analysis

import (
	"fmt"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// This file asks BuildKit what it thinks of each instruction the scanner found. Parsing every
// instruction on its own is exact but slow (BuildKit's parser compiles a regexp and allocates a
// line buffer per call), so runs of instructions are parsed together and split in halves when
// BuildKit rejects the run or groups its lines differently; an instruction parsed alone is the
// reference, and a run is only used when its nodes line up one to one with the instructions.

// psEscapePrefix makes BuildKit use the backtick escape for a piece of the file.
const psEscapePrefix = "# escape=`\n"

// checkAll records BuildKit's verdict on every unit in its instruction's errs.
func (sc *psScanner) checkAll(units []*psUnit) {
	start := 0
	for i, u := range units {
		if !sc.chunkable(u) {
			sc.parseRun(units[start:i])
			sc.check(u, nil)
			start = i + 1
		}
	}
	sc.parseRun(units[start:])
}

// chunkable reports whether u can go into a run: BuildKit accepts its line syntax as far as the
// scanner can tell.
func (sc *psScanner) chunkable(u *psUnit) bool {
	if u.lx.ins.Keyword == "" || u.lx.nodeErr || u.unterminated != nil || u.heredocErr != "" {
		return false
	}
	for i := u.first; i <= u.last; i++ {
		if sc.lineEnd(i)-sc.starts[i] > psMaxLine {
			return false
		}
	}
	return true
}

// parseRun parses consecutive units with one call to BuildKit's parser when it can.
func (sc *psScanner) parseRun(units []*psUnit) {
	if len(units) <= 2 {
		for _, u := range units {
			sc.check(u, nil)
		}
		return
	}
	src := sc.text[sc.starts[units[0].first]:sc.lineEnd(units[len(units)-1].last)]
	lineOff := units[0].first - 1 // BuildKit lines are 1-based
	if sc.esc == '`' {
		src = psEscapePrefix + src
		lineOff--
	}
	res, err := psParse(src)
	if err == nil && res != nil && res.AST != nil && len(res.AST.Children) == len(units) {
		ok := true
		for i, n := range res.AST.Children {
			if n.StartLine+lineOff != units[i].first || n.EndLine+lineOff != units[i].last {
				ok = false
				break
			}
		}
		if ok {
			for i, n := range res.AST.Children {
				sc.check(units[i], n)
			}
			return
		}
	}
	mid := len(units) / 2
	sc.parseRun(units[:mid])
	sc.parseRun(units[mid:])
}

// check records what BuildKit rejects in u's instruction. node is BuildKit's node for it, or nil
// to parse the instruction on its own.
func (sc *psScanner) check(u *psUnit, node *parser.Node) {
	lx := u.lx
	ins := lx.ins
	var errs []Finding
	add := func(rule string, sev Severity, r Range, msg string) {
		errs = append(errs, Finding{Rule: rule, Severity: sev, Range: r, Message: msg})
	}
	defer func() { ins.errs = errs }()

	if ins.Keyword == "" {
		add(RuleParseError, SeverityError, ins.Range,
			"a line continuation with no instruction: BuildKit reads an empty instruction here")
		return
	}
	if u.unterminated != nil {
		add(RuleUnterminatedHeredoc, SeverityError, u.unterminated.NameRange,
			"unterminated heredoc: no line \""+u.unterminated.Name+"\" ends it")
	}
	if u.heredocErr != "" {
		add(RuleParseError, SeverityError, psArgsRange(ins), "heredoc: "+u.heredocErr)
	}
	for i := u.first; i <= u.last; i++ {
		if sc.lineEnd(i)-sc.starts[i] > psMaxLine {
			add(RuleParseError, SeverityError, Range{Pos{i, 0}, Pos{i, len(sc.line(i))}},
				"line longer than 65535 bytes: BuildKit rejects the Dockerfile")
			return
		}
	}

	if node == nil {
		src := sc.text[sc.starts[u.first]:sc.lineEnd(u.last)]
		if sc.esc == '`' {
			src = psEscapePrefix + src
		}
		res, err := psParse(src)
		if err != nil {
			if u.unterminated != nil || u.heredocErr != "" {
				return // reported above
			}
			msg := psErrText(err)
			if strings.Contains(msg, "must have two arguments") {
				add(RuleMissingArgument, SeverityError, psLastArg(ins), msg+": add a value")
				return
			}
			add(RuleParseError, SeverityError, psArgsRange(ins), msg)
			return
		}
		if res == nil || res.AST == nil || len(res.AST.Children) == 0 {
			return
		}
		node = res.AST.Children[0]
	}
	errs = append(errs, psClassify(node, ins, SeverityError, "")...)
	if ins.Cmd == "ONBUILD" && ins.Sub != nil && ins.Sub.Known && len(errs) == 0 &&
		node.Next != nil && len(node.Next.Children) > 0 {
		// The trigger runs in a later build: its problems are warnings here.
		errs = append(errs, psClassify(node.Next.Children[0], ins.Sub, SeverityWarning, "ONBUILD trigger: ")...)
	}
}

// psParse is BuildKit's parser.Parse, with a panic turned into an error.
func psParse(src string) (res *parser.Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			res, err = nil, fmt.Errorf("internal error: BuildKit's parser panicked: %v", r)
		}
	}()
	return parser.Parse(strings.NewReader(src))
}

// psInstruction runs BuildKit's instruction parser on node (without its comments, which only
// configure the linter we do not use here), with a panic turned into an error.
func psInstruction(node *parser.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error: BuildKit's instruction parser panicked: %v", r)
		}
	}()
	n := *node
	n.PrevComment = nil
	_, err = instructions.ParseInstructionWithLinter(&n, nil)
	return err
}
