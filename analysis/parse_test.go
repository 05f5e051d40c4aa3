package analysis

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// rulesOf returns the rule names of f.Errors.
func rulesOf(f *File) []string {
	var r []string
	for _, e := range f.Errors {
		r = append(r, e.Rule)
	}
	return r
}

// garbageSpecials are the bytes that matter to the scanner, mixed into random input.
const garbageSpecials = "\n\\`#<\"' \t\r["

func TestParseBinaryGarbage(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 200; i++ {
		b := make([]byte, r.IntN(4000))
		for k := range b {
			b[k] = byte(r.UintN(256))
			if r.IntN(10) == 0 {
				b[k] = garbageSpecials[r.IntN(len(garbageSpecials))]
			}
		}
		f := Parse(string(b))
		checkRanges(t, "garbage", f)
	}
}

func TestParseHugeFile(t *testing.T) {
	if testing.Short() {
		t.Skip("10 MB parse in -short mode")
	}
	text := GenerateDockerfile(350_000)
	if len(text) < 10<<20 {
		t.Fatalf("generated %d bytes, want 10 MB", len(text))
	}
	f := Parse(text)
	if len(f.Errors) != 0 {
		t.Errorf("huge file: %d errors, first %v", len(f.Errors), f.Errors[0])
	}
	if got, want := len(f.Stages), 350_000/18; got != want {
		t.Errorf("huge file: %d stages, want %d", got, want)
	}
	checkRanges(t, "huge", f)
}

func TestParseLongLine(t *testing.T) {
	long := "RUN echo " + strings.Repeat("x", 70_000)
	text := "FROM alpine\n" + long + "\nRUN echo after\nFROM other\n"
	f := Parse(text)
	if len(f.Instructions) != 4 {
		t.Fatalf("long line: %d instructions, want 4", len(f.Instructions))
	}
	if len(f.Errors) != 1 || f.Errors[0].Rule != RuleParseError || f.Errors[0].Range.Start.Line != 1 {
		t.Errorf("long line: errors %v, want one ParseError on line 1", f.Errors)
	}
	if f.Errors[0].Range.End.Col != len(long) {
		t.Errorf("long line: error ends at %v, want column %d", f.Errors[0].Range.End, len(long))
	}
	if len(f.Stages) != 2 {
		t.Errorf("long line: %d stages, want 2", len(f.Stages))
	}
	// Just under the limit is fine.
	ok := "RUN echo " + strings.Repeat("x", 65535-len("RUN echo ")-1)
	if f := Parse("FROM a\n" + ok + "\n"); len(f.Errors) != 0 {
		t.Errorf("line of 65535 bytes: %v", f.Errors)
	}
}

func TestParseEdgeCases(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		want       []string // rules of the findings, in order
		ins        int      // number of instructions
	}{
		{"empty", "", nil, 0},
		{"newline", "\n", nil, 0},
		{"only backslash", "\\", []string{RuleParseError}, 1},
		{"backslash newline", "\\\n", []string{RuleParseError}, 1},
		{"escape then nothing", "FROM a\nRUN a \\", nil, 2},
		{"typing ENV", "FROM a\nENV FOO \nRUN x\n", []string{RuleMissingArgument}, 3},
		// Recovery: the line after an unterminated heredoc is an instruction again.
		{"unterminated heredoc", "FROM a\nRUN <<EOF\nx\n", []string{RuleUnterminatedHeredoc, RuleUnknownInstruction}, 3},
		{"unterminated heredoc keeps stages", "FROM a\nCOPY <<EOF /x\nFROM b\n", []string{RuleUnterminatedHeredoc}, 3},
		{"unterminated heredoc at EOF", "FROM a\nRUN <<EOF", []string{RuleUnterminatedHeredoc}, 2},
		{"bad escape", "# escape=x\nFROM a\n", []string{RuleInvalidEscapeDirective}, 1},
		{"NUL bytes", "FROM a\x00b\nRUN \x00\n", nil, 2},
		// A lone CR does not end a line (for BuildKit it is white space): FROM gets 3 words.
		{"CR only", "FROM a\rRUN x\r", []string{RuleParseError}, 1},
		{"unknown", "FROM a\nFOO\n", []string{RuleUnknownInstruction}, 2},
		{"before from", "RUN x\nFROM a\n", []string{RuleInstructionBeforeFrom}, 2},
		// An unbalanced quote makes "<<\"EOF" no heredoc at all, for BuildKit too.
		{"heredoc unbalanced quote", "FROM a\nRUN <<\"EOF\nx\n", []string{RuleUnknownInstruction}, 3},
		{"json non-string", "FROM a\nRUN [\"a\", 1]\n", []string{RuleParseError}, 2},
		// Not JSON (text after the array), so shell form with a heredoc.
		{"json then heredoc", "FROM a\nRUN [\"a\", 1] <<EOF\n", []string{RuleUnterminatedHeredoc}, 2},
		{"onbuild json error", "FROM a\nONBUILD RUN [1]\n", []string{RuleParseError}, 2},
		{"comment then continuation", "FROM a\nRUN a \\\n# c\n\n", nil, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := Parse(tc.text)
			checkRanges(t, tc.name, f)
			if got := rulesOf(f); strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("Parse(%q) errors = %v, want rules %v", tc.text, f.Errors, tc.want)
			}
			if len(f.Instructions) != tc.ins {
				t.Errorf("Parse(%q) has %d instructions, want %d", tc.text, len(f.Instructions), tc.ins)
			}
		})
	}
}

func TestFileHelpers(t *testing.T) {
	text := "FROM alpine AS Build\r\nRUN --mount=type=cache,target=/x echo hi\nONBUILD COPY a b\nFROM build\n"
	f := Parse(text)
	if got := f.Line(0); got != "FROM alpine AS Build" {
		t.Errorf("Line(0) = %q", got)
	}
	if got := f.Line(9); got != "" {
		t.Errorf("Line(9) = %q, want empty", got)
	}
	for off := 0; off <= len(text); off++ {
		p := f.PosAt(off)
		if got := f.Offset(p); got != off && text[off-1] != '\r' {
			t.Errorf("Offset(PosAt(%d)) = %d (pos %v)", off, got, p)
		}
	}
	if got := f.Offset(Pos{0, 999}); got != len("FROM alpine AS Build\r") {
		t.Errorf("Offset past end of line = %d", got)
	}
	if got := f.PosAt(-5); got != (Pos{}) {
		t.Errorf("PosAt(-5) = %v", got)
	}
	if got := f.PosAt(len(text) + 10); got != (Pos{4, 0}) {
		t.Errorf("PosAt(past end) = %v", got)
	}
	run := f.InstructionAt(Pos{1, 10})
	if run == nil || run.Cmd != "RUN" {
		t.Fatalf("InstructionAt(1:10) = %v", run)
	}
	if fl := run.Flag("mount"); fl == nil || fl.Value != "type=cache,target=/x" {
		t.Errorf("Flag(mount) = %v", fl)
	}
	if run.Flag("network") != nil {
		t.Error("Flag(network) is not nil")
	}
	if f.InstructionAt(Pos{9, 0}) != nil {
		t.Error("InstructionAt past the end is not nil")
	}
	if st := f.StageByName("build"); st == nil || st.Index != 0 || st.Name != "Build" {
		t.Errorf("StageByName(build) = %v", st)
	}
	if f.StageByName("nope") != nil {
		t.Error("StageByName(nope) is not nil")
	}
	if st := f.StageOf(run); st != f.Stages[0] {
		t.Errorf("StageOf(RUN) = %v", st)
	}
	if st := f.StageOf(f.Instructions[3]); st != f.Stages[1] {
		t.Errorf("StageOf(second FROM) = %v", st)
	}
	if sub := f.Instructions[2].Sub; sub == nil || f.StageOf(sub) != f.Stages[0] {
		t.Errorf("StageOf(ONBUILD trigger) wrong: %v", sub)
	}
}
