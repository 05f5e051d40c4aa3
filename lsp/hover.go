package lsp

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"go.lsp.dev/protocol"

	"github.com/layerlens/layerlens/analysis"
)

// tokenKind classifies what the cursor is on, for hover (and anything else that dispatches on
// the token under the cursor).
type tokenKind int

const (
	tokNone      tokenKind = iota
	tokKeyword             // an instruction keyword (RUN, copy, ...)
	tokFlag                // a --flag of an instruction, name or value
	tokDirective           // a parser directive line (# syntax=...)
	tokBaseImage           // the image (or stage) word of a FROM
	tokStageName           // the name after AS in a FROM
	tokArgument            // any other argument of an instruction
)

// token is the classified token under a position.
type token struct {
	kind      tokenKind
	rng       analysis.Range
	ins       *analysis.Instruction // the innermost instruction (the ONBUILD trigger, if any)
	flag      *analysis.Flag
	directive *analysis.Directive
	stage     *analysis.Stage
}

// tokenAt classifies the token of f at pos.
func tokenAt(f *analysis.File, pos analysis.Pos) token {
	for _, d := range f.Directives {
		if d.Range.Contains(pos) {
			return token{kind: tokDirective, rng: d.Range, directive: d}
		}
	}
	ins := instructionAt(f, pos)
	if ins == nil {
		return token{}
	}
	for ins.Sub != nil && ins.Sub.Range.Contains(pos) && !ins.KeywordRange.Contains(pos) {
		ins = ins.Sub
	}
	if ins.KeywordRange.Contains(pos) {
		return token{kind: tokKeyword, rng: ins.KeywordRange, ins: ins}
	}
	for _, fl := range ins.Flags {
		if fl.Range.Contains(pos) {
			return token{kind: tokFlag, rng: fl.Range, ins: ins, flag: fl}
		}
	}
	if ins.Cmd == "FROM" && ins.Stage >= 0 && ins.Stage < len(f.Stages) {
		st := f.Stages[ins.Stage]
		if st.From == ins {
			if !st.BaseRange.IsZero() && st.BaseRange.Contains(pos) {
				return token{kind: tokBaseImage, rng: st.BaseRange, ins: ins, stage: st}
			}
			if !st.NameRange.IsZero() && st.NameRange.Contains(pos) {
				return token{kind: tokStageName, rng: st.NameRange, ins: ins, stage: st}
			}
		}
	}
	for _, a := range ins.Args {
		if a.Range.Contains(pos) {
			return token{kind: tokArgument, rng: a.Range, ins: ins}
		}
	}
	return token{kind: tokNone, ins: ins}
}

// instructionAt returns the top-level instruction whose range contains pos, or nil.
// Instructions are in source order and do not overlap, so this is a binary search.
func instructionAt(f *analysis.File, pos analysis.Pos) *analysis.Instruction {
	ins := f.Instructions
	i := sort.Search(len(ins), func(i int) bool { return !ins[i].Range.End.Before(pos) })
	if i < len(ins) && ins[i].Range.Contains(pos) {
		return ins[i]
	}
	return nil
}

// hover answers textDocument/hover by dispatching on the kind of token under the cursor.
// Keywords, flags and directives are answered from the catalog (analysis/catalog.go); other
// kinds (FROM images, stage names, variables) are where the image review and the variable
// hover plug in: add a case calling their function.
func (s *server) hover(ctx context.Context, params json.RawMessage) (any, error) {
	var p protocol.HoverParams
	if err := decodeParams(params, &p); err != nil {
		return nil, err
	}
	snap, err := s.snapshot(p.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	f := snap.File()
	pos := snap.Mapper.Pos(p.Position)
	tok := tokenAt(f, pos)
	var md string
	rng := tok.rng
	switch tok.kind {
	case tokKeyword:
		md = keywordHover(tok.ins)
	case tokDirective:
		md = directiveHover(tok.directive)
	case tokBaseImage:
		// The base-image review (fromhover.go); a stage name falls back to its symbol hover.
		// A variable inside the image word (FROM golang:${GO}) shows its value first.
		smd, srng, isSym := s.hoverSymbol(snap, pos)
		md = s.fromHover(snap, tok.stage)
		switch {
		case isSym && srng != tok.rng && md != "":
			md, rng = smd+"\n\n---\n\n"+md, srng
		case isSym && (srng != tok.rng || md == ""):
			md, rng = smd, srng
		}
	default:
		// Names first (variables, stage names, heredoc names: varhover.go), also inside a
		// flag's value (COPY --from=build); then the flag's own documentation.
		if smd, srng, ok := s.hoverSymbol(snap, pos); ok {
			md, rng = smd, srng
			if tok.kind == tokFlag && tok.flag.Name == "from" {
				if sum := s.copyFromSummary(snap, tok.flag.Value); sum != "" {
					md += "\n\n---\n\n" + sum
				}
			}
		} else if tok.kind == tokFlag {
			md = flagHover(tok.ins, tok.flag)
		}
	}
	if md == "" {
		return nil, nil
	}
	r := snap.Mapper.Range(rng)
	return &protocol.Hover{
		Contents: protocol.MarkupContent{Kind: protocol.Markdown, Value: md},
		Range:    &r,
	}, nil
}

// keywordHover documents an instruction keyword.
func keywordHover(ins *analysis.Instruction) string {
	doc := analysis.LookupInstruction(ins.Cmd)
	if doc == nil {
		return fmt.Sprintf("`%s` is not a Dockerfile instruction.", ins.Keyword)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "**%s**: %s", doc.Name, doc.Summary)
	if doc.Deprecated {
		b.WriteString(" (deprecated)")
	}
	b.WriteString("\n\n")
	if len(doc.Syntax) > 0 {
		b.WriteString("```dockerfile\n")
		for _, s := range doc.Syntax {
			b.WriteString(s)
			b.WriteByte('\n')
		}
		b.WriteString("```\n\n")
	}
	b.WriteString(strings.TrimSpace(doc.Doc))
	return b.String()
}

// flagHover documents a flag of an instruction.
func flagHover(ins *analysis.Instruction, fl *analysis.Flag) string {
	doc := analysis.LookupFlag(ins.Cmd, fl.Name)
	if doc == nil {
		if analysis.LookupInstruction(ins.Cmd) == nil {
			return ""
		}
		return fmt.Sprintf("`--%s` is not a flag of %s.", fl.Name, ins.Cmd)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "**%s --%s**: %s\n\n", ins.Cmd, doc.Name, doc.Summary)
	if d := strings.TrimSpace(doc.Doc); d != "" {
		b.WriteString(d)
		b.WriteString("\n\n")
	}
	if len(doc.Values) > 0 {
		fmt.Fprintf(&b, "Values: `%s`", strings.Join(doc.Values, "`, `"))
		b.WriteString("\n\n")
	}
	if doc.Default != "" {
		fmt.Fprintf(&b, "Default: `%s`\n\n", doc.Default)
	}
	if doc.Since != "" {
		fmt.Fprintf(&b, "Since: %s\n\n", doc.Since)
	}
	return strings.TrimSpace(b.String())
}

// directiveHover documents a parser directive.
func directiveHover(d *analysis.Directive) string {
	doc := analysis.LookupDirective(d.Name)
	if doc == nil {
		return ""
	}
	return strings.TrimSpace(fmt.Sprintf("**# %s=**: %s\n\n%s", doc.Name, doc.Summary, strings.TrimSpace(doc.Doc)))
}
