package analysis

import (
	"fmt"
	"strings"
)

// Dump renders the parsed model as readable text, one item per line with its ranges as
// line:col-line:col (0-based line, byte column). The golden tests compare it; it is also handy
// when debugging.
func (f *File) Dump() string {
	var b strings.Builder
	fmt.Fprintf(&b, "escape %q\n", string(f.Escape))
	for _, d := range f.Directives {
		fmt.Fprintf(&b, "directive %s=%q %v name %v value %v\n", d.Name, d.Value, d.Range, d.NameRange, d.ValueRange)
	}
	for i, ins := range f.Instructions {
		fmt.Fprintf(&b, "#%d ", i)
		psDumpIns(&b, ins, "")
	}
	for _, st := range f.Stages {
		fmt.Fprintf(&b, "stage %d %v from #%d", st.Index, st.Range, psIndexOf(f.Instructions, st.From))
		fmt.Fprintf(&b, " base %q %v", st.BaseImage, st.BaseRange)
		if st.Name != "" {
			fmt.Fprintf(&b, " name %q %v", st.Name, st.NameRange)
		}
		if st.Platform != "" {
			fmt.Fprintf(&b, " platform %q %v", st.Platform, st.PlatformRange)
		}
		fmt.Fprintf(&b, " instructions %d\n", len(st.Instructions))
	}
	for _, c := range f.Comments {
		fmt.Fprintf(&b, "comment %q %v\n", c.Text, c.Range)
	}
	for _, e := range f.Errors {
		fmt.Fprintf(&b, "error %v %s %s: %s\n", e.Range, e.Severity, e.Rule, e.Message)
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
	fmt.Fprintf(b, "%s %v keyword %q %v stage %d", ins.Cmd, ins.Range, ins.Keyword, ins.KeywordRange, ins.Stage)
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
		fmt.Fprintf(b, "%sflag %q", in, fl.Name)
		if fl.HasValue {
			fmt.Fprintf(b, "=%q", fl.Value)
		}
		fmt.Fprintf(b, " %v name %v", fl.Range, fl.NameRange)
		if fl.HasValue {
			fmt.Fprintf(b, " value %v", fl.ValueRange)
		}
		b.WriteByte('\n')
	}
	for _, a := range ins.Args {
		fmt.Fprintf(b, "%sarg %q %v\n", in, a.Value, a.Range)
	}
	if ins.Shell != "" {
		fmt.Fprintf(b, "%sshell %q %v\n", in, ins.Shell, ins.ShellRange)
	}
	for _, h := range ins.Heredocs {
		fmt.Fprintf(b, "%sheredoc %q expand=%v chomp=%v name %v body %v end %v %q\n", in, h.Name, h.Expand, h.Chomp,
			h.NameRange, h.BodyRange, h.EndRange, h.Body)
	}
	if ins.Sub != nil {
		fmt.Fprintf(b, "%ssub ", in)
		psDumpIns(b, ins.Sub, in)
	}
}
