package analysis

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// Rule names of the findings the parser reports in File.Errors.
const (
	// RuleParseError: syntax BuildKit rejects that no more specific rule covers.
	RuleParseError = "ParseError"
	// RuleUnknownInstruction: the keyword is not a Dockerfile instruction (on the keyword).
	RuleUnknownInstruction = "UnknownInstruction"
	// RuleUnknownFlag: the instruction has no such flag (on the flag).
	RuleUnknownFlag = "UnknownFlag"
	// RuleInvalidFlag: a known flag with a bad or missing value, or given twice (on the flag).
	RuleInvalidFlag = "InvalidFlag"
	// RuleMissingArgument: the instruction lacks a required argument (on the keyword).
	RuleMissingArgument = "MissingArgument"
	// RuleUnterminatedHeredoc: no line ends a here-document (on the "<<NAME" word).
	RuleUnterminatedHeredoc = "UnterminatedHeredoc"
	// RuleInvalidEscapeDirective: "# escape=" with something other than \ or ` (on the value).
	RuleInvalidEscapeDirective = "InvalidEscapeDirective"
	// RuleInstructionBeforeFrom: an instruction other than ARG before the first FROM.
	RuleInstructionBeforeFrom = "InstructionBeforeFrom"
)

// psMaxLine is the longest line (with its "\n") BuildKit's line scanner accepts.
const psMaxLine = 64 * 1024

// Parse parses a Dockerfile. It never fails: every problem goes into File.Errors with a precise
// range, and one bad instruction never hides the rest of the file.
//
// The grouping of lines into instructions is BuildKit's (directives, comments, continuation
// lines, empty continuation lines, heredoc bodies); each instruction is then checked with
// BuildKit's parser and instructions packages on its own, so an error only affects the
// instruction it is in.
func Parse(text string) (file *File) {
	defer func() {
		if r := recover(); r != nil {
			file = psBroken(text, r)
		}
	}()
	starts := psLineStarts(text)
	f := &File{Text: text, LineStarts: starts}
	sc := newPsScanner(text, starts, '\\')
	dirs, comments, errs, esc, next := sc.header()
	sc.esc = esc
	f.Escape = rune(esc)
	f.Directives = dirs
	f.Comments = comments
	f.headerErrs = errs
	f.headerEnd = next
	var units []*psUnit
	sc.scanFrom(next, func(u *psUnit, c *Comment, _ int) bool {
		if c != nil {
			f.Comments = append(f.Comments, c)
			return true
		}
		units = append(units, u)
		f.Instructions = append(f.Instructions, u.lx.ins)
		f.Comments = append(f.Comments, u.comments...)
		return true
	})
	sc.checkAll(units)
	f.assemble(nil)
	return f
}

// psBroken is the File for a text the parser failed on with a panic (a bug): the text, its
// lines and one finding that says so, rather than a crash of whoever asked.
func psBroken(text string, r any) *File {
	end := psPosAt(psLineStarts(text), len(text))
	return &File{
		Text: text, LineStarts: psLineStarts(text), Escape: '\\', openHeredoc: -1,
		Errors: []Finding{{
			Rule: RuleParseError, Severity: SeverityError, Range: Range{End: end},
			Message: fmt.Sprintf("internal error: the Dockerfile parser failed: %v", r),
		}},
	}
}

// assemble computes the stages, the stage index of every instruction and File.Errors from
// File.Instructions. fresh[i] reports that instruction i was made for this File (and may be
// updated in place); nil means all of them were.
func (f *File) assemble(fresh []bool) {
	f.Stages = nil
	nFrom := 0
	for _, ins := range f.Instructions {
		if ins.Cmd == "FROM" {
			nFrom++
		}
	}
	if nFrom > 0 {
		f.Stages = make([]*Stage, 0, nFrom)
	}
	backing := make([]Stage, nFrom) // one allocation for all stages
	errs := slices.Clone(f.headerErrs)
	stage := -1
	var cur *Stage
	f.openHeredoc = -1
	for i, ins := range f.Instructions {
		if f.openHeredoc < 0 && psHasOpenHeredoc(ins) {
			f.openHeredoc = i
		}
		if ins.Cmd == "FROM" {
			if cur != nil {
				f.closeStage(cur, i)
			}
			stage++
			cur = &backing[stage]
			psInitStage(cur, stage, ins, i)
			f.Stages = append(f.Stages, cur)
		}
		if ins.Stage != stage || (ins.Sub != nil && ins.Sub.Stage != stage) {
			if fresh == nil || fresh[i] {
				psSetStage(ins, stage)
			} else {
				c := *ins
				if c.Sub != nil {
					sub := *c.Sub
					c.Sub = &sub
				}
				psSetStage(&c, stage)
				ins = &c
				f.Instructions[i] = ins
				if cur != nil && cur.From != nil && i == cur.first {
					cur.From = ins
				}
			}
		}
		if stage < 0 && ins.Known && ins.Cmd != "ARG" {
			errs = append(errs, Finding{
				Rule: RuleInstructionBeforeFrom, Severity: SeverityError, Range: ins.KeywordRange,
				Message: ins.Cmd + " before the first FROM: only ARG may come before FROM",
			})
		}
		errs = append(errs, ins.errs...)
	}
	if cur != nil {
		f.closeStage(cur, len(f.Instructions))
	}
	slices.SortStableFunc(errs, func(a, b Finding) int {
		switch {
		case a.Range.Start.Before(b.Range.Start):
			return -1
		case b.Range.Start.Before(a.Range.Start):
			return 1
		}
		return 0
	})
	f.Errors = errs
}

// psHasOpenHeredoc reports whether ins (or its ONBUILD trigger) has an unterminated heredoc: its
// extent then depends on every line after it.
func psHasOpenHeredoc(ins *Instruction) bool {
	if ins.Sub != nil {
		ins = ins.Sub
	}
	for _, h := range ins.Heredocs {
		if h.EndRange.IsZero() {
			return true
		}
	}
	return false
}

func psSetStage(ins *Instruction, stage int) {
	ins.Stage = stage
	if ins.Sub != nil {
		ins.Sub.Stage = stage
	}
}

func psInitStage(st *Stage, index int, from *Instruction, first int) {
	*st = Stage{Index: index, From: from, first: first}
	args := from.Args
	if len(args) > 0 {
		st.BaseImage, st.BaseRange = args[0].Value, args[0].Range
	}
	if len(args) >= 3 && strings.EqualFold(args[1].Value, "as") {
		st.Name, st.NameRange = args[2].Value, args[2].Range
	}
	if fl := from.Flag("platform"); fl != nil {
		st.Platform, st.PlatformRange = fl.Value, fl.ValueRange
	}
}

func (f *File) closeStage(st *Stage, end int) {
	st.Instructions = f.Instructions[st.first:end:end]
	st.From = st.Instructions[0]
	st.Range = Range{st.From.Range.Start, st.Instructions[end-st.first-1].Range.End}
}

// psClassify runs BuildKit's instruction parser on node and turns its error into findings located
// on ins.
func psClassify(node *parser.Node, ins *Instruction, sev Severity, prefix string) []Finding {
	err := psInstruction(node)
	if err == nil {
		return nil
	}
	msg := psErrText(err)
	// BuildKit's "did you mean" picks among equally close names in map order; make it stable.
	msg, _, _ = strings.Cut(msg, " (did you mean ")
	one := func(rule string, r Range) []Finding {
		return []Finding{{Rule: rule, Severity: sev, Range: r, Message: prefix + msg}}
	}
	var unknown *instructions.UnknownInstructionError
	if errors.As(err, &unknown) {
		if s := psSuggest(ins.Keyword); s != "" {
			msg += " (did you mean " + s + "?)"
		}
		return one(RuleUnknownInstruction, ins.KeywordRange)
	}
	flagAt := func(name string, last bool) *Flag {
		var found *Flag
		for k, w := range node.Flags {
			n, _, _ := strings.Cut(strings.TrimPrefix(w, "--"), "=")
			if n == name && k < len(ins.Flags) {
				found = ins.Flags[k]
				if !last {
					break
				}
			}
		}
		return found
	}
	for _, p := range []struct {
		prefix string
		rule   string
		last   bool
	}{
		{"unknown flag: ", RuleUnknownFlag, false},
		{"duplicate flag specified: ", RuleInvalidFlag, true},
		{"Duplicate flag defined: ", RuleInvalidFlag, true},
		{"missing a value on flag: ", RuleInvalidFlag, false},
		{"expecting boolean value for flag ", RuleInvalidFlag, false},
	} {
		if i := strings.Index(msg, p.prefix); i >= 0 {
			name := msg[i+len(p.prefix):]
			name, _, _ = strings.Cut(name, ",")
			name, _, _ = strings.Cut(name, " ")
			name = strings.TrimPrefix(name, "--")
			if fl := flagAt(name, p.last); fl != nil {
				return one(p.rule, fl.Range)
			}
		}
	}
	for _, s := range []string{"requires at least one argument", "requires exactly one argument",
		"requires at least two arguments", "Missing command after", "names can not be blank"} {
		if strings.Contains(msg, s) {
			return one(RuleMissingArgument, ins.KeywordRange)
		}
	}
	if strings.Contains(msg, "FROM requires either one or three arguments") && len(ins.Args) == 0 {
		return one(RuleMissingArgument, ins.KeywordRange)
	}
	// An error about a flag's value (a bad --mount, --interval, --chmod ...): find the flag
	// without which BuildKit's complaint changes.
	if len(node.Flags) == len(ins.Flags) {
		for k := range node.Flags {
			n := *node
			n.Flags = slices.Delete(slices.Clone(node.Flags), k, k+1)
			err2 := psInstruction(&n)
			if err2 == nil || psErrText(err2) != msg {
				if name := "--" + ins.Flags[k].Name; !strings.Contains(msg, name) {
					msg = name + ": " + msg
				}
				return one(RuleInvalidFlag, ins.Flags[k].Range)
			}
		}
	}
	return one(RuleParseError, psArgsRange(ins))
}

// psErrText is an error's message without BuildKit's location wrapper.
func psErrText(err error) string {
	var le *parser.LocationError
	if errors.As(err, &le) && le.Unwrap() != nil {
		return le.Unwrap().Error()
	}
	return err.Error()
}

// psArgsRange covers an instruction's flags and arguments, or its keyword when it has none.
func psArgsRange(ins *Instruction) Range {
	var r Range
	switch {
	case len(ins.Flags) > 0:
		r.Start = ins.Flags[0].Range.Start
	case len(ins.Args) > 0:
		r.Start = ins.Args[0].Range.Start
	case ins.Sub != nil:
		r.Start = ins.Sub.KeywordRange.Start
	default:
		return ins.KeywordRange
	}
	r.End = ins.Range.End
	if len(ins.Heredocs) > 0 || (ins.Sub != nil && len(ins.Sub.Heredocs) > 0) {
		r.End = ins.Range.Start
		if len(ins.Args) > 0 {
			r.End = ins.Args[len(ins.Args)-1].Range.End
		}
	}
	if r.End.Before(r.Start) {
		r.End = r.Start
	}
	return r
}

// psLastArg is the range of an instruction's last argument (the one a missing value belongs to).
func psLastArg(ins *Instruction) Range {
	if ins.Sub != nil {
		return psLastArg(ins.Sub)
	}
	if n := len(ins.Args); n > 0 {
		return ins.Args[n-1].Range
	}
	return ins.KeywordRange
}

// psInstructions are the Dockerfile instructions in alphabetical order.
var psInstructions = []string{"ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM",
	"HEALTHCHECK", "LABEL", "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR"}

// psSuggest returns the instruction closest to word (edit distance below 3, the first in
// alphabetical order on a tie), in word's case, or "".
func psSuggest(word string) string {
	best := Closest(word, psInstructions, 3)
	if best != "" && strings.ToLower(word) == word {
		best = strings.ToLower(best)
	}
	return best
}
