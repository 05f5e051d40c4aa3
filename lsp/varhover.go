package lsp

import (
	"fmt"
	"strings"

	"github.com/layerlens/layerlens/analysis"
)

// Hover on names: variables (their value at that point, evaluated the way BuildKit expands
// them, with the configured buildArgs), stage names (where the stage comes from and how often
// it is used) and here-document names. hover.go calls hoverSymbol before its keyword and flag
// cases; it answers ok=false when the cursor is on none of these.

func (s *server) hoverSymbol(snap *snapshot, pos analysis.Pos) (md string, rng analysis.Range, ok bool) {
	f := snap.File()
	syms := symbolsOf(f)
	o, found := syms.At(pos)
	if !found {
		return "", analysis.Range{}, false
	}
	switch o.Kind {
	case analysis.SymbolVariable:
		md = variableHover(f, syms, o, s.currentSettings().BuildArgs, s.imageEnvs(f))
	case analysis.SymbolStage:
		md = stageHover(f, syms, o)
	case analysis.SymbolHeredoc:
		md = heredocHover(f, o)
	}
	return md, o.Range, md != ""
}

// imageEnvs returns the environment of each reviewed base image of f, by the index of the
// stage that names it (what analysis.VarIndex.EvaluateIn wants). It reads the reviews known
// now and never blocks; nil without image review.
func (s *server) imageEnvs(f *analysis.File) map[int]map[string]string {
	if s.opts.Images == nil {
		return nil
	}
	out := map[int]map[string]string{}
	for stage, facts := range s.imageFacts(f) {
		env := make(map[string]string, len(facts.Env))
		for _, kv := range facts.Env {
			if k, v, ok := strings.Cut(kv, "="); ok {
				env[k] = v
			}
		}
		out[stage] = env
	}
	return out
}

// variableHover describes the variable under the cursor and its value there. imageEnv holds
// the base images' environments by stage (may be nil).
func variableHover(f *analysis.File, syms *analysis.SymbolIndex, o analysis.Occurrence, buildArgs map[string]string, imageEnv map[int]map[string]string) string {
	d := o.VarDef
	var b strings.Builder
	if d == nil {
		stage := -1
		if o.Var != nil && o.Var.Instr.Cmd != "FROM" { // FROM lines see only global ARGs
			stage = o.Var.Instr.Stage
		}
		if root := syms.Vars.RootStage(stage); root >= 0 {
			if v, ok := imageEnv[root][o.Name]; ok {
				fmt.Fprintf(&b, "**$%s** from the environment of the base image `%s`\n\nValue: `%s`", o.Name, f.Stages[root].BaseImage, v)
				return b.String()
			}
		}
		fmt.Fprintf(&b, "**$%s**: not declared by an `ARG` or `ENV` visible here.\n\n", o.Name)
		if p := analysis.PredefinedVar(o.Name); p != nil {
			b.WriteString(p.Doc)
		} else {
			b.WriteString("It is empty at build time unless the base image's environment sets it.")
		}
		return strings.TrimSpace(b.String())
	}
	if d.Kind == analysis.VarPredefined {
		fmt.Fprintf(&b, "**%s** (predefined)\n\n%s", d.Name, d.Doc)
		if v, ok := buildArgs[d.Name]; ok {
			fmt.Fprintf(&b, "\n\nValue from the `buildArgs` setting: `%s`", v)
		}
		return b.String()
	}
	scope := "global"
	if d.Stage >= 0 && d.Stage < len(f.Stages) {
		scope = "stage " + stageLabel(f.Stages[d.Stage])
	}
	fmt.Fprintf(&b, "**%s %s** (%s)\n\n", d.Kind, d.Name, scope)
	if v, ok := syms.Vars.EvaluateIn(f, d, buildArgs, imageEnv); ok {
		if o.Decl {
			fmt.Fprintf(&b, "Value: `%s`", v)
		} else {
			fmt.Fprintf(&b, "Value here: `%s`", v)
		}
	} else if d.Kind == analysis.VarArg && !d.HasValue && (d.Global == nil || !d.Global.HasValue) {
		b.WriteString("No default: empty unless set with `--build-arg " + d.Name + "=...` (or the `buildArgs` setting).")
	} else {
		fmt.Fprintf(&b, "Value as written: `%s` (uses variables with no known value)", d.Value)
	}
	if _, ok := buildArgs[d.Name]; ok && d.Kind == analysis.VarArg {
		b.WriteString(" (from the `buildArgs` setting)")
	}
	b.WriteString("\n\n")
	if !o.Decl && d.Instr != nil {
		fmt.Fprintf(&b, "Declared on line %d", d.NameRange.Start.Line+1)
		if d.Global != nil {
			fmt.Fprintf(&b, ", re-declaring the global ARG of line %d", d.Global.NameRange.Start.Line+1)
		}
		b.WriteString(".")
	} else if d.Global != nil {
		fmt.Fprintf(&b, "Re-declares the global ARG of line %d.", d.Global.NameRange.Start.Line+1)
	}
	if d.Kind == analysis.VarEnv {
		b.WriteString("\n\nENV values persist in the image and are visible to anyone who can pull it.")
	}
	return strings.TrimSpace(b.String())
}

func stageLabel(st *analysis.Stage) string {
	if st.Name != "" {
		return fmt.Sprintf("`%s` (#%d)", st.Name, st.Index)
	}
	return fmt.Sprintf("#%d", st.Index)
}

// stageHover describes the stage a name (or index) refers to.
func stageHover(f *analysis.File, syms *analysis.SymbolIndex, o analysis.Occurrence) string {
	st := o.Stage
	if st == nil {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "**Stage %s**", stageLabel(st))
	if st.BaseImage != "" {
		fmt.Fprintf(&b, " `FROM %s`", st.BaseImage)
	}
	if st.Platform != "" {
		fmt.Fprintf(&b, " for `%s`", st.Platform)
	}
	fmt.Fprintf(&b, "\n\nDefined on line %d, %d instructions.", st.From.Range.Start.Line+1, len(st.Instructions))
	uses := 0
	if !o.Index {
		for _, r := range syms.Group(o) {
			if !r.Decl {
				uses++
			}
		}
		switch uses {
		case 0:
			b.WriteString(" Not used by another stage.")
		case 1:
			b.WriteString(" Used once in this file.")
		default:
			fmt.Fprintf(&b, " Used %d times in this file.", uses)
		}
	}
	if st.Index == len(f.Stages)-1 {
		b.WriteString("\n\nThis is the last stage: what `docker build` produces without `--target`.")
	}
	return b.String()
}

// heredocHover describes a here-document.
func heredocHover(f *analysis.File, o analysis.Occurrence) string {
	for _, in := range f.Instructions {
		for x := in; x != nil; x = x.Sub {
			for _, h := range x.Heredocs {
				if h.Name != o.Name || !(in.Range.Contains(o.Range.Start)) {
					continue
				}
				lines := strings.Count(h.Body, "\n")
				var b strings.Builder
				fmt.Fprintf(&b, "**Here-document `%s`** of %s, %d line(s).", h.Name, x.Cmd, lines)
				if h.Expand {
					b.WriteString(" Variables in the body are expanded.")
				} else {
					b.WriteString(" Quoted name: the body is taken literally.")
				}
				if h.Chomp {
					b.WriteString(" Leading tabs are stripped (`<<-`).")
				}
				if h.EndRange.IsZero() {
					b.WriteString("\n\nNot terminated: add a line containing only `" + h.Name + "`.")
				}
				return b.String()
			}
		}
	}
	return ""
}
