package analysis

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Dump renders the parsed model as readable text, one item per line with its ranges as
// line:col-line:col (0-based line, byte column). Strings are quoted; those over 200 bytes are
// shortened in the middle. The golden tests compare it; it is also handy when debugging.
func (f *File) Dump() string {
	var b strings.Builder
	fmt.Fprintf(&b, "escape %s\n", dq(string(f.Escape)))
	for _, d := range f.Directives {
		fmt.Fprintf(&b, "directive %s=%s %v name %v value %v\n", d.Name, dq(d.Value), d.Range, d.NameRange, d.ValueRange)
	}
	for i, ins := range f.Instructions {
		fmt.Fprintf(&b, "#%d ", i)
		psDumpIns(&b, ins, "")
	}
	for _, st := range f.Stages {
		fmt.Fprintf(&b, "stage %d %v from #%d", st.Index, st.Range, psIndexOf(f.Instructions, st.From))
		fmt.Fprintf(&b, " base %s %v", dq(st.BaseImage), st.BaseRange)
		if st.Name != "" {
			fmt.Fprintf(&b, " name %s %v", dq(st.Name), st.NameRange)
		}
		if st.Platform != "" {
			fmt.Fprintf(&b, " platform %s %v", dq(st.Platform), st.PlatformRange)
		}
		fmt.Fprintf(&b, " instructions %d\n", len(st.Instructions))
	}
	for _, c := range f.Comments {
		fmt.Fprintf(&b, "comment %s %v\n", dq(c.Text), c.Range)
	}
	for _, e := range f.Errors {
		fmt.Fprintf(&b, "error %v %s %s: %s\n", e.Range, e.Severity, e.Rule, printable(e.Message))
	}
	return b.String()
}

func psIndexOf(list []*Instruction, ins *Instruction) int {
	for i, x := range list {
		if x == ins {
			return i
		}
	}
	return -1
}

func psDumpIns(b *strings.Builder, ins *Instruction, indent string) {
	fmt.Fprintf(b, "%s %v keyword %s %v stage %d", printable(ins.Cmd), ins.Range, dq(ins.Keyword), ins.KeywordRange, ins.Stage)
	if !ins.Known {
		b.WriteString(" unknown")
	}
	if ins.Continued {
		b.WriteString(" continued")
	}
	if ins.JSON {
		b.WriteString(" json")
	}
	b.WriteByte('\n')
	in := indent + "  "
	for _, fl := range ins.Flags {
		fmt.Fprintf(b, "%sflag %s", in, dq(fl.Name))
		if fl.HasValue {
			fmt.Fprintf(b, "=%s", dq(fl.Value))
		}
		fmt.Fprintf(b, " %v name %v", fl.Range, fl.NameRange)
		if fl.HasValue {
			fmt.Fprintf(b, " value %v", fl.ValueRange)
		}
		b.WriteByte('\n')
	}
	for _, a := range ins.Args {
		fmt.Fprintf(b, "%sarg %s %v\n", in, dq(a.Value), a.Range)
	}
	if ins.Shell != "" {
		fmt.Fprintf(b, "%sshell %s %v\n", in, dq(ins.Shell), ins.ShellRange)
	}
	for _, h := range ins.Heredocs {
		fmt.Fprintf(b, "%sheredoc %s expand=%v chomp=%v name %v body %v end %v %s\n", in, dq(h.Name), h.Expand, h.Chomp,
			h.NameRange, h.BodyRange, h.EndRange, dq(h.Body))
	}
	if ins.Sub != nil {
		fmt.Fprintf(b, "%ssub ", in)
		psDumpIns(b, ins.Sub, in)
	}
}

// dq quotes s for Dump, shortening it in the middle when it is over 200 bytes.
func dq(s string) string {
	if len(s) > 200 {
		return strconv.Quote(s[:120]) + fmt.Sprintf("...(%d bytes)...", len(s)-160) + strconv.Quote(s[len(s)-40:])
	}
	return strconv.Quote(s)
}

// printable returns s when it is valid, printable UTF-8, and s quoted otherwise.
func printable(s string) string {
	if !utf8.ValidString(s) || strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
		return dq(s)
	}
	return s
}
